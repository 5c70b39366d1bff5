// ECS services: create/update/delete/describe/list, deployments and the
// service scheduler (desired count, rolling updates, circuit breaker).
#include <algorithm>
#include <cmath>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

std::string deployment_id(std::mt19937_64& rng) {
  std::string digits = std::to_string(rng() % 9000000000000000000ULL + 1000000000000000000ULL);
  return "ecs-svc/" + digits.substr(0, 19);
}

Json make_deployment(Ecs&, std::mt19937_64& rng, const Json& svc, const std::string& td_arn) {
  std::string id = deployment_id(rng);
  double now = now_seconds();
  Json d = {{"id", id}, {"status", "PRIMARY"}, {"taskDefinition", td_arn}, {"desiredCount", svc["desiredCount"]},
            {"pendingCount", 0}, {"runningCount", 0}, {"failedTasks", 0}, {"createdAt", now}, {"updatedAt", now}};
  if (svc.contains("capacityProviderStrategy") && !svc["capacityProviderStrategy"].empty())
    d["capacityProviderStrategy"] = svc["capacityProviderStrategy"];
  else d["launchType"] = svc["launchType"];
  if (svc.contains("platformVersion")) d["platformVersion"] = svc["platformVersion"];
  if (svc.contains("networkConfiguration")) d["networkConfiguration"] = svc["networkConfiguration"];
  d["rolloutState"] = "IN_PROGRESS";
  d["rolloutStateReason"] = "ECS deployment " + id + " in progress.";
  return d;
}

// The stored service named by `ref` (name or ARN) in `cluster`, or nullptr.
const Json* find_service(Store& store, const std::string& cluster, const std::string& ref) {
  return store.get("services", cluster + "/" + arn_tail(ref));
}

Json require_active_service(Store& store, const std::string& cluster, const Json& in) {
  const Json* s = find_service(store, cluster, in.value("service", ""));
  if (!s) throw ApiError("ServiceNotFoundException", "Service not found.");
  if ((*s)["status"] != "ACTIVE") throw ApiError("ServiceNotActiveException", "Service was not ACTIVE.");
  return *s;
}

void check_launchable(Ecs& e, const std::string& cluster, const Json& td, const Json& svc) {
  std::string mode = td.value("networkMode", "bridge");
  auto subnets = svc.value("networkConfiguration", Json::object()).value("awsvpcConfiguration", Json::object()).value("subnets", Json::array());
  if (mode == "awsvpc" && subnets.empty())
    throw ApiError("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  bool fargate = svc.value("launchType", "") == "FARGATE" || !svc.value("capacityProviderStrategy", Json::array()).empty();
  auto compat = td.value("compatibilities", Json::array());
  if (fargate && std::find(compat.begin(), compat.end(), "FARGATE") == compat.end())
    throw ApiError("InvalidParameterException", "Task definition does not support launch_type FARGATE.");
  const Json dc = svc.value("deploymentConfiguration", Json::object());
  long bake = dc.value("bakeTimeInMinutes", 0L);
  if (bake < 0 || bake > 1440)
    throw ApiError("InvalidParameterException", "bakeTimeInMinutes must be between 0 and 1440.");
  if (dc.value("strategy", "ROLLING") == "BLUE_GREEN")
    for (const auto& lb : svc.value("loadBalancers", Json::array())) {
      const Json adv = lb.value("advancedConfiguration", Json::object());
      if (!adv.empty() && (adv.value("alternateTargetGroupArn", "").empty() || adv.value("productionListenerRule", "").empty()))
        throw ApiError("InvalidParameterException",
                       "advancedConfiguration needs alternateTargetGroupArn and productionListenerRule for a blue/green deployment.");
    }
  (void)e;
  (void)cluster;
}

}  // namespace

void ServiceReconciler::service_event(Json& svc, const std::string& message, std::mt19937_64& rng) {
  Json& ev = svc["events"];
  if (!ev.empty() && ev[0]["message"] == message) return;
  ev.insert(ev.begin(), Json{{"id", uuid(rng)}, {"createdAt", now_seconds()}, {"message", message}});
  if (ev.size() > 100) ev.erase(ev.end() - 1);
}

