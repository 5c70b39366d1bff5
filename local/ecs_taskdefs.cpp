// ECS task definitions: families, revisions, ACTIVE/INACTIVE, delete, and the
// defaults the API fills in.
#include <algorithm>
#include <set>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

// Fargate's valid task-level CPU -> memory (MiB) combinations.
bool fargate_combination(long cpu, long mem) {
  switch (cpu) {
    case 256: return mem == 512 || mem == 1024 || mem == 2048;
    case 512: return mem >= 1024 && mem <= 4096 && mem % 1024 == 0;
    case 1024: return mem >= 2048 && mem <= 8192 && mem % 1024 == 0;
    case 2048: return mem >= 4096 && mem <= 16384 && mem % 1024 == 0;
    case 4096: return mem >= 8192 && mem <= 30720 && mem % 1024 == 0;
    case 8192: return mem >= 16384 && mem <= 61440 && mem % 4096 == 0;
    case 16384: return mem >= 32768 && mem <= 122880 && mem % 8192 == 0;
    default: return false;
  }
}

Json fill_container(const Json& c, const std::string& network_mode, bool task_memory) {
  Json out = c;
  std::string name = c.value("name", "");
  if (name.empty()) throw ApiError("ClientException", "Container.name should not be null or empty.");
  if (c.value("image", "").empty()) throw ApiError("ClientException", "Container.image should not be null or empty.");
  if (!task_memory && !c.contains("memory") && !c.contains("memoryReservation"))
    throw ApiError("ClientException", "Invalid setting for container '" + name +
                   "'. At least one of 'memory' or 'memoryReservation' must be specified.");
  if (c.contains("memory") && c.contains("memoryReservation") && c["memory"].get<long>() < c["memoryReservation"].get<long>())
    throw ApiError("ClientException", "Invalid setting for container '" + name +
                   "'. The memory value must be greater than or equal to the memoryReservation value.");
  if (!out.contains("cpu")) out["cpu"] = 0;
  Json ports = Json::array();
  for (auto p : c.value("portMappings", Json::array())) {
    if (!p.contains("containerPort") && !p.contains("containerPortRange"))
      throw ApiError("ClientException", "Invalid setting for container '" + name + "'. containerPort must be specified.");
    if (network_mode == "awsvpc" || network_mode == "host") {
      if (p.contains("hostPort") && p.contains("containerPort") && p["hostPort"] != p["containerPort"] && p["hostPort"] != 0)
        throw ApiError("ClientException", "When networkMode=" + network_mode +
                       ", the containerPort and hostPort values must match.");
      if (p.contains("containerPort")) p["hostPort"] = p["containerPort"];
    }
    if (!p.contains("protocol")) p["protocol"] = "tcp";
    ports.push_back(p);
  }
  out["portMappings"] = ports;
  if (!out.contains("essential")) out["essential"] = true;
  for (const char* k : {"environment", "mountPoints", "volumesFrom"})
    if (!out.contains(k)) out[k] = Json::array();
  return out;
}

std::pair<std::string, long> split_ref(const std::string& ref) {
  std::string tail = ref;
  if (ref.rfind("arn:", 0) == 0) {
    size_t slash = ref.find("task-definition/");
    tail = slash == std::string::npos ? "" : ref.substr(slash + 16);
  }
  size_t colon = tail.rfind(':');
  if (colon == std::string::npos) return {tail, 0};
  char* end = nullptr;
  long rev = std::strtol(tail.c_str() + colon + 1, &end, 10);
  if (!end || *end || rev <= 0) return {"", -1};
  return {tail.substr(0, colon), rev};
}

std::string key_of(const std::string& family, long revision) { return family + ":" + std::to_string(revision); }

}  // namespace

