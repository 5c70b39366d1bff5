// Running tasks and waiting for them: RunTask, failures printed plainly, a wait
// until RUNNING or STOPPED, stop reasons, and the exit code of a container.
#pragma once
#include <optional>
#include <string>

#include "core/context.hpp"
#include "core/json.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

struct RunWait {
  std::string cluster;
  std::string wait_until = "none";            // none | running | stopped
  std::optional<std::string> exit_code_from;  // a container name or "essential"
  bool follow = false;                        // stream the watched container's logs to stderr
  double timeout = 0;                         // 0 = none
  double poll = 3;
  Json definition = Json::object();           // the task definition, when known (container names)
};

// Sends RunTask with `input`, prints failures, waits as `w` asks and prints the
// tasks (RunTask's output shape, refreshed). Returns the process exit code: 0,
// or the container's with --exit-code-from. Throws Error(Exit::deployment_failed)
// when no task started or a task stopped before the awaited state,
// Error(Exit::wait_timed_out) and Error(Exit::interrupted) naming the tasks left running.
int run_and_wait(Context& ctx, Runtime& rt, const Json& input, const RunWait& w);

// One RunTask failure in plain words: "RESOURCE:MEMORY (arn: detail)".
std::string describe_failure(const Json& failure);

// Why a stopped task stopped, one line per fact: stop code and reason, then
// each container's exit code or reason.
std::vector<std::string> describe_stop(const Json& task);

// The exit code --exit-code-from picks from a STOPPED task: the named
// container's, or with "essential" the first non-zero of the essential
// containers (per `definition`). Throws Error(Exit::deployment_failed) when the
// container has no exit code (it never ran), with the reason.
// `reasons_printed`: the stop lines (describe_stop) were printed, so an error
// for a container that did not run does not repeat the reason.
int exit_code_from(const Json& task, const std::string& which, const Json& definition, bool reasons_printed = false);

}  // namespace ecsctl::commands::workflow
