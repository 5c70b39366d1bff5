// Shared by EventBridge and Scheduler: RunTask input from EcsParameters, fire times.
#include "local/events_ecs.hpp"

#include <cmath>

namespace ecsctl::local {

namespace {

// {"Subnets": [...], "AssignPublicIp": "ENABLED"} -> {"subnets": [...], "assignPublicIp": ...}, recursively.
Json lower_keys(const Json& v, int depth = 0) {
  if (depth > 10) return v;
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& x : v) out.push_back(lower_keys(x, depth + 1));
    return out;
  }
  if (!v.is_object()) return v;
  Json out = Json::object();
  for (const auto& [k, x] : v.items()) {
    std::string key = k;
    if (!key.empty()) key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
    out[key] = lower_keys(x, depth + 1);
  }
  return out;
}

}  // namespace

Json run_task_input(const std::string& cluster_arn, const Json& p, const std::string& started_by) {
  Json in = {{"cluster", cluster_arn}, {"taskDefinition", p.value("TaskDefinitionArn", "")},
             {"count", p.value("TaskCount", 1)}, {"startedBy", started_by}};
  static const std::pair<const char*, const char*> k_copy[] = {
      {"LaunchType", "launchType"},           {"PlatformVersion", "platformVersion"},
      {"Group", "group"},                     {"EnableECSManagedTags", "enableECSManagedTags"},
      {"EnableExecuteCommand", "enableExecuteCommand"}, {"PropagateTags", "propagateTags"},
      {"NetworkConfiguration", "networkConfiguration"}, {"CapacityProviderStrategy", "capacityProviderStrategy"},
      {"PlacementConstraints", "placementConstraints"}, {"PlacementStrategy", "placementStrategy"},
      {"Tags", "tags"},                       {"ReferenceId", "referenceId"}};
  for (const auto& [from, to] : k_copy)
    if (p.contains(from)) in[to] = lower_keys(p[from]);
  return in;
}

double next_fire(const schedule::Expression& e, double anchor, double after, double factor, const std::string& timezone) {
  if (factor <= 0) factor = 1;
  double sim_after = anchor + (after - anchor) * factor;
  auto times = schedule::next_times(e, static_cast<int64_t>(std::floor(sim_after)), 1,
                                    schedule::FireOptions{timezone, static_cast<int64_t>(std::floor(anchor))});
  if (times.empty()) return -1;
  return anchor + (static_cast<double>(times[0]) - anchor) / factor;
}

}  // namespace ecsctl::local
