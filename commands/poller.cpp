#include "commands/poller.hpp"

#include <algorithm>

#include "commands/command.hpp"
#include "core/error.hpp"

namespace ecsctl::commands::workflow {

double poll_interval(Context& ctx, const std::optional<std::string>& flag) {
  if (flag) return parse_duration(*flag, "--poll-interval");
  if (auto env = ctx.env.get_nonempty("ECSCTL_POLL_INTERVAL")) return parse_duration(*env, "ECSCTL_POLL_INTERVAL");
  return 3.0;
}

Poller::Poller(Runtime& rt, double initial, double max)
    : m_rt(rt), m_initial(std::max(initial, 0.0)), m_max(std::max(max, initial)), m_delay(m_initial) {}

void Poller::wait(bool changed, double cap) {
  check_interrupted();
  if (changed) m_delay = m_initial;
  m_rt.sleep(cap >= 0 ? std::min(cap, m_delay) : m_delay);
  check_interrupted();
  m_delay = std::min(m_max, std::max(m_delay * 1.5, m_initial));
}

}  // namespace ecsctl::commands::workflow
