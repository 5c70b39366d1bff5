// Polling in the workflows' wait loops: the first delay (--poll-interval) and
// a backoff that grows while nothing changes.
#pragma once
#include <optional>
#include <string>

#include "commands/workflow.hpp"
#include "core/context.hpp"

namespace ecsctl::commands::workflow {

// The first poll delay: --poll-interval, else env ECSCTL_POLL_INTERVAL, else 3 seconds.
double poll_interval(Context& ctx, const std::optional<std::string>& flag);

// Sleeps between polls: starts at `initial`, grows 1.5x (up to `max`) while
// nothing changes, and returns to `initial` after a change. Checks Ctrl-C.
class Poller {
 public:
  Poller(Runtime& rt, double initial, double max = 20.0);
  // Sleeps the current delay, at most `cap` seconds when cap >= 0.
  void wait(bool changed, double cap = -1);
  double delay() const { return m_delay; }

 private:
  Runtime& m_rt;
  double m_initial, m_max, m_delay;
};

}  // namespace ecsctl::commands::workflow