Json EcsResources::resolve_task_definition(Ecs& e, const std::string& ref, const char* code, const char* message) {
  auto [family, rev] = split_ref(ref);
  if (family.empty() || rev < 0) throw ApiError(code, message);
  if (rev > 0) {
    const Json* td = e.m_store.get("taskdefs", key_of(family, rev));
    if (!td || (*td)["status"] == "DELETE_IN_PROGRESS") throw ApiError(code, message);
    return *td;
  }
  const Json* best = nullptr;
  for (auto it = e.m_store.table("taskdefs").lower_bound(family + ":"); it != e.m_store.table("taskdefs").end(); ++it) {
    if (it->first.rfind(family + ":", 0) != 0) break;
    if (it->second["family"] != family || it->second["status"] != "ACTIVE") continue;
    if (!best || it->second["revision"].get<long>() > (*best)["revision"].get<long>()) best = &it->second;
  }
  if (!best) throw ApiError(code, message);
  return *best;
}

Json Ecs::register_task_definition(const Json& in) {
  std::string family = in["family"];
  if (family.empty() || family.size() > 255 ||
      family.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos)
    throw ApiError("ClientException", "Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.");
  const Json& containers = in["containerDefinitions"];
  if (!containers.is_array() || containers.empty())
    throw ApiError("ClientException", "Container list cannot be empty.");
  std::string mode = string_member(in, "networkMode", "bridge");
  long cpu = in.contains("cpu") ? parse_cpu(in["cpu"]) : 0;
  long mem = in.contains("memory") ? parse_memory(in["memory"]) : 0;
  if (cpu < 0) throw ApiError("ClientException", "Invalid 'cpu' setting for task.");
  if (mem < 0) throw ApiError("ClientException", "Invalid 'memory' setting for task.");
  Json req_compat = in.value("requiresCompatibilities", Json::array());
  bool wants_fargate = std::find(req_compat.begin(), req_compat.end(), "FARGATE") != req_compat.end();
  if (wants_fargate) {
    if (mode != "awsvpc")
      throw ApiError("ClientException", "Fargate only supports network mode 'awsvpc'.");
    if (!in.contains("cpu") || !in.contains("memory"))
      throw ApiError("ClientException", "Fargate requires that 'cpu' be defined at the task level.");
    if (!fargate_combination(cpu, mem))
      throw ApiError("ClientException", "No Fargate configuration exists for given values: " + std::to_string(cpu) +
                     " CPU, " + std::to_string(mem) + " memory. See the Amazon ECS documentation for the valid values.");
  }
  Json filled = Json::array();
  std::set<std::string> names;
  for (const auto& c : containers) {
    if (!names.insert(c.value("name", "")).second)
      throw ApiError("ClientException", "Duplicate container name '" + c.value("name", "") + "'.");
    filled.push_back(fill_container(c, mode, mem > 0));
  }
  long revision = m_store.next_sequence("taskdef:" + family);
  std::string arn = EcsResources::arn(*this, "task-definition/" + key_of(family, revision));
  Json compat = Json::array({"EC2"});
  if (mode == "awsvpc" && cpu > 0 && mem > 0 && fargate_combination(cpu, mem)) compat.push_back("FARGATE");
  Json td = {{"taskDefinitionArn", arn}, {"containerDefinitions", filled}, {"family", family}};
  for (const char* k : {"taskRoleArn", "executionRoleArn"})
    if (in.contains(k)) td[k] = in[k];
  if (in.contains("networkMode")) td["networkMode"] = mode;
  td["revision"] = revision;
  td["volumes"] = in.value("volumes", Json::array());
  td["status"] = "ACTIVE";
  Json req_attrs = Json::array();
  if (mode == "awsvpc") req_attrs.push_back({{"name", "ecs.capability.task-eni"}});
  td["requiresAttributes"] = req_attrs;
  td["placementConstraints"] = in.value("placementConstraints", Json::array());
  td["compatibilities"] = compat;
  for (const char* k : {"runtimePlatform", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
                        "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage"})
    if (in.contains(k)) td[k] = in[k];
  td["registeredAt"] = now_seconds();
  td["registeredBy"] = "arn:aws:iam::" + m_account + ":root";
  Json tags = in.value("tags", Json::array());
  put_tags(m_store, arn, tags);
  m_store.put("taskdefs", key_of(family, revision), td);
  Json out = {{"taskDefinition", td}};
  if (!tags.empty()) out["tags"] = tags;
  return out;
}

