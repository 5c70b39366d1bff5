// ECS clusters, container instances, capacity providers and tags.
#include <algorithm>
#include <set>

#include "local/cql.hpp"
#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

bool includes(const Json& in, const char* what) {
  auto it = in.find("include");
  if (it == in.end() || !it->is_array()) return false;
  return std::find(it->begin(), it->end(), Json(what)) != it->end();
}

Json resource(const char* name, const char* type, long v) {
  return Json{{"name", name}, {"type", type}, {"doubleValue", 0.0}, {"longValue", 0}, {"integerValue", v}};
}

Json ports_resource(const char* name, const std::vector<std::string>& ports) {
  return Json{{"name", name}, {"type", "STRINGSET"}, {"doubleValue", 0.0}, {"longValue", 0},
              {"integerValue", 0}, {"stringSetValue", ports}};
}

long resource_value(const Json& list, const char* name, long fallback) {
  if (!list.is_array()) return fallback;
  for (const auto& r : list)
    if (r.value("name", "") == name) {
      if (r.contains("integerValue") && r["integerValue"].is_number() && r["integerValue"].get<long>() > 0)
        return r["integerValue"].get<long>();
      if (r.contains("longValue") && r["longValue"].is_number() && r["longValue"].get<long>() > 0)
        return r["longValue"].get<long>();
      if (r.contains("doubleValue") && r["doubleValue"].is_number()) return static_cast<long>(r["doubleValue"].get<double>());
    }
  return fallback;
}

std::vector<std::string> resource_ports(const Json& list, const char* name, std::vector<std::string> fallback) {
  if (!list.is_array()) return fallback;
  for (const auto& r : list)
    if (r.value("name", "") == name && r.contains("stringSetValue")) return r["stringSetValue"].get<std::vector<std::string>>();
  return fallback;
}

std::string attribute(const Json& ci, const char* name) {
  for (const auto& a : ci.value("attributes", Json::array()))
    if (a.value("name", "") == name) return a.value("value", "");
  return {};
}

}  // namespace

Json tags_of(Store& store, const std::string& arn) {
  const Json* t = store.get("tags", arn);
  return t ? *t : Json::array();
}

void put_tags(Store& store, const std::string& arn, const Json& tags) {
  if (!tags.is_array() || tags.empty()) return;
  Json merged = tags_of(store, arn);
  for (const auto& t : tags) {
    if (!t.contains("key")) throw ApiError("InvalidParameterException", "Tag keys must not be empty.");
    auto same = std::find_if(merged.begin(), merged.end(), [&](const Json& m) { return m["key"] == t["key"]; });
    if (same != merged.end()) *same = t;
    else merged.push_back(t);
  }
  if (merged.size() > 50) throw ApiError("InvalidParameterException", "The number of tags exceeds the limit of 50.");
  store.put("tags", arn, merged);
}

Json EcsResources::decorate_cluster(Ecs& e, const Json& stored, const Json& in) {
  Json c = public_view(stored);
  std::string name = c["clusterName"];
  long instances = 0, running = 0, pending = 0, services = 0;
  for (const auto& [id, ci] : e.m_store.table("instances"))
    if (ci["_"]["cluster"] == name && ci["status"] == "ACTIVE") ++instances;
  for (const auto& [id, t] : e.m_store.table("tasks")) {
    if (t["_"]["cluster"] != name || t["lastStatus"] == "STOPPED") continue;
    if (t["lastStatus"] == "RUNNING") ++running;
    else ++pending;
  }
  for (const auto& [id, s] : e.m_store.table("services"))
    if (s["_"]["cluster"] == name && s["status"] == "ACTIVE") ++services;
  c["registeredContainerInstancesCount"] = instances;
  c["runningTasksCount"] = running;
  c["pendingTasksCount"] = pending;
  c["activeServicesCount"] = services;
  c["statistics"] = Json::array();
  c["tags"] = includes(in, "TAGS") ? tags_of(e.m_store, c["clusterArn"]) : Json::array();
  if (!includes(in, "SETTINGS") && !includes(in, "CONFIGURATIONS")) {
    // ECS always returns settings; configuration only when asked.
  }
  return c;
}

