#include "core/context.hpp"

#include <atomic>
#include <csignal>
#include <unistd.h>

#include "core/error.hpp"

namespace ecsctl {

Context::Context(std::ostream& o, std::ostream& e, Environment environment)
    : out(o), err(e), env(std::move(environment)) {}

// --color follows the AWS CLI: `on` colours even when the stream is not a terminal (its
// TableFormatter picks the ColorizedStyler whenever --color is on, whatever stdout is), `off`
// never colours, and `auto` colours only a terminal. NO_COLOR (and TERM=dumb), which the AWS
// CLI v1 ignores, are honoured for `auto` only: an explicit --color on is a per-invocation
// request and wins, as no-color.org says command-line flags should.
static bool color_allowed(const Context& ctx, bool is_tty) {
  switch (ctx.opts.color) {
    case ColorMode::on: return true;
    case ColorMode::off: return false;
    case ColorMode::automatic: break;
  }
  if (ctx.env.get_nonempty("NO_COLOR")) return false;
  if (auto term = ctx.env.get("TERM"); term && *term == "dumb") return false;
  return is_tty;
}

bool Context::color_stdout() const { return color_allowed(*this, stdout_is_tty); }
bool Context::color_stderr() const { return color_allowed(*this, stderr_is_tty); }

static std::atomic<int> g_interrupts{0};
static std::atomic<int> g_signal{0};

static void on_stop_signal(int sig) {
  // The first SIGINT/SIGTERM asks the running command to stop cleanly; a second
  // one ends the process at once. The exit code is 128 + the first signal's number.
  int expected = 0;
  g_signal.compare_exchange_strong(expected, sig);
  if (g_interrupts.fetch_add(1) >= 1) _exit(128 + g_signal.load());
}

Exit interrupt_exit_code() {
  return g_signal.load() == SIGTERM ? Exit::terminated : Exit::interrupted;
}

bool is_interruption(Exit code) { return code == Exit::interrupted || code == Exit::terminated; }

bool interrupted() { return g_interrupts.load() > 0; }

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void check_interrupted() {
  if (interrupted())
    throw Error(interrupt_exit_code(), interrupt_exit_code() == Exit::terminated ? "terminated" : "interrupted");
}

}  // namespace ecsctl
