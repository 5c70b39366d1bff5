// Shared helpers of the ECS-aware workflows (run-task, deploy, scale, logs,
// ...): the call/sleep/clock seam tests replace, polling with backoff, progress
// on stderr, flag extraction, durations and a record of what was done.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace ecsctl::workflow {

// How workflows reach AWS and time. The real one sends through api::call_operation
// and sleeps in short slices that notice Ctrl-C; tests install a fake with
// `ctx.service<Runtime>(...)` before running a command.
struct Runtime {
  std::function<Json(std::string_view service, std::string_view operation, const Json& input)> call;
  std::function<void(double seconds)> sleep;
  std::function<double()> now;  // seconds, monotonic or fake
};
Runtime& runtime(Context& ctx);

// Whether `e` is a throttling error a wait loop should ride out.
bool is_throttling(const std::exception& e);

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

// Progress on stderr: a rewritten line on a terminal, one line per change
// otherwise, nothing with --quiet.
class Progress {
 public:
  explicit Progress(Context& ctx) : m_ctx(ctx) {}
  ~Progress();
  void status(const std::string& line);  // the current state; repeated lines are dropped
  void note(const std::string& line);    // a permanent line (an event, a warning)
  void done();                           // ends the live line

 private:
  Context& m_ctx;
  std::string m_last;
  bool m_live_open = false;
};

// What a multi-step command did and has still to do, for the message when it
// stops half-way ("done: ...; not done: ...").
class Journal {
 public:
  void done(std::string step) { m_done.push_back(std::move(step)); }
  std::string summary(const std::vector<std::string>& not_done) const;
  // Rethrows `e` (a failed step: its message, exit code and location, or
  // `location` when it has none) with summary(not_done) as the hint, after any
  // hint of its own, so a command that stops half-way says where it stopped.
  [[noreturn]] void fail(const Error& e, const std::vector<std::string>& not_done, const std::string& location = {}) const;

 private:
  std::vector<std::string> m_done;
};

// Flag extraction from a command's words; what is left is handed on.
// `--flag value` and `--flag=value` are both accepted; a missing value is a usage error.
std::optional<std::string> take_value(std::vector<std::string>& args, std::string_view flag);
// Every value of a repeatable flag, and the words after it up to the next `--option`.
std::vector<std::string> take_list(std::vector<std::string>& args, std::string_view flag);
bool take_flag(std::vector<std::string>& args, std::string_view flag);
// The first word that is not an option, removed (a positional such as SERVICE).
std::optional<std::string> take_positional(std::vector<std::string>& args);
// Throws a usage error naming the first word left in `args`, if any.
void reject_leftovers(const std::vector<std::string>& args, std::string_view command);

// "90", "90s", "10m", "2h", "1d" -> seconds; throws a usage error naming `flag`.
double parse_duration(std::string_view text, std::string_view flag);
long parse_count(std::string_view text, std::string_view flag);

// Splits a command line as a POSIX shell would (quotes, backslashes), or reads
// a JSON array of strings when `text` starts with '['.
std::vector<std::string> split_command(std::string_view text);

// The last path part of an ARN ("arn:...:task/c/abc" -> "abc"), or `arn` itself.
std::string arn_tail(std::string_view arn);
// "family:revision" of a task-definition ARN or name.
std::string taskdef_short(std::string_view arn);

// Whether NDJSON events go to stdout (`--output json` given explicitly).
bool ndjson_events(const Context& ctx);

}  // namespace ecsctl::workflow
