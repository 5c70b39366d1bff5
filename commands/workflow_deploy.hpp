// Waiting for a service deployment: judging one DescribeServices snapshot
// (done, failed, rolled back by the circuit breaker, still going) and the wait
// loop around it with progress, new service events, timeouts and Ctrl-C.
#pragma once
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/json.hpp"
#include "commands/command.hpp"
#include "commands/journal.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

enum class DeployPhase { in_progress, completed, failed, rolled_back };

// What one snapshot of a service says about the deployment of `target_td`.
struct DeployStatus {
  DeployPhase phase = DeployPhase::in_progress;
  std::string reason;   // why it failed or was rolled back
  std::string summary;  // "app:7 PRIMARY IN_PROGRESS running 1/3 pending 2, 2 deployments"
  long running = 0, desired = 0, pending = 0, failed_tasks = 0;
};

// Judges `service` (one element of DescribeServices' services[]): completed when
// the PRIMARY deployment runs `target_td` and its rolloutState is COMPLETED, or
// it is the only deployment with running == desired; rolled back when the
// PRIMARY deployment runs another task definition; failed on rolloutState FAILED
// or when, without a circuit breaker, at least `desired` tasks failed to start
// and none runs. With `steady_only` (scale), rolloutState COMPLETED alone is
// not enough: the counts must match.
DeployStatus evaluate_deployment(const Json& service, const std::string& target_td, bool steady_only = false);

struct WaitOptions {
  double timeout = 0;        // overall, 0 = none
  double stall_timeout = 0;  // no change in the running count, 0 = none
  double poll = 3;           // first poll delay
  bool steady_only = false;  // see evaluate_deployment
  // --events FILE: NDJSON progress events, each with an ISO 8601 "time"; null
  // without the flag. With `--events -` they go to stderr instead of the text
  // progress lines (events_on_stderr).
  std::shared_ptr<std::ostream> events;
  bool events_on_stderr = false;
  // The service events that existed before the change (event_keys of the
  // service described before UpdateService). With them, the first poll prints
  // the events that came after ("has started 2 tasks"); without, the first
  // poll's events are taken as history.
  std::optional<std::set<std::string>> known_events;
};

// The keys (id and message) of the service's events, to tell new ones apart.
std::set<std::string> event_keys(const Json& service);

// The outcome of a wait; `timed_out`/`stalled` only when phase is in_progress.
struct WaitOutcome {
  DeployStatus status;
  Json service;
  bool timed_out = false;
  bool stalled = false;
};

// Polls DescribeServices until the deployment of `target_td` completes, fails,
// is rolled back, or a timeout hits. Streams status changes and new service
// events (stderr, or NDJSON on stdout when `ndjson`). Throttling is ridden out;
// Ctrl-C throws Error(Exit::interrupted).
WaitOutcome wait_for_deployment(Context& ctx, Runtime& rt, const std::string& cluster, const std::string& service,
                                const std::string& target_td, const WaitOptions& opts);

// A deployment being awaited: what to watch and what to do when it fails.
struct DeployPlan {
  std::string cluster, service;
  std::string target_td;    // the task definition deployed
  std::string previous_td;  // what the service ran before (rollback target)
  bool rollback_on_failure = false;
  WaitOptions wait;
};

// Waits for `plan` and returns the final service. Throws Error(Exit::deployment_failed)
// when it failed or was rolled back (after rolling back itself with
// rollback_on_failure), Error(Exit::wait_timed_out) on --timeout/--stall-timeout,
// Error(Exit::interrupted) on Ctrl-C; each message says what was and was not done.
Json await_deployment(Context& ctx, Runtime& rt, const DeployPlan& plan, Journal& journal);

// Up to five distinct stop reasons of the service's recently stopped tasks
// ("CannotPullContainerError: ...", "Essential container in task exited").
std::vector<std::string> stopped_task_reasons(Runtime& rt, const std::string& cluster, const std::string& service);

// The service as DescribeServices returns it; a missing or INACTIVE service is
// a usage error naming it.
Json describe_service(Runtime& rt, const std::string& cluster, const std::string& service);

// Writes one NDJSON event line to the --events stream, if any:
// {"time": "2026-01-02T03:04:05.678Z", "event": type, ...fields}.
void emit_event(const WaitOptions& opts, const std::string& type, Json fields);

// Opens the --events destination: `-` is stderr, anything else a file
// (truncated). Throws a usage error when the file cannot be opened.
void open_events(Context& ctx, const std::optional<std::string>& path, WaitOptions& opts);

// Whether the text progress lines (stderr) are printed: not with --quiet, nor
// when --events - puts the events on stderr.
inline bool text_progress(const Context& ctx, const WaitOptions& opts) {
  return !ctx.opts.quiet && !opts.events_on_stderr;
}

// The flags of the commands that wait for a deployment (deploy, scale,
// restart, rollback): --timeout, --stall-timeout, --poll-interval, --no-wait, --events.
const std::vector<FlagSpec>& deployment_wait_flags();

}  // namespace ecsctl::commands::workflow
