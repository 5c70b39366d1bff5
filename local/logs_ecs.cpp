// The simulated runtime's lines in CloudWatch Logs.
#include "local/logs_ecs.hpp"

#include <chrono>

namespace ecsctl::local {

namespace {

constexpr const char* k_tag = "[ecsctl-local simulated runtime] ";

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const Json* task_definition(Store& store, const Json& task) {
  std::string arn = task.value("taskDefinitionArn", "");
  size_t at = arn.find(":task-definition/");
  if (at == std::string::npos) return nullptr;
  return store.get("taskdefs", arn.substr(at + 17));
}

// Calls `fn(container definition, container of the task, group, stream, create_group)`
// for each container that logs through awslogs.
template <class Fn>
void each_awslogs_container(Store& store, const Json& task, Fn fn) {
  const Json* td = task_definition(store, task);
  if (!td) return;
  for (const auto& def : td->value("containerDefinitions", Json::array())) {
    const Json lc = def.value("logConfiguration", Json::object());
    if (lc.value("logDriver", "") != "awslogs") continue;
    const Json opts = lc.value("options", Json::object());
    std::string group = opts.value("awslogs-group", "");
    if (group.empty()) continue;
    std::string name = def.value("name", "");
    for (const auto& c : task.value("containers", Json::array()))
      if (c.value("name", "") == name)
        fn(def, c, group, awslogs_stream(opts.value("awslogs-stream-prefix", ""), name, task.value("taskArn", "")),
           opts.value("awslogs-create-group", "") == "true");
  }
}

// The lines are a courtesy: a group or stream name CloudWatch would refuse
// (ECS would fail the task to start) must not stop the lifecycle.
void append_quietly(Logs& logs, const std::string& group, const std::string& stream, std::vector<Logs::Event> lines) {
  try {
    logs.append(group, stream, std::move(lines), true);
  } catch (const ApiError&) {
  }
}

}  // namespace

std::string awslogs_stream(const std::string& prefix, const std::string& container, const std::string& task_arn) {
  std::string id = task_arn.substr(task_arn.rfind('/') == std::string::npos ? 0 : task_arn.rfind('/') + 1);
  return (prefix.empty() ? "" : prefix + "/") + container + "/" + id;
}

void connect_simulated_logs(Ecs& ecs, Store& store, Logs& logs) {
  ecs.hooks().on_running.push_back([&store, &logs](const Json& task) {
    each_awslogs_container(store, task, [&](const Json&, const Json& c, const std::string& group,
                                            const std::string& stream, bool create_group) {
      std::vector<Logs::Event> lines;
      long long t = now_ms();
      if (!logs.has_group(group) && !create_group)
        lines.push_back({t, std::string(k_tag) + "log group " + group +
                                " did not exist, so it was created; ECS would fail this task with "
                                "ResourceInitializationError unless awslogs-create-group is \"true\""});
      lines.push_back({t, std::string(k_tag) + "container " + c.value("name", "") + " started (image " +
                              c.value("image", "") + "); this is a simulation: no process runs, so the container "
                              "writes no output of its own"});
      append_quietly(logs, group, stream, std::move(lines));
    });
  });
  ecs.hooks().on_stopped.push_back([&store, &logs](const Json& task) {
    if (!task.contains("startedAt")) return;  // never started: the driver never opened a stream
    each_awslogs_container(store, task, [&](const Json&, const Json& c, const std::string& group,
                                            const std::string& stream, bool) {
      std::string line = std::string(k_tag) + "container " + c.value("name", "") + " stopped";
      if (c.contains("exitCode") && c["exitCode"].is_number()) line += " with exit code " + std::to_string(c["exitCode"].get<long>());
      std::string reason = task.value("stoppedReason", "");
      if (!reason.empty()) line += " (" + reason + ")";
      append_quietly(logs, group, stream, {{now_ms(), line}});
    });
  });
}

}  // namespace ecsctl::local
