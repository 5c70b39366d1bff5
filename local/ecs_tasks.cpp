// ECS tasks: RunTask/StartTask placement, awsvpc addresses, StopTask,
// DescribeTasks and ListTasks.
#include <algorithm>
#include <set>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// The deterministic /24 of a subnet id ("10.x.y").
std::string subnet_prefix(const std::string& subnet) {
  uint32_t h = fnv1a(subnet);
  return "10." + std::to_string(h & 255) + "." + std::to_string((h >> 8) & 255);
}

std::string subnet_zone(const std::string& region, const std::string& subnet) {
  return region + static_cast<char>('a' + fnv1a(subnet + "/az") % 3);
}

std::string env_value(const Json& container, const Json& overrides, const char* name) {
  std::string v;
  for (const auto& e : container.value("environment", Json::array()))
    if (e.value("name", "") == name) v = e.value("value", "");
  for (const auto& o : overrides.value("containerOverrides", Json::array()))
    if (o.value("name", "") == container.value("name", ""))
      for (const auto& e : o.value("environment", Json::array()))
        if (e.value("name", "") == name) v = e.value("value", "");
  return v;
}

// How the container behaves: "ecsctl/exit:CODE[:after=SECONDS]", "ecsctl/pull-error",
// or ECSCTL_LOCAL_EXIT_CODE / ECSCTL_LOCAL_RUN_SECONDS in its environment;
// ECSCTL_LOCAL_HEALTH=HEALTHY|UNHEALTHY: its health once RUNNING.
Json exit_plan(const Json& container, const Json& overrides) {
  std::string image = container.value("image", "");
  Json plan = Json::object();
  if (image.rfind("ecsctl/pull-error", 0) == 0) plan["pull_error"] = true;
  if (image.rfind("ecsctl/exit:", 0) == 0) {
    std::string rest = image.substr(12);
    plan["exit_code"] = std::atoi(rest.c_str());
    size_t after = rest.find(":after=");
    plan["after"] = after == std::string::npos ? 0.0 : std::atof(rest.c_str() + after + 7);
  }
  std::string code = env_value(container, overrides, "ECSCTL_LOCAL_EXIT_CODE");
  std::string secs = env_value(container, overrides, "ECSCTL_LOCAL_RUN_SECONDS");
  std::string health = env_value(container, overrides, "ECSCTL_LOCAL_HEALTH");
  if (health == "HEALTHY" || health == "UNHEALTHY") plan["health"] = health;
  if (!code.empty()) plan["exit_code"] = std::atoi(code.c_str());
  if (!secs.empty()) {
    plan["after"] = std::atof(secs.c_str());
    if (!plan.contains("exit_code")) plan["exit_code"] = 0;
  }
  return plan;
}

Json find_override(const Json& overrides, const std::string& name) {
  for (const auto& o : overrides.value("containerOverrides", Json::array()))
    if (o.value("name", "") == name) return o;
  return Json::object();
}

std::string launch_type_of(Ecs&, const Json& in, const Json& cluster, std::string& provider) {
  bool has_lt = in.contains("launchType"), has_cp = in.contains("capacityProviderStrategy") && !in["capacityProviderStrategy"].empty();
  if (has_lt && has_cp)
    throw ApiError("InvalidParameterException",
                   "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  Json strategy = has_cp ? in["capacityProviderStrategy"] : Json();
  if (!has_lt && !has_cp && !cluster.value("defaultCapacityProviderStrategy", Json::array()).empty())
    strategy = cluster["defaultCapacityProviderStrategy"];
  if (strategy.is_array() && !strategy.empty()) {
    for (const auto& s : strategy) {
      std::string p = s.value("capacityProvider", "");
      if (p != "FARGATE" && p != "FARGATE_SPOT")
        throw ApiError("InvalidParameterException", "The specified capacity provider '" + p + "' is not in an ACTIVE state.");
    }
    provider = strategy[0]["capacityProvider"];
    for (const auto& s : strategy)
      if (s.value("base", 0) > 0 || s.value("weight", 0) > 0) { provider = s["capacityProvider"]; break; }
    return "FARGATE";
  }
  return string_member(in, "launchType", "EC2");
}

}  // namespace

