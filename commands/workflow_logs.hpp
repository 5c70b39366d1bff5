// CloudWatch Logs of ECS containers: where the awslogs driver writes
// (group, stream prefix/container/task-id) and following new events.
#pragma once
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/context.hpp"
#include "core/json.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

// Where a container's logs go: the awslogs-group and awslogs-stream-prefix of its
// logConfiguration (awslogs-region when set).
struct LogConfig {
  std::string container, group, prefix, region;
  // The stream of one task: "prefix/container/task-id" (prefix may be empty).
  std::string stream_of(const std::string& task_arn) const;
};

// The awslogs configuration of `container` in a task definition, or of the
// first container that has one when `container` is empty; nullopt when none.
std::optional<LogConfig> log_config(const Json& definition, const std::string& container);

// One CloudWatch Logs event as a line: "2026-01-02T03:04:05Z stream message".
std::string format_log_event(const Json& event, bool with_stream);

// Follows FilterLogEvents of a group (streams by name or by prefix), printing
// each new event once; a group or stream that does not exist yet is not an error.
class LogFollower {
 public:
  LogFollower(Runtime& rt, std::ostream& out, LogConfig cfg, Json stream_filter, long long start_ms,
              std::string pattern = {});
  // Fetches and prints what is new; returns whether anything was printed.
  bool poll();

 private:
  Runtime& m_rt;
  std::ostream& m_out;
  LogConfig m_cfg;
  Json m_filter;  // {"logStreamNames": [...]} or {"logStreamNamePrefix": "..."}
  long long m_start_ms;
  std::string m_pattern;
  std::set<std::string> m_seen;
  bool m_with_stream;
};

// A follower of the watched container of a started task (the --exit-code-from
// container, else the first with awslogs), printing to stderr; null (with a
// note) when the task definition has no awslogs configuration.
std::unique_ptr<LogFollower> make_task_follower(Context& ctx, Runtime& rt, const Json& definition, const Json& task,
                                                const std::optional<std::string>& container);

}  // namespace ecsctl::commands::workflow
