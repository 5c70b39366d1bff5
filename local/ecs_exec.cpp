// ECS Exec in the local plane. ExecuteCommand checks what ECS checks (the task
// exists, runs, was started with enableExecuteCommand, the container is known,
// interactive mode) and answers with a session whose id, stream URL and token
// are made up: there is no SSM agent here, so the session cannot be opened.
// Containers get the runtimeId and the ExecuteCommandAgent that the AWS CLI
// and ecsctl read before starting session-manager-plugin.
#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_not_enabled =
    "The execute command failed because execute command was not enabled when the task was run or the execute "
    "command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.";

std::string token(std::mt19937_64& rng, size_t n) {
  static const char k_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  while (out.size() < n) out += k_chars[rng() % 64];
  return out;
}

}  // namespace

void give_runtime_ids(Json& task, double now) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string id = arn_tail(task.value("taskArn", ""));
  bool fargate = task.value("launchType", "") == "FARGATE";
  bool exec = task.value("enableExecuteCommand", false);
  for (auto& c : task["containers"]) {
    if (!c.contains("runtimeId")) {
      // As ECS shows them: "<task id>-<number>" on Fargate, the Docker container id on EC2.
      c["runtimeId"] = fargate ? id + "-" + std::to_string(1000000000 + rng() % 9000000000ULL) : hex_id(rng, 64);
    }
    if (exec && !c.contains("managedAgents"))
      c["managedAgents"] = Json::array({{{"name", "ExecuteCommandAgent"}, {"lastStatus", "RUNNING"},
                                         {"lastStartedAt", now}}});
  }
}

Json Ecs::execute_command(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  const Json& cl = *m_store.get("clusters", cluster);
  std::string ref = string_member(in, "task");
  std::string arn = ref;
  if (ref.rfind("arn:", 0) != 0) {
    arn = cl["clusterArn"];
    arn.replace(arn.find(":cluster/"), std::string::npos, ":task/" + cluster + "/" + ref);
  }
  const Json* t = m_store.get("tasks", arn);
  if (!t || (*t)["_"]["cluster"] != cluster)
    throw ApiError("InvalidParameterException", "The referenced task was not found.");
  if (!in.value("interactive", false))
    throw ApiError("InvalidParameterException", "Interactive is the only mode supported currently.");
  const Json& task = *t;
  if (!task.value("enableExecuteCommand", false) || task["lastStatus"] != "RUNNING")
    throw ApiError("InvalidParameterException", k_not_enabled);
  std::string name = string_member(in, "container");
  const Json* container = nullptr;
  for (const auto& c : task["containers"])
    if (name.empty() ? task["containers"].size() == 1 : c["name"] == name) container = &c;
  if (!container) {
    if (name.empty())
      throw ApiError("InvalidParameterException",
                     "The container name must be specified when the task has more than one container.");
    throw ApiError("InvalidParameterException", "The container " + name + " was not found in the task.");
  }
  if ((*container)["lastStatus"] != "RUNNING") throw ApiError("InvalidParameterException", k_not_enabled);
  std::string session = "ecs-execute-command-" + hex_id(m_rng, 17);
  return {{"clusterArn", cl["clusterArn"]},
          {"containerArn", (*container)["containerArn"]},
          {"containerName", (*container)["name"]},
          {"interactive", true},
          {"session",
           {{"sessionId", session},
            // .invalid never resolves: the official plugin fails to connect instead of reaching AWS.
            {"streamUrl", "wss://ssmmessages." + m_region + ".local.invalid/v1/data-channel/" + session +
                              "?role=publish_subscribe&cell-number=local"},
            {"tokenValue", token(m_rng, 172)}}},
          {"taskArn", arn}};
}

}  // namespace ecsctl::local