TaskNeeds TaskLifecycle::needs_of(const Json& td, const Json& overrides, const std::string& group) {
  TaskNeeds n;
  n.group = group;
  std::string mode = td.value("networkMode", "bridge");
  long sum_cpu = 0, sum_mem = 0;
  for (const auto& c : td["containerDefinitions"]) {
    Json o = find_override(overrides, c["name"]);
    sum_cpu += o.value("cpu", c.value("cpu", 0L));
    long mem = o.contains("memory") ? o["memory"].get<long>() : c.value("memory", 0L);
    if (mem == 0) mem = o.contains("memoryReservation") ? o["memoryReservation"].get<long>() : c.value("memoryReservation", 0L);
    sum_mem += mem;
    if (mode == "awsvpc") continue;
    for (const auto& p : c.value("portMappings", Json::array())) {
      if (!p.contains("containerPort")) continue;
      PortRequest pr;
      pr.container_port = p["containerPort"];
      pr.host_port = mode == "host" ? pr.container_port : p.value("hostPort", 0);
      pr.udp = p.value("protocol", "tcp") == "udp";
      n.ports.push_back(pr);
    }
  }
  n.cpu = overrides.contains("cpu") ? parse_cpu(overrides["cpu"]) : (td.contains("cpu") ? parse_cpu(td["cpu"]) : sum_cpu);
  n.memory = overrides.contains("memory") ? parse_memory(overrides["memory"]) : (td.contains("memory") ? parse_memory(td["memory"]) : sum_mem);
  return n;
}