Json Ecs::create_cluster(const Json& in) {
  std::string name = string_member(in, "clusterName", "default");
  if (name.size() > 255 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos)
    throw ApiError("InvalidParameterException",
                   "Cluster name can only contain alphanumeric characters, hyphens and underscores, up to 255 letters.");
  const Json* existing = m_store.get("clusters", name);
  if (existing && (*existing)["status"] == "ACTIVE")
    return {{"cluster", EcsResources::decorate_cluster(*this, *existing, in)}};
  std::string arn = EcsResources::arn(*this, "cluster/" + name);
  Json c = {{"clusterArn", arn}, {"clusterName", name}, {"status", "ACTIVE"},
            {"settings", in.contains("settings") ? in["settings"] : Json::array({{{"name", "containerInsights"}, {"value", "disabled"}}})},
            {"capacityProviders", in.value("capacityProviders", Json::array())},
            {"defaultCapacityProviderStrategy", in.value("defaultCapacityProviderStrategy", Json::array())},
            {"_", {{"cluster", name}, {"created", now_seconds()}}}};
  if (in.contains("configuration")) c["configuration"] = in["configuration"];
  if (in.contains("serviceConnectDefaults")) c["serviceConnectDefaults"] = in["serviceConnectDefaults"];
  m_store.erase("tags", arn);
  put_tags(m_store, arn, in.value("tags", Json::array()));
  m_store.put("clusters", name, c);
  return {{"cluster", EcsResources::decorate_cluster(*this, c, Json{{"include", {"TAGS"}}})}};
}

Json Ecs::describe_clusters(const Json& in) {
  Json clusters = Json::array(), failures = Json::array();
  Json names = in.contains("clusters") ? in["clusters"] : Json::array({"default"});
  for (const auto& ref : names) {
    std::string name = arn_tail(ref.get<std::string>());
    const Json* c = m_store.get("clusters", name);
    if (c) clusters.push_back(EcsResources::decorate_cluster(*this, *c, in));
    else failures.push_back({{"arn", EcsResources::arn(*this, "cluster/" + name)}, {"reason", "MISSING"}});
  }
  return {{"clusters", clusters}, {"failures", failures}};
}

Json Ecs::list_clusters(const Json& in) {
  std::vector<std::string> arns;
  for (const auto& [name, c] : m_store.table("clusters"))
    if (c["status"] == "ACTIVE") arns.push_back(c["clusterArn"]);
  return paginate(arns, in, "clusterArns");
}

Json Ecs::delete_cluster(const Json& in) {
  std::string name = require_cluster(m_store, in);
  for (const auto& [id, s] : m_store.table("services"))
    if (s["_"]["cluster"] == name && s["status"] != "INACTIVE")
      throw ApiError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.");
  for (const auto& [id, ci] : m_store.table("instances"))
    if (ci["_"]["cluster"] == name)
      throw ApiError("ClusterContainsContainerInstancesException",
                     "The Cluster cannot be deleted while Container Instances are active or draining.");
  for (const auto& [id, t] : m_store.table("tasks"))
    if (t["_"]["cluster"] == name && t["lastStatus"] != "STOPPED")
      throw ApiError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
  Json c = *m_store.get("clusters", name);
  c["status"] = "INACTIVE";
  m_store.put("clusters", name, c);
  return {{"cluster", EcsResources::decorate_cluster(*this, c, in)}};
}

Json Ecs::update_cluster(const Json& in) {
  std::string name = require_cluster(m_store, in);
  Json c = *m_store.get("clusters", name);
  for (const char* k : {"settings", "configuration", "serviceConnectDefaults"})
    if (in.contains(k)) c[k] = in[k];
  m_store.put("clusters", name, c);
  return {{"cluster", EcsResources::decorate_cluster(*this, c, in)}};
}

Json Ecs::update_cluster_settings(const Json& in) { return update_cluster(in); }

Json Ecs::put_cluster_capacity_providers(const Json& in) {
  std::string name = require_cluster(m_store, in);
  Json c = *m_store.get("clusters", name);
  for (const auto& p : in["capacityProviders"])
    if (p != "FARGATE" && p != "FARGATE_SPOT")
      throw ApiError("InvalidParameterException", "The specified capacity provider '" + p.get<std::string>() + "' does not exist.");
  for (const auto& s : in["defaultCapacityProviderStrategy"]) {
    auto& list = in["capacityProviders"];
    if (std::find(list.begin(), list.end(), s.value("capacityProvider", Json())) == list.end())
      throw ApiError("InvalidParameterException",
                     "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster.");
  }
  c["capacityProviders"] = in["capacityProviders"];
  c["defaultCapacityProviderStrategy"] = in["defaultCapacityProviderStrategy"];
  m_store.put("clusters", name, c);
  return {{"cluster", EcsResources::decorate_cluster(*this, c, in)}};
}

