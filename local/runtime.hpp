// What runs the tasks of the local plane. Two runtimes:
// - simulated: no process at all; local/ecs_engine.cpp moves each task through
//   its states on timers (today's behaviour, for scale tests and machines
//   without a container engine);
// - engine: one container per task container, through the Docker Engine API
//   of Docker or Podman (local/runtime_engine.cpp).
// Ecs calls a Runtime under the state lock; a Runtime never blocks there and
// never touches the store: what happens to containers comes back as
// RuntimeEvents, which Ecs applies to its tasks (local/ecs_runtime.cpp).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::local {

// Where container output goes: one call per line of a container's stdout or
// stderr whose task definition gives it the awslogs log driver. `group` is
// awslogs-group; `stream` is awslogs' "prefix/container/task-id" (the
// container's engine id when no awslogs-stream-prefix is given). Called from
// the runtime's threads, never under the state lock; must be thread-safe.
struct LogSink {
  virtual ~LogSink() = default;
  virtual void append(const std::string& group, const std::string& stream, long long timestamp_ms,
                      const std::string& message) = 0;
};

// Something that happened to a task's containers (the runtime's report to Ecs).
struct RuntimeEvent {
  enum class Kind {
    container_started,   // container: name; data: {startedAt, networkBindings?, runtimeId}
    container_stopped,   // container: name; data: {exitCode?, reason?, essential}
    container_health,    // container: name; data: {healthStatus}
    task_network,        // data: {privateIpv4Address}: the task's network namespace (awsvpc)
    task_running,        // every container has started
    task_failed,         // the task cannot run: data: {reason, stopCode, container?}
    task_stopped,        // its containers are stopped and removed
  };
  std::string task_arn;
  Kind kind;
  std::string container;
  Json data = Json::object();
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  // "simulated" or "engine".
  virtual const char* name() const = 0;
  bool is_engine() const { return std::string(name()) == "engine"; }
  // For `local status`: {"runtime": ..., and what the runtime says of itself}.
  virtual Json describe() const = 0;
  // Starts the task's containers as its task definition says (task: the stored
  // task, with its overrides; its containers' events follow).
  virtual void start_task(const Json& task, const Json& task_definition) = 0;
  // Stops the task's containers (SIGTERM, then SIGKILL after each container's
  // stopTimeout) and removes them; task_stopped follows.
  virtual void stop_task(const std::string& task_arn) = 0;
  // After a restart: follows the containers of a task started before, or, when
  // they are gone, reports task_failed. `live_arns`: every task not STOPPED
  // (containers of other tasks are removed).
  virtual void adopt(const Json& task, const Json& task_definition) = 0;
  virtual void remove_strays(const std::vector<std::string>& live_arns) = 0;
  // The events since the last call.
  virtual std::vector<RuntimeEvent> take_events() = 0;
  // Stops and removes every container of the plane (`local down`).
  virtual void shutdown() = 0;
  // CloudWatch's AWS/ECS CPUUtilization or MemoryUtilization of a service in
  // [from, to) from real container statistics (local/cloudwatch.hpp,
  // ServiceStats), or nullopt (the simulated runtime has none). Thread-safe; never blocks.
  virtual std::optional<double> service_metric(const Json& /*service*/, const std::string& /*metric*/,
                                               double /*from*/, double /*to*/) const {
    return std::nullopt;
  }
};

// The simulated runtime: Ecs's timers do everything.
std::unique_ptr<Runtime> make_simulated_runtime(std::string why);

struct EngineOptions {
  std::string socket;     // the engine's Unix socket
  std::string plane;      // the state directory: the value of every container's plane label
  LogSink* sink = nullptr;
  // Called with progress and warnings for the server log (thread-safe).
  std::function<void(const std::string&)> log;
  // The value of a task secret's valueFrom (Secrets Manager ARN with optional
  // json-key:version-stage:version-id, or SSM parameter name or ARN; also a
  // repositoryCredentials credentialsParameter), nullopt when it does not
  // exist. Called from the runtime's threads (it takes the state lock). The
  // values go into containers' environments and the pull's X-Registry-Auth
  // only: never into a log, event or error.
  std::function<std::optional<std::string>(const std::string&)> resolve_secret;
  // Seconds between two samples of every running container's statistics.
  double stats_interval = 2;
};
std::unique_ptr<Runtime> make_engine_runtime(EngineOptions options);

// The labels on every container of the plane.
inline constexpr const char* k_label_plane = "io.ecsctl.local.plane";
inline constexpr const char* k_label_task = "io.ecsctl.local.task-arn";
inline constexpr const char* k_label_container = "io.ecsctl.local.container";

}  // namespace ecsctl::local