Json Ecs::describe_task_definition(const Json& in) {
  Json td = EcsResources::resolve_task_definition(*this, in["taskDefinition"], "ClientException",
                                                  "Unable to describe task definition.");
  Json out = {{"taskDefinition", td}};
  auto inc = in.value("include", Json::array());
  if (std::find(inc.begin(), inc.end(), "TAGS") != inc.end()) out["tags"] = tags_of(m_store, td["taskDefinitionArn"]);
  return out;
}

Json Ecs::list_task_definitions(const Json& in) {
  std::string family = string_member(in, "familyPrefix");
  std::string status = string_member(in, "status", "ACTIVE");
  bool desc = string_member(in, "sort", "ASC") == "DESC";
  std::vector<std::pair<std::pair<std::string, long>, std::string>> rows;
  for (const auto& [key, td] : m_store.table("taskdefs")) {
    if (td["status"] != status) continue;
    if (!family.empty() && td["family"] != family) continue;
    rows.push_back({{td["family"], td["revision"]}, td["taskDefinitionArn"]});
  }
  std::sort(rows.begin(), rows.end());
  if (desc) std::reverse(rows.begin(), rows.end());
  std::vector<std::string> arns;
  for (auto& r : rows) arns.push_back(r.second);
  return paginate(arns, in, "taskDefinitionArns");
}

Json Ecs::list_task_definition_families(const Json& in) {
  std::string prefix = string_member(in, "familyPrefix");
  std::string status = string_member(in, "status", "ACTIVE");
  std::set<std::string> active, all;
  for (const auto& [key, td] : m_store.table("taskdefs")) {
    std::string f = td["family"];
    if (f.rfind(prefix, 0) != 0) continue;
    all.insert(f);
    if (td["status"] == "ACTIVE") active.insert(f);
  }
  std::vector<std::string> out;
  for (const auto& f : all) {
    bool is_active = active.count(f) > 0;
    if (status == "ALL" || (status == "ACTIVE" && is_active) || (status == "INACTIVE" && !is_active)) out.push_back(f);
  }
  return paginate(out, in, "families");
}

Json Ecs::deregister_task_definition(const Json& in) {
  std::string ref = in["taskDefinition"];
  auto [family, rev] = split_ref(ref);
  if (rev <= 0) throw ApiError("ClientException", "The specified task definition identifier is invalid. Specify a valid name or ARN and try again.");
  const Json* td = m_store.get("taskdefs", key_of(family, rev));
  if (!td) throw ApiError("ClientException", "The specified task definition does not exist. Specify a valid account, family, revision and try again.");
  Json out = *td;
  if (out["status"] == "ACTIVE") {
    out["status"] = "INACTIVE";
    out["deregisteredAt"] = now_seconds();
    m_store.put("taskdefs", key_of(family, rev), out);
  }
  return {{"taskDefinition", out}};
}

Json Ecs::delete_task_definitions(const Json& in) {
  Json done = Json::array(), failures = Json::array();
  for (const auto& r : in["taskDefinitions"]) {
    std::string ref = r;
    auto [family, rev] = split_ref(ref);
    const Json* td = rev > 0 ? m_store.get("taskdefs", key_of(family, rev)) : nullptr;
    std::string arn = ref.rfind("arn:", 0) == 0 ? ref : EcsResources::arn(*this, "task-definition/" + ref);
    if (!td) {
      failures.push_back({{"arn", arn}, {"reason", "The specified task definition does not exist."}});
      continue;
    }
    if ((*td)["status"] == "ACTIVE") {
      failures.push_back({{"arn", arn}, {"reason", "The specified task definition is still in ACTIVE status. Please deregister the target and try again."}});
      continue;
    }
    Json out = *td;
    out["status"] = "DELETE_IN_PROGRESS";
    m_store.erase("taskdefs", key_of(family, rev));
    done.push_back(out);
  }
  return {{"taskDefinitions", done}, {"failures", failures}};
}

}  // namespace ecsctl::local
