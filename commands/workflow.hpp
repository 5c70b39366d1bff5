// Shared helpers of the ECS-aware workflows (run-task, deploy, scale, logs,
// ...): the call/sleep/clock seam tests replace, progress on stderr and small
// text helpers. Polling is in commands/poller.hpp, the record of what a
// multi-step command did in commands/journal.hpp, durations and counts next to
// the flag spec (commands/command.hpp).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace ecsctl::commands::workflow {

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

// Splits a command line as a POSIX shell would (quotes, backslashes), or reads
// a JSON array of strings when `text` starts with '['.
std::vector<std::string> split_command(std::string_view text);

// The last path part of an ARN ("arn:...:task/c/abc" -> "abc"), or `arn` itself.
std::string arn_tail(std::string_view arn);
// The split-up words of --subnets/--security-groups ("a,b c" -> a, b, c).
Json split_ids(const std::vector<std::string>& words);
// "family:revision" of a task-definition ARN or name.
std::string taskdef_short(std::string_view arn);


}  // namespace ecsctl::commands::workflow