Json Ecs::create_service(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string name = in["serviceName"];
  if (name.empty() || name.size() > 255 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos)
    throw ApiError("InvalidParameterException", "Service name can only contain alphanumeric characters, hyphens and underscores, up to 255 letters.");
  const Json* existing = m_store.get("services", cluster + "/" + name);
  if (existing && (*existing)["status"] != "INACTIVE")
    throw ApiError("InvalidParameterException", "Creation of service was not idempotent.");
  if (!in.contains("taskDefinition")) throw ApiError("InvalidParameterException", "TaskDefinition cannot be empty.");
  Json td = EcsResources::resolve_task_definition(*this, in["taskDefinition"], "InvalidParameterException",
                                                  "TaskDefinition not found.");
  for (const auto& check : m_hooks.on_create_service) check(in, td);
  if (in.contains("launchType") && in.contains("capacityProviderStrategy") && !in["capacityProviderStrategy"].empty())
    throw ApiError("InvalidParameterException",
                   "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
  long desired = in.value("desiredCount", 0L);
  if (desired < 0) throw ApiError("InvalidParameterException", "Desired count must be at least 0.");
  const Json& c = *m_store.get("clusters", cluster);
  Json dc = {{"deploymentCircuitBreaker", {{"enable", false}, {"rollback", false}}}, {"maximumPercent", 200}, {"minimumHealthyPercent", 100}};
  const Json given_dc = in.value("deploymentConfiguration", Json::object());
  for (auto it = given_dc.begin(); it != given_dc.end(); ++it) dc[it.key()] = it.value();
  std::string arn = EcsResources::arn(*this, "service/" + cluster + "/" + name);
  Json svc = {{"serviceArn", arn}, {"serviceName", name}, {"clusterArn", c["clusterArn"]},
              {"loadBalancers", in.value("loadBalancers", Json::array())}, {"serviceRegistries", in.value("serviceRegistries", Json::array())},
              {"status", "ACTIVE"}, {"desiredCount", desired}, {"runningCount", 0}, {"pendingCount", 0}};
  if (in.contains("capacityProviderStrategy") && !in["capacityProviderStrategy"].empty())
    svc["capacityProviderStrategy"] = in["capacityProviderStrategy"];
  else if (!in.contains("launchType") && !c.value("defaultCapacityProviderStrategy", Json::array()).empty())
    svc["capacityProviderStrategy"] = c["defaultCapacityProviderStrategy"];
  else svc["launchType"] = string_member(in, "launchType", "EC2");
  if (svc.value("launchType", "") == "FARGATE" || svc.contains("capacityProviderStrategy")) {
    svc["platformVersion"] = string_member(in, "platformVersion", "LATEST");
    svc["platformFamily"] = "Linux";
  }
  svc["taskDefinition"] = td["taskDefinitionArn"];
  svc["deploymentConfiguration"] = dc;
  if (in.contains("networkConfiguration")) svc["networkConfiguration"] = in["networkConfiguration"];
  check_launchable(*this, cluster, td, svc);
  svc["deployments"] = Json::array({make_deployment(*this, m_rng, svc, td["taskDefinitionArn"])});
  svc["roleArn"] = "arn:aws:iam::" + m_account + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";
  svc["events"] = Json::array();
  svc["createdAt"] = now_seconds();
  svc["placementConstraints"] = in.value("placementConstraints", Json::array());
  svc["placementStrategy"] = in.value("placementStrategy", Json::array());
  if (in.contains("healthCheckGracePeriodSeconds")) svc["healthCheckGracePeriodSeconds"] = in["healthCheckGracePeriodSeconds"];
  svc["schedulingStrategy"] = string_member(in, "schedulingStrategy", "REPLICA");
  svc["deploymentController"] = in.value("deploymentController", Json{{"type", "ECS"}});
  svc["createdBy"] = "arn:aws:iam::" + m_account + ":root";
  svc["enableECSManagedTags"] = in.value("enableECSManagedTags", false);
  svc["propagateTags"] = string_member(in, "propagateTags", "NONE");
  svc["enableExecuteCommand"] = in.value("enableExecuteCommand", false);
  svc["_"] = {{"cluster", cluster}, {"key", cluster + "/" + name}, {"steady", false}};
  BlueGreen::begin(*this, svc);
  ServiceHistory::sync(*this, svc);
  m_store.erase("tags", arn);
  put_tags(m_store, arn, in.value("tags", Json::array()));
  m_store.put("services", cluster + "/" + name, svc);
  m_services_dirty = true;
  return {{"service", public_view(svc)}};
}

Json Ecs::update_service(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  Json svc = require_active_service(m_store, cluster, in);
  bool redeploy = in.value("forceNewDeployment", false);
  if (in.contains("desiredCount")) {
    if (in["desiredCount"].get<long>() < 0) throw ApiError("InvalidParameterException", "Desired count must be at least 0.");
    svc["desiredCount"] = in["desiredCount"];
  }
  if (in.contains("taskDefinition")) {
    Json td = EcsResources::resolve_task_definition(*this, in["taskDefinition"], "InvalidParameterException", "TaskDefinition not found.");
    if (td["taskDefinitionArn"] != svc["taskDefinition"]) redeploy = true;
    svc["taskDefinition"] = td["taskDefinitionArn"];
  }
  for (const char* k : {"networkConfiguration", "platformVersion", "capacityProviderStrategy", "placementStrategy",
                        "placementConstraints", "loadBalancers", "serviceRegistries"}) {
    if (!in.contains(k)) continue;
    if (svc.value(k, Json()) != in[k] && std::string(k) != "placementStrategy" && std::string(k) != "placementConstraints") redeploy = true;
    svc[k] = in[k];
  }
  if (in.contains("capacityProviderStrategy") && !in["capacityProviderStrategy"].empty()) svc.erase("launchType");
  for (const char* k : {"healthCheckGracePeriodSeconds", "enableExecuteCommand", "enableECSManagedTags", "propagateTags"})
    if (in.contains(k)) svc[k] = in[k];
  if (in.contains("deploymentConfiguration"))
    for (auto it = in["deploymentConfiguration"].begin(); it != in["deploymentConfiguration"].end(); ++it)
      svc["deploymentConfiguration"][it.key()] = it.value();
  Json td = EcsResources::resolve_task_definition(*this, svc["taskDefinition"], "InvalidParameterException", "TaskDefinition not found.");
  check_launchable(*this, cluster, td, svc);
  if (redeploy) {
    for (auto& d : svc["deployments"]) d["status"] = "ACTIVE";
    svc["deployments"].insert(svc["deployments"].begin(), make_deployment(*this, m_rng, svc, svc["taskDefinition"]));
    BlueGreen::begin(*this, svc);
  } else {
    svc["deployments"][0]["desiredCount"] = svc["desiredCount"];
    svc["deployments"][0]["updatedAt"] = now_seconds();
  }
  svc["_"]["steady"] = false;
  ServiceHistory::sync(*this, svc);
  m_store.put("services", svc["_"]["key"].get<std::string>(), svc);
  m_services_dirty = true;
  return {{"service", public_view(svc)}};
}

Json Ecs::delete_service(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  const Json* s = find_service(m_store, cluster, in.value("service", ""));
  if (!s || (*s)["status"] == "INACTIVE") throw ApiError("ServiceNotFoundException", "Service not found.");
  Json svc = *s;
  if (svc["status"] == "DRAINING") return {{"service", public_view(svc)}};
  if (svc["desiredCount"].get<long>() > 0 && !in.value("force", false))
    throw ApiError("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.");
  svc["status"] = "DRAINING";
  svc["desiredCount"] = 0;
  m_store.put("services", svc["_"]["key"].get<std::string>(), svc);
  m_services_dirty = true;
  return {{"service", public_view(svc)}};
}

Json Ecs::describe_services(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  if (in["services"].size() > 10) throw ApiError("InvalidParameterException", "services can have at most 10 items.");
  auto inc = in.value("include", Json::array());
  bool tags = std::find(inc.begin(), inc.end(), "TAGS") != inc.end();
  Json out = Json::array(), failures = Json::array();
  for (const auto& r : in["services"]) {
    const Json* s = find_service(m_store, cluster, r);
    if (!s) {
      failures.push_back({{"arn", EcsResources::arn(*this, "service/" + cluster + "/" + arn_tail(r.get<std::string>()))}, {"reason", "MISSING"}});
      continue;
    }
    Json v = public_view(*s);
    if (tags) v["tags"] = tags_of(m_store, v["serviceArn"]);
    out.push_back(std::move(v));
  }
  return {{"services", out}, {"failures", failures}};
}

Json Ecs::list_services(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string lt = string_member(in, "launchType"), ss = string_member(in, "schedulingStrategy");
  std::vector<std::string> arns;
  for (auto it = m_store.table("services").lower_bound(cluster + "/"); it != m_store.table("services").end(); ++it) {
    if (it->first.rfind(cluster + "/", 0) != 0) break;
    const Json& s = it->second;
    if (s["status"] == "INACTIVE") continue;
    if (!lt.empty() && s.value("launchType", "") != lt) continue;
    if (!ss.empty() && s["schedulingStrategy"] != ss) continue;
    arns.push_back(s["serviceArn"]);
  }
  return paginate(arns, in, "serviceArns", 10);
}

}  // namespace ecsctl::local