Json TaskLifecycle::launch(Ecs& e, const std::string& cluster_name, const Json& td, const Json& in, int count,
                          const std::string& started_by, const std::vector<Instance>* only) {
  const Json& cluster = *e.m_store.get("clusters", cluster_name);
  std::string provider;
  std::string launch_type = launch_type_of(e, in, cluster, provider);
  std::string mode = td.value("networkMode", "bridge");
  const Json compat = td.value("compatibilities", Json::array());
  if (launch_type == "FARGATE" && std::find(compat.begin(), compat.end(), "FARGATE") == compat.end())
    throw ApiError("InvalidParameterException", "Task definition does not support launch_type FARGATE.");
  Json subnets = in.value("networkConfiguration", Json::object()).value("awsvpcConfiguration", Json::object()).value("subnets", Json::array());
  if (mode == "awsvpc" && subnets.empty())
    throw ApiError("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  if (mode != "awsvpc" && in.contains("networkConfiguration") && !in["networkConfiguration"].empty())
    throw ApiError("InvalidParameterException",
                   "Network Configuration is not valid for the given networkMode of this task definition.");
  Json overrides = in.value("overrides", Json::object());
  std::string group = string_member(in, "group", "family:" + td["family"].get<std::string>());
  TaskNeeds needs = TaskLifecycle::needs_of(td, overrides, group);
  // Placement works on the cached pool itself: the instances it reserves on are
  // saved at once, which marks them for rebuilding from the store (and a rollback
  // restores them there), so the cache never keeps a reservation the store lacks.
  std::vector<Instance> given;
  std::vector<Instance>* pool_ptr = nullptr;
  std::vector<Placement> placed;
  Json failures = Json::array();
  if (launch_type != "FARGATE") {
    pool_ptr = only ? &(given = *only) : &InstancePool::pool_of(e, cluster_name);
    std::vector<Instance>& pool = *pool_ptr;
    if (pool.empty()) throw ApiError("InvalidParameterException", "No Container Instances were found in your cluster.");
    std::vector<Strategy> strategies;
    std::vector<Constraint> constraints;
    for (const auto& s : in.value("placementStrategy", Json::array())) strategies.push_back({s.value("type", ""), s.value("field", "")});
    for (const auto& c : td.value("placementConstraints", Json::array())) constraints.push_back({c.value("type", ""), c.value("expression", "")});
    for (const auto& c : in.value("placementConstraints", Json::array())) constraints.push_back({c.value("type", ""), c.value("expression", "")});
    if (strategies.empty() && !in.contains("_service")) strategies.push_back({"random", ""});
    if (strategies.empty()) strategies = {{"spread", "attribute:ecs.availability-zone"}, {"spread", "instanceId"}};
    PlacementResult r;
    try {
      r = place(pool, needs, count, strategies, constraints, e.m_rng);
    } catch (const std::invalid_argument& ex) {
      e.m_pools_valid = false;
      throw ApiError("InvalidParameterException", ex.what());
    } catch (...) {
      e.m_pools_valid = false;
      throw;
    }
    placed = r.placed;
    for (const auto& f : r.failures) failures.push_back({{"arn", f.arn}, {"reason", f.reason}});
    std::set<size_t> touched;
    for (const auto& p : placed) touched.insert(p.instance);
    for (size_t i : touched) InstancePool::save_instance(e, pool[i]);
  } else {
    for (int i = 0; i < count; ++i) placed.push_back({0, {}});
  }
  // awsvpc addresses in use, per subnet prefix.
  std::set<std::string> used_ips;
  if (mode == "awsvpc")
    for (const auto& [id, t] : e.m_store.table("tasks"))
      if (t["lastStatus"] != "STOPPED" && t["_"].contains("ip")) used_ips.insert(t["_"]["ip"].get<std::string>());
  Json tasks = Json::array();
  double now = now_seconds();
  Json tags = in.value("tags", Json::array());
  for (size_t n = 0; n < placed.size(); ++n) {
    std::string id = hex_id(e.m_rng, 32);
    std::string task_arn = EcsResources::arn(e, "task/" + cluster_name + "/" + id);
    Json internal = {{"cluster", cluster_name}, {"due", now}, {"awsvpc", mode == "awsvpc"},
                     {"needs", {{"cpu", needs.cpu}, {"memory", needs.memory}}}};
    Json task = {{"attachments", Json::array()}, {"attributes", Json::array({{{"name", "ecs.cpu-architecture"}, {"value", "x86_64"}}})}};
    std::string zone;
    if (launch_type != "FARGATE") {
      const Instance& inst = (*pool_ptr)[placed[n].instance];
      zone = inst.attributes.count("ecs.availability-zone") ? inst.attributes.at("ecs.availability-zone") : e.m_region + "a";
      internal["ports"] = placed[n].host_ports;
    }
    std::string ip, subnet, eni_id;
    if (mode == "awsvpc") {
      subnet = subnets[n % subnets.size()];
      std::string prefix = subnet_prefix(subnet);
      for (int h = 4; h < 255 && ip.empty(); ++h)
        if (!used_ips.count(prefix + "." + std::to_string(h))) ip = prefix + "." + std::to_string(h);
      if (ip.empty()) {
        failures.push_back({{"arn", task_arn}, {"reason", "RESOURCE:ENI"}, {"detail", "No free address in subnet " + subnet}});
        continue;
      }
      used_ips.insert(ip);
      if (launch_type == "FARGATE") zone = subnet_zone(e.m_region, subnet);
      eni_id = "eni-0" + hex_id(e.m_rng, 16);
      std::string dashed = ip;
      std::replace(dashed.begin(), dashed.end(), '.', '-');
      std::string mac = "0e:" + hex_id(e.m_rng, 2) + ":" + hex_id(e.m_rng, 2) + ":" + hex_id(e.m_rng, 2) + ":" + hex_id(e.m_rng, 2) + ":" + hex_id(e.m_rng, 2);
      task["attachments"].push_back({{"id", uuid(e.m_rng)}, {"type", "ElasticNetworkInterface"}, {"status", "PRECREATED"},
                                     {"details", {{{"name", "subnetId"}, {"value", subnet}},
                                                  {{"name", "networkInterfaceId"}, {"value", eni_id}},
                                                  {{"name", "macAddress"}, {"value", mac}},
                                                  {{"name", "privateDnsName"}, {"value", "ip-" + dashed + "." + e.m_region + ".compute.internal"}},
                                                  {{"name", "privateIPv4Address"}, {"value", ip}}}}});
      internal["ip"] = ip;
      internal["subnet"] = subnet;
    }
    task["availabilityZone"] = zone;
    if (!provider.empty()) task["capacityProviderName"] = provider;
    task["clusterArn"] = cluster["clusterArn"];
    if (launch_type != "FARGATE") task["containerInstanceArn"] = (*pool_ptr)[placed[n].instance].arn;
    Json containers = Json::array();
    size_t port_index = 0;
    Json plan_task = Json::object();
    for (const auto& c : td["containerDefinitions"]) {
      Json o = find_override(overrides, c["name"]);
      Json ct = {{"containerArn", EcsResources::arn(e, "container/" + cluster_name + "/" + id + "/" + uuid(e.m_rng))},
                 {"taskArn", task_arn}, {"name", c["name"]}, {"image", c["image"]}, {"lastStatus", "PENDING"},
                 {"networkBindings", Json::array()}, {"networkInterfaces", Json::array()},
                 {"healthStatus", "UNKNOWN"}, {"cpu", std::to_string(o.value("cpu", c.value("cpu", 0L)))}};
      if (c.contains("memory")) ct["memory"] = std::to_string(c["memory"].get<long>());
      if (c.contains("memoryReservation")) ct["memoryReservation"] = std::to_string(c["memoryReservation"].get<long>());
      if (mode == "awsvpc") ct["networkInterfaces"].push_back({{"attachmentId", task["attachments"][0]["id"]}, {"privateIpv4Address", ip}});
      if (mode != "awsvpc") {
        for (const auto& p : c.value("portMappings", Json::array())) {
          if (!p.contains("containerPort") || launch_type == "FARGATE") continue;
          int host = port_index < placed[n].host_ports.size() ? placed[n].host_ports[port_index] : 0;
          ++port_index;
          ct["networkBindings"].push_back({{"bindIP", "0.0.0.0"}, {"containerPort", p["containerPort"]}, {"hostPort", host},
                                           {"protocol", p.value("protocol", "tcp")}});
        }
      }
      Json plan = exit_plan(c, overrides);
      if (plan.contains("health")) plan_task["health"][c["name"].get<std::string>()] = plan["health"];
      if (!plan.empty() && c.value("essential", true)) {
        if (plan.contains("pull_error")) plan_task["pull_error"] = c["image"];
        if (plan.contains("exit_code") && (!plan_task.contains("after") || plan["after"].get<double>() < plan_task["after"].get<double>())) {
          plan_task["exit_code"] = plan["exit_code"];
          plan_task["after"] = plan["after"];
          plan_task["container"] = c["name"];
        }
      }
      containers.push_back(ct);
    }
    internal["plan"] = plan_task;
    task["containers"] = containers;
    task["cpu"] = std::to_string(needs.cpu);
    task["createdAt"] = now;
    task["desiredStatus"] = "RUNNING";
    task["enableExecuteCommand"] = in.value("enableExecuteCommand", false);
    task["group"] = group;
    task["lastStatus"] = "PROVISIONING";
    task["launchType"] = launch_type;
    task["memory"] = std::to_string(needs.memory);
    Json ov = {{"containerOverrides", Json::array()}, {"inferenceAcceleratorOverrides", Json::array()}};
    for (const auto& c : td["containerDefinitions"]) {
      Json o = find_override(overrides, c["name"]);
      o["name"] = c["name"];
      ov["containerOverrides"].push_back(o);
    }
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
      if (it.key() != "containerOverrides") ov[it.key()] = it.value();
    task["overrides"] = ov;
    if (launch_type == "FARGATE") {
      task["platformVersion"] = string_member(in, "platformVersion", "1.4.0") == "LATEST" ? "1.4.0" : string_member(in, "platformVersion", "1.4.0");
      task["platformFamily"] = "Linux";
      task["ephemeralStorage"] = {{"sizeInGiB", 20}};
    }
    if (!started_by.empty()) task["startedBy"] = started_by;
    task["tags"] = tags;
    task["taskArn"] = task_arn;
    task["taskDefinitionArn"] = td["taskDefinitionArn"];
    task["version"] = 1;
    if (in.contains("_service")) {
      internal["service"] = in["_service"];
      internal["deployment"] = started_by;
    }
    task["_"] = internal;
    put_tags(e.m_store, task_arn, tags);
    e.m_store.put("tasks", task_arn, task);
    e.m_busy.insert(task_arn);
    tasks.push_back(public_view(task));
  }
  return {{"tasks", tasks}, {"failures", failures}};
}

Json Ecs::run_task(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  long count = in.value("count", 1L);
  if (count < 1 || count > 10) throw ApiError("InvalidParameterException", "Task count must be between 1 and 10.");
  Json td = EcsResources::resolve_task_definition(*this, in["taskDefinition"], "InvalidParameterException",
                                                  "TaskDefinition not found.");
  if (td["status"] != "ACTIVE") throw ApiError("ClientException", "TaskDefinition is inactive");
  Json input = in;
  input.erase("_service");
  return TaskLifecycle::launch(*this, cluster, td, input, static_cast<int>(count), string_member(in, "startedBy"), nullptr);
}

Json Ecs::start_task(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  Json td = EcsResources::resolve_task_definition(*this, in["taskDefinition"], "InvalidParameterException",
                                                  "TaskDefinition not found.");
  const Json& refs = in["containerInstances"];
  if (refs.empty() || refs.size() > 10)
    throw ApiError("InvalidParameterException", "Container instances must contain between 1 and 10 items.");
  std::vector<Instance> all = InstancePool::instances_of(*this, cluster);
  Json out = {{"tasks", Json::array()}, {"failures", Json::array()}};
  Json input = in;
  input.erase("_service");
  input.erase("launchType");
  for (const auto& r : refs) {
    std::string ref = r;
    auto it = std::find_if(all.begin(), all.end(), [&](const Instance& i) { return i.arn == ref || arn_tail(i.arn) == ref; });
    if (it == all.end()) {
      out["failures"].push_back({{"arn", ref}, {"reason", "MISSING"}});
      continue;
    }
    std::vector<Instance> one = {*it};
    Json r1 = TaskLifecycle::launch(*this, cluster, td, input, 1, string_member(in, "startedBy"), &one);
    for (auto& t : r1["tasks"]) out["tasks"].push_back(t);
    for (auto& f : r1["failures"]) out["failures"].push_back(f);
    all = InstancePool::instances_of(*this, cluster);
  }
  return out;
}

namespace {

const Json* find_task(Store& store, const std::string& cluster, const std::string& ref, std::string& arn_out, const std::string& cluster_arn) {
  std::string arn = ref;
  if (ref.rfind("arn:", 0) != 0) {
    arn = cluster_arn;
    arn.replace(arn.find(":cluster/"), std::string::npos, ":task/" + cluster + "/" + ref);
  }
  arn_out = arn;
  const Json* t = store.get("tasks", arn);
  if (t && (*t)["_"]["cluster"] != cluster) return nullptr;
  return t;
}

}  // namespace

Json Ecs::stop_task(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string arn;
  const Json* t = find_task(m_store, cluster, in["task"], arn, (*m_store.get("clusters", cluster))["clusterArn"]);
  if (!t) throw ApiError("InvalidParameterException", "The referenced task was not found.");
  Json task = *t;
  if (task["desiredStatus"] != "STOPPED") {
    TaskLifecycle::request_stop(*this, task, string_member(in, "reason", "Task stopped by user"), "UserInitiated");
    m_store.put("tasks", arn, task);
  }
  return {{"task", public_view(task)}};
}

Json Ecs::describe_tasks(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string cluster_arn = (*m_store.get("clusters", cluster))["clusterArn"];
  auto inc = in.value("include", Json::array());
  bool tags = std::find(inc.begin(), inc.end(), "TAGS") != inc.end();
  Json tasks = Json::array(), failures = Json::array();
  if (in["tasks"].size() > 100) throw ApiError("InvalidParameterException", "Tasks cannot be longer than 100.");
  for (const auto& r : in["tasks"]) {
    std::string arn;
    const Json* t = find_task(m_store, cluster, r, arn, cluster_arn);
    if (!t) {
      failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
      continue;
    }
    Json v = public_view(*t);
    v["tags"] = tags ? tags_of(m_store, arn) : Json::array();
    tasks.push_back(v);
  }
  return {{"tasks", tasks}, {"failures", failures}};
}

Json Ecs::list_tasks(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string desired = string_member(in, "desiredStatus", "RUNNING");
  std::string family = string_member(in, "family"), started_by = string_member(in, "startedBy");
  std::string service = arn_tail(string_member(in, "serviceName")), instance = string_member(in, "containerInstance");
  std::string launch_type = string_member(in, "launchType");
  if (!service.empty()) {
    const Json* s = m_store.get("services", cluster + "/" + service);
    if (!s) throw ApiError("ServiceNotFoundException", "Service not found.");
  }
  std::vector<std::string> arns;
  for (const auto& [arn, t] : m_store.table("tasks")) {
    if (t["_"]["cluster"] != cluster || t["desiredStatus"] != desired) continue;
    if (!family.empty() && t["group"] != "family:" + family && t["taskDefinitionArn"].get<std::string>().find("/" + family + ":") == std::string::npos) continue;
    if (!started_by.empty() && t.value("startedBy", "") != started_by) continue;
    if (!service.empty() && t["_"].value("service", "") != cluster + "/" + service) continue;
    if (!instance.empty() && t.value("containerInstanceArn", "") != instance && arn_tail(t.value("containerInstanceArn", "")) != instance) continue;
    if (!launch_type.empty() && t["launchType"] != launch_type) continue;
    arns.push_back(arn);
  }
  return paginate(arns, in, "taskArns");
}

size_t Ecs::forget_stopped_tasks(double now) {
  std::vector<std::string> gone;
  for (const auto& [arn, t] : m_store.table("tasks")) {
    if (t["lastStatus"] != "STOPPED") continue;
    auto at = t.find("stoppedAt");
    if (at != t.end() && at->is_number() && at->get<double>() + m_stopped_task_ttl <= now) gone.push_back(arn);
  }
  for (const auto& arn : gone) {
    m_store.erase("tasks", arn);
    if (m_store.get("tags", arn)) m_store.erase("tags", arn);
    m_busy.erase(arn);
  }
  return gone.size();
}

}  // namespace ecsctl::local