Json Ecs::describe_capacity_providers(const Json& in) {
  Json out = Json::array(), failures = Json::array();
  std::vector<std::string> names = {"FARGATE", "FARGATE_SPOT"};
  if (in.contains("capacityProviders")) names = in["capacityProviders"].get<std::vector<std::string>>();
  for (const auto& ref : names) {
    std::string n = arn_tail(ref);
    if (n != "FARGATE" && n != "FARGATE_SPOT") {
      failures.push_back({{"arn", ref}, {"reason", "MISSING"}});
      continue;
    }
    out.push_back({{"capacityProviderArn", EcsResources::arn(*this, "capacity-provider/" + n)}, {"name", n},
                   {"status", "ACTIVE"}, {"tags", Json::array()}});
  }
  return {{"capacityProviders", out}, {"failures", failures}};
}

Json Ecs::register_container_instance(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  Json doc = Json::object();
  if (in.contains("instanceIdentityDocument")) {
    doc = Json::parse(in["instanceIdentityDocument"].get<std::string>(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      throw ApiError("InvalidParameterException", "Invalid instance identity document.");
  }
  std::string ec2_id = doc.value("instanceId", "i-0" + hex_id(m_rng, 16));
  std::string zone = doc.value("availabilityZone", m_region + "a");
  std::string type = doc.value("instanceType", "t3.medium");
  const Json total = in.value("totalResources", Json::array());
  long cpu = resource_value(total, "CPU", 2048), mem = resource_value(total, "MEMORY", 3943);
  std::vector<std::string> reserved = resource_ports(total, "PORTS", {"22", "2375", "2376", "51678", "51679"});
  std::vector<std::string> reserved_udp = resource_ports(total, "PORTS_UDP", {});
  Json attrs = Json::array();
  std::set<std::string> given;
  for (const auto& a : in.value("attributes", Json::array())) {
    given.insert(a.value("name", ""));
    attrs.push_back({{"name", a.value("name", "")}, {"value", a.value("value", "")}});
  }
  auto add = [&](const char* n, const std::string& v) {
    if (!given.count(n)) attrs.push_back({{"name", n}, {"value", v}});
  };
  add("ecs.availability-zone", zone);
  add("ecs.instance-type", type);
  add("ecs.os-type", "linux");
  add("ecs.cpu-architecture", "x86_64");
  add("ecs.ami-id", "ami-0" + hex_id(m_rng, 16));
  for (const char* cap : {"com.amazonaws.ecs.capability.docker-remote-api.1.17", "ecs.capability.task-eni",
                          "com.amazonaws.ecs.capability.docker-remote-api.1.21"})
    attrs.push_back({{"name", cap}});
  std::string id = hex_id(m_rng, 32);
  std::string arn = EcsResources::arn(*this, "container-instance/" + cluster + "/" + id);
  Json registered = {resource("CPU", "INTEGER", cpu), resource("MEMORY", "INTEGER", mem),
                     ports_resource("PORTS", reserved), ports_resource("PORTS_UDP", reserved_udp)};
  Json ci = {{"containerInstanceArn", arn}, {"ec2InstanceId", ec2_id}, {"version", 1},
             {"versionInfo", in.value("versionInfo", Json{{"agentVersion", "1.82.0"}, {"agentHash", "ecsctl"}, {"dockerVersion", "DockerVersion: 20.10.25"}})},
             {"remainingResources", registered}, {"registeredResources", registered}, {"status", "ACTIVE"},
             {"agentConnected", true}, {"runningTasksCount", 0}, {"pendingTasksCount", 0},
             {"attributes", attrs}, {"registeredAt", now_seconds()}, {"attachments", Json::array()},
             {"tags", in.value("tags", Json::array())}, {"_", {{"cluster", cluster}}}};
  put_tags(m_store, arn, in.value("tags", Json::array()));
  m_store.put("instances", arn, ci);
  return {{"containerInstance", public_view(ci)}};
}

Json Ecs::deregister_container_instance(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string ref = in["containerInstance"];
  const Json* ci = nullptr;
  for (const auto& [arn, c] : m_store.table("instances"))
    if (c["_"]["cluster"] == cluster && (arn == ref || arn_tail(arn) == ref || c["ec2InstanceId"] == ref)) ci = &c;
  if (!ci) throw ApiError("InvalidParameterException", "The referenced container instance " + ref + " was not found.");
  Json out = public_view(*ci);
  std::string arn = out["containerInstanceArn"];
  bool force = in.value("force", false);
  for (auto [id, t] : m_store.table("tasks")) {
    if (t.value("containerInstanceArn", "") != arn || t["lastStatus"] == "STOPPED") continue;
    if (!force) throw ApiError("InvalidParameterException", "Found running tasks on the instance.");
  }
  out["status"] = "INACTIVE";
  out["agentConnected"] = false;
  m_store.erase("instances", arn);
  return {{"containerInstance", out}};
}

Json Ecs::list_container_instances(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::optional<CqlExpression> filter;
  if (in.contains("filter")) {
    try {
      filter.emplace(in["filter"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      throw ApiError("InvalidParameterException", std::string("Invalid filter expression: ") + e.what());
    }
  }
  std::string status = string_member(in, "status", "ACTIVE");
  std::vector<std::string> arns;
  const std::vector<Instance>& view = InstancePool::pool_of(*this, cluster);
  for (const auto& inst : view) {
    const Json& ci = *m_store.get("instances", inst.arn);
    if (ci["status"] != status) continue;
    if (filter && !filter->matches([&](std::string_view s) -> std::vector<std::string> {
          if (s.rfind("attribute:", 0) == 0) {
            std::string v = attribute(ci, std::string(s.substr(10)).c_str());
            bool present = false;
            for (const auto& a : ci["attributes"]) present |= a.value("name", "") == s.substr(10);
            return present ? std::vector<std::string>{v} : std::vector<std::string>{};
          }
          if (s == "ec2InstanceId") return {inst.ec2_instance_id};
          if (s == "task:group") {
            std::vector<std::string> g;
            for (const auto& [k, n] : inst.group_tasks) g.push_back(k);
            return g;
          }
          if (s == "runningTasksCount") return {std::to_string(inst.task_count)};
          if (s == "registeredCpu") return {std::to_string(inst.cpu_registered)};
          if (s == "registeredMemory") return {std::to_string(inst.memory_registered)};
          if (s == "agentConnected") return {"true"};
          return {};
        }))
      continue;
    arns.push_back(inst.arn);
  }
  return paginate(arns, in, "containerInstanceArns");
}

Json Ecs::describe_container_instances(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::map<std::string, std::pair<long, long>> counts;  // arn -> running, pending
  for (const auto& [id, t] : m_store.table("tasks")) {
    if (t["_"]["cluster"] != cluster || t["lastStatus"] == "STOPPED" || !t.contains("containerInstanceArn")) continue;
    auto& c = counts[t["containerInstanceArn"]];
    (t["lastStatus"] == "RUNNING" ? c.first : c.second)++;
  }
  Json out = Json::array(), failures = Json::array();
  for (const auto& ref : in["containerInstances"]) {
    std::string r = ref.get<std::string>();
    const Json* found = nullptr;
    for (const auto& [arn, ci] : m_store.table("instances"))
      if (ci["_"]["cluster"] == cluster && (arn == r || arn_tail(arn) == r || ci["ec2InstanceId"] == r)) found = &ci;
    if (!found) {
      failures.push_back({{"arn", r.rfind("arn:", 0) == 0 ? r : EcsResources::arn(*this, "container-instance/" + cluster + "/" + r)},
                          {"reason", "MISSING"}});
      continue;
    }
    Json ci = public_view(*found);
    auto c = counts[ci["containerInstanceArn"]];
    ci["runningTasksCount"] = c.first;
    ci["pendingTasksCount"] = c.second;
    ci["tags"] = includes(in, "TAGS") ? tags_of(m_store, ci["containerInstanceArn"]) : Json::array();
    out.push_back(ci);
  }
  return {{"containerInstances", out}, {"failures", failures}};
}

Instance InstancePool::instance_view(const std::string& arn, const Json& ci) {
  Instance in;
  in.arn = arn;
  in.ec2_instance_id = ci["ec2InstanceId"];
  in.cpu_registered = resource_value(ci["registeredResources"], "CPU", 0);
  in.memory_registered = resource_value(ci["registeredResources"], "MEMORY", 0);
  in.cpu_remaining = ci["_"].value("cpu", in.cpu_registered);
  in.memory_remaining = ci["_"].value("memory", in.memory_registered);
  for (const auto& p : resource_ports(ci["remainingResources"], "PORTS", {})) in.tcp_ports.insert(std::atoi(p.c_str()));
  for (const auto& p : resource_ports(ci["remainingResources"], "PORTS_UDP", {})) in.udp_ports.insert(std::atoi(p.c_str()));
  for (const auto& a : ci["attributes"])
    if (a.contains("value")) in.attributes[a["name"]] = a["value"];
  const Json groups = ci["_"].value("groups", Json::object());
  for (auto it = groups.begin(); it != groups.end(); ++it) in.group_tasks[it.key()] = it.value().get<int>();
  in.task_count = ci["_"].value("tasks", 0);
  return in;
}

std::vector<Instance>& InstancePool::pool_of(Ecs& e, const std::string& cluster) {
  auto by_arn = [](const Instance& a, std::string_view arn) { return a.arn < arn; };
  if (!e.m_pools_valid) {
    e.m_pools.clear();
    for (const auto& [arn, ci] : e.m_store.table("instances"))
      if (ci["status"] == "ACTIVE") e.m_pools[ci["_"]["cluster"].get<std::string>()].push_back(InstancePool::instance_view(arn, ci));
    e.m_pool_stale.clear();
    e.m_pools_valid = true;
  }
  // Rebuild what changed since the last call: drop the old view wherever it is,
  // then insert the new one, if still ACTIVE, in its cluster's pool.
  for (const auto& arn : e.m_pool_stale) {
    for (auto& [name, pool] : e.m_pools) {
      auto it = std::lower_bound(pool.begin(), pool.end(), arn, by_arn);
      if (it != pool.end() && it->arn == arn) pool.erase(it);
    }
    const Json* ci = e.m_store.get("instances", arn);
    if (!ci || (*ci)["status"] != "ACTIVE") continue;
    std::vector<Instance>& pool = e.m_pools[(*ci)["_"]["cluster"].get<std::string>()];
    pool.insert(std::lower_bound(pool.begin(), pool.end(), arn, by_arn), InstancePool::instance_view(arn, *ci));
  }
  e.m_pool_stale.clear();
  return e.m_pools[cluster];
}

void InstancePool::save_instance(Ecs& e, const Instance& in) {
  const Json* stored = e.m_store.get("instances", in.arn);
  if (!stored) return;
  Json ci = *stored;
  std::vector<int> tcp(in.tcp_ports.begin(), in.tcp_ports.end()), udp(in.udp_ports.begin(), in.udp_ports.end());
  std::sort(tcp.begin(), tcp.end());
  std::sort(udp.begin(), udp.end());
  std::vector<std::string> tcp_s, udp_s;
  for (int p : tcp) tcp_s.push_back(std::to_string(p));
  for (int p : udp) udp_s.push_back(std::to_string(p));
  ci["remainingResources"] = {resource("CPU", "INTEGER", in.cpu_remaining), resource("MEMORY", "INTEGER", in.memory_remaining),
                              ports_resource("PORTS", tcp_s), ports_resource("PORTS_UDP", udp_s)};
  ci["_"]["cpu"] = in.cpu_remaining;
  ci["_"]["memory"] = in.memory_remaining;
  Json groups = Json::object();
  for (const auto& [g, n] : in.group_tasks)
    if (n > 0) groups[g] = n;
  ci["_"]["groups"] = groups;
  ci["_"]["tasks"] = in.task_count;
  ci["version"] = ci.value("version", 1) + 1;
  e.m_store.put("instances", in.arn, ci);
}

Json Ecs::tag_resource(const Json& in) {
  std::string arn = in["resourceArn"];
  if (arn.rfind("arn:aws:ecs:", 0) != 0) throw ApiError("InvalidParameterException", "The ARN provided is invalid.");
  put_tags(m_store, arn, in["tags"]);
  return Json::object();
}

Json Ecs::untag_resource(const Json& in) {
  std::string arn = in["resourceArn"];
  Json tags = tags_of(m_store, arn);
  const auto& keys = in["tagKeys"];
  Json kept = Json::array();
  for (const auto& t : tags)
    if (std::find(keys.begin(), keys.end(), t["key"]) == keys.end()) kept.push_back(t);
  if (kept.empty()) m_store.erase("tags", arn);
  else m_store.put("tags", arn, kept);
  return Json::object();
}

Json Ecs::list_tags_for_resource(const Json& in) {
  std::string arn = in["resourceArn"];
  if (arn.rfind("arn:aws:ecs:", 0) != 0) throw ApiError("InvalidParameterException", "The ARN provided is invalid.");
  return {{"tags", tags_of(m_store, arn)}};
}

}  // namespace ecsctl::local
