// The service deployment history: ListServiceDeployments,
// DescribeServiceDeployments, DescribeServiceRevisions and
// StopServiceDeployment. Every deployment of a service (rolling or
// blue/green, from CreateService, UpdateService or a rollback) gets a
// ServiceDeployment and a ServiceRevision, stored in their model shapes.
#include <algorithm>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_deployments = "service_deployments";
constexpr const char* k_revisions = "service_revisions";
const char* const k_cb_rollback = "ECS deployment circuit breaker: rolling back";

std::string random_id(std::mt19937_64& rng, size_t n) {
  static const char* k_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < n) out += k_chars[rng() % 62];
  return out;
}

// cluster/service of a stored service.
std::string service_path(const Json& svc) {
  return svc["_"]["cluster"].get<std::string>() + "/" + svc["serviceName"].get<std::string>();
}

Json revision_summary(const std::string& arn, const Json& d) {
  return {{"arn", arn}, {"requestedTaskCount", d.value("desiredCount", 0L)},
          {"runningTaskCount", d.value("runningCount", 0L)}, {"pendingTaskCount", d.value("pendingCount", 0L)}};
}

Json make_revision(Ecs& e, Store& store, const Json& svc, const Json& d, const std::string& arn) {
  Json rev = {{"serviceRevisionArn", arn}, {"serviceArn", svc["serviceArn"]}, {"clusterArn", svc["clusterArn"]},
              {"taskDefinition", d["taskDefinition"]}, {"createdAt", d.value("createdAt", now_seconds())},
              {"guardDutyEnabled", false}};
  for (const char* k : {"launchType", "capacityProviderStrategy", "platformVersion", "platformFamily", "networkConfiguration"})
    if (d.contains(k)) rev[k] = d[k];
  rev["loadBalancers"] = svc.value("loadBalancers", Json::array());
  rev["serviceRegistries"] = svc.value("serviceRegistries", Json::array());
  Json resolved = Json::array();
  for (const auto& lb : rev["loadBalancers"]) {
    if (!lb.contains("advancedConfiguration")) continue;
    Json r = {{"targetGroupArn", BlueGreen::target_group_of(svc, lb, d["id"])}};
    if (lb["advancedConfiguration"].contains("productionListenerRule"))
      r["productionListenerRule"] = lb["advancedConfiguration"]["productionListenerRule"];
    resolved.push_back(r);
  }
  if (!resolved.empty()) rev["resolvedConfiguration"] = {{"loadBalancers", resolved}};
  Json images = Json::array();
  if (const Json* td = store.get("taskdefs", arn_tail(d["taskDefinition"].get<std::string>())))
    for (const auto& c : td->value("containerDefinitions", Json::array()))
      images.push_back({{"containerName", c.value("name", "")}, {"image", c.value("image", "")}});
  rev["containerImages"] = images;
  (void)e;
  return rev;
}

bool in_progress(const std::string& status) {
  return status == "PENDING" || status == "IN_PROGRESS" || status == "STOP_REQUESTED" ||
         status == "ROLLBACK_REQUESTED" || status == "ROLLBACK_IN_PROGRESS";
}

Json brief(const Json& sd) {
  Json b = Json::object();
  for (const char* k : {"serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt",
                        "status", "statusReason"})
    if (sd.contains(k)) b[k] = sd[k];
  if (sd.contains("targetServiceRevision")) b["targetServiceRevisionArn"] = sd["targetServiceRevision"]["arn"];
  return b;
}

}  // namespace

std::string ServiceHistory::deployment_arn(const Json& svc, const std::string& id) {
  const Json h = svc["_"].value("history", Json::object());
  return h.contains(id) ? h[id].value("sd", "") : "";
}

bool ServiceHistory::sync(Ecs& e, Json& svc) {
  bool changed = false;
  // svc["_"] is an ordered map (a vector): keys are added and erased only
  // before the references into it are taken, or after they are last used.
  std::string rolled_back_by_stop = svc["_"].value("rollback_of", "");
  svc["_"].erase("rollback_of");
  bool drop_bg = false;
  Json& x = svc["_"];
  if (!x.contains("history") || !x["history"].is_object()) x["history"] = Json::object();
  Json& hist = x["history"];
  Json& deps = svc["deployments"];
  const double now = now_seconds();
  const std::string path = service_path(svc);
  // New deployments get their revision and (unless they roll another back) their record.
  for (size_t i = 0; i < deps.size(); ++i) {
    const Json& d = deps[i];
    std::string id = d["id"];
    if (hist.contains(id)) continue;
    std::string digits = id.substr(id.find('/') + 1);
    std::string rev_arn = EcsResources::arn(e, "service-revision/" + path + "/" + digits);
    e.m_store.put(k_revisions, rev_arn, make_revision(e, e.m_store, svc, d, rev_arn));
    changed = true;
    std::string rolled_back = rolled_back_by_stop;
    rolled_back_by_stop.clear();
    if (rolled_back.empty() && d.value("rolloutStateReason", "").rfind(k_cb_rollback, 0) == 0)
      for (size_t j = i + 1; j < deps.size(); ++j)
        if (deps[j].value("rolloutState", "") == "FAILED") {
          rolled_back = deployment_arn(svc, deps[j]["id"]);
          break;
        }
    if (!rolled_back.empty()) {
      if (const Json* stored = e.m_store.get(k_deployments, rolled_back)) {
        Json sd = *stored;
        sd["status"] = "ROLLBACK_IN_PROGRESS";
        sd["updatedAt"] = now;
        if (!sd.contains("rollback"))
          sd["rollback"] = {{"reason", d.value("rolloutStateReason", std::string("rolled back"))}, {"startedAt", now},
                            {"serviceRevisionArn", rev_arn}};
        e.m_store.put(k_deployments, rolled_back, sd);
      }
      hist[id] = {{"sd", rolled_back}, {"rev", rev_arn}, {"role", "rollback"}};
      continue;
    }
    std::string sd_arn = EcsResources::arn(e, "service-deployment/" + path + "/" + random_id(e.m_rng, 21));
    Json sources = Json::array();
    for (size_t j = 0; j < deps.size(); ++j)
      if (j != i && hist.contains(deps[j]["id"].get<std::string>()))
        sources.push_back(revision_summary(hist[deps[j]["id"].get<std::string>()]["rev"], deps[j]));
    const Json dc = svc.value("deploymentConfiguration", Json::object());
    const Json cb = dc.value("deploymentCircuitBreaker", Json::object());
    long desired = svc.value("desiredCount", 0L);
    Json sd = {{"serviceDeploymentArn", sd_arn}, {"serviceArn", svc["serviceArn"]}, {"clusterArn", svc["clusterArn"]},
               {"createdAt", now}, {"startedAt", now}, {"updatedAt", now}, {"sourceServiceRevisions", sources},
               {"targetServiceRevision", revision_summary(rev_arn, d)}, {"status", "IN_PROGRESS"},
               {"deploymentConfiguration", dc},
               {"deploymentCircuitBreaker", {{"status", cb.value("enable", false) ? "MONITORING" : "DISABLED"},
                                             {"failureCount", 0},
                                             {"threshold", std::min(200L, std::max(3L, (desired + 1) / 2))}}},
               {"alarms", {{"status", "DISABLED"}}}};
    sd["_"] = {{"service", x["key"]}, {"deployment", id}};
    e.m_store.put(k_deployments, sd_arn, sd);
    hist[id] = {{"sd", sd_arn}, {"rev", rev_arn}, {"role", "deploy"}};
  }
  // Status, counts and stage of the recorded ones.
  std::vector<std::string> gone;
  for (auto it = hist.begin(); it != hist.end(); ++it) {
    const std::string id = it.key();
    const Json h = it.value();
    const Json* stored = e.m_store.get(k_deployments, h.value("sd", ""));
    if (!stored) {
      gone.push_back(id);
      continue;
    }
    Json sd = *stored;
    const Json* d = nullptr;
    bool primary = false;
    for (size_t i = 0; i < deps.size(); ++i)
      if (deps[i]["id"] == id) d = &deps[i], primary = i == 0;
    std::string status = sd["status"];
    long tasks = d ? d->value("runningCount", 0L) + d->value("pendingCount", 0L) : 0;
    if (h["role"] == "deploy") {
      if (d) {
        sd["targetServiceRevision"] = revision_summary(h["rev"], *d);
        sd["deploymentCircuitBreaker"]["failureCount"] = d->value("failedTasks", 0L);
        for (auto& s : sd["sourceServiceRevisions"])
          for (const auto& other : deps)
            if (hist.contains(other["id"].get<std::string>()) && hist[other["id"].get<std::string>()]["rev"] == s["arn"])
              s = revision_summary(s["arn"], other);
      }
      std::string stage = BlueGreen::stage(svc);
      if (!stage.empty() && svc["_"]["bg"].value("deployment", "") == id) {
        sd["lifecycleStage"] = stage;
        if (svc["_"]["bg"].contains("hooks")) sd["lifecycleHookDetails"] = svc["_"]["bg"]["hooks"];
      }
      if (status == "IN_PROGRESS" && d && primary && d->value("rolloutState", "") == "COMPLETED") {
        sd["status"] = "SUCCESSFUL";
        sd["statusReason"] = "Service deployment completed successfully.";
        sd["finishedAt"] = now;
      } else if (status == "IN_PROGRESS" && d && primary && d->value("rolloutState", "") == "FAILED" &&
                 !svc.value("deploymentConfiguration", Json::object()).value("deploymentCircuitBreaker", Json::object()).value("rollback", false)) {
        sd["status"] = "STOPPED";
        sd["statusReason"] = d->value("rolloutStateReason", std::string("The deployment failed."));
        sd["finishedAt"] = now;
        sd["deploymentCircuitBreaker"]["status"] = "TRIGGERED";
      } else if (status == "IN_PROGRESS" && (!d || !primary)) {
        sd["status"] = "STOPPED";
        sd["statusReason"] = "A newer service deployment started.";
        sd["stoppedAt"] = now;
        sd["finishedAt"] = now;
      } else if (status == "ROLLBACK_IN_PROGRESS" && tasks == 0 && svc["_"].value("bg", Json::object()).value("deployment", "") == id) {
        // A blue/green rollback: the green tasks are gone.
        sd["status"] = "ROLLBACK_SUCCESSFUL";
        sd["finishedAt"] = now;
        drop_bg = true;
      }
    } else if (h["role"] == "rollback" && status == "ROLLBACK_IN_PROGRESS" && d) {
      if (d->value("rolloutState", "") == "COMPLETED") {
        sd["status"] = "ROLLBACK_SUCCESSFUL";
        sd["finishedAt"] = now;
      } else if (d->value("rolloutState", "") == "FAILED" || !primary) {
        sd["status"] = "ROLLBACK_FAILED";
        sd["statusReason"] = d->value("rolloutStateReason", std::string("The rollback failed."));
        sd["finishedAt"] = now;
      }
    }
    if (sd != *stored) {
      sd["updatedAt"] = now;
      e.m_store.put(k_deployments, h["sd"].get<std::string>(), sd);
    }
    if (!d && !in_progress(sd["status"])) gone.push_back(id);
  }
  for (const auto& id : gone) hist.erase(id);
  if (drop_bg) svc["_"].erase("bg");
  return changed || drop_bg || !gone.empty();
}

Json Ecs::list_service_deployments(const Json& in) {
  std::string cluster = require_cluster(m_store, in);
  std::string name = arn_tail(in.value("service", ""));
  const Json* svc = m_store.get("services", cluster + "/" + name);
  if (!svc) throw ApiError("ServiceNotFoundException", "Service not found.");
  long max = in.value("maxResults", 20L);
  if (max < 1 || max > 100) throw ApiError("InvalidParameterException", "maxResults must be between 1 and 100.");
  Json statuses = in.value("status", Json::array());
  const Json created = in.value("createdAt", Json::object());
  std::vector<const Json*> found;
  for (const auto& [arn, sd] : m_store.table(k_deployments)) {
    if (sd["serviceArn"] != (*svc)["serviceArn"]) continue;
    if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), sd["status"]) == statuses.end()) continue;
    double at = sd.value("createdAt", 0.0);
    if (created.contains("after") && at < created["after"].get<double>()) continue;
    if (created.contains("before") && at > created["before"].get<double>()) continue;
    found.push_back(&sd);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Json* a, const Json* b) { return a->value("createdAt", 0.0) > b->value("createdAt", 0.0); });
  std::vector<std::string> arns;
  for (const Json* sd : found) arns.push_back((*sd)["serviceDeploymentArn"]);
  Json in_page = in;
  in_page["maxResults"] = max;
  Json out = paginate(arns, in_page, "serviceDeployments", 20);
  for (auto& a : out["serviceDeployments"]) a = brief(*m_store.get(k_deployments, a.get<std::string>()));
  return out;
}

Json Ecs::describe_service_deployments(const Json& in) {
  const Json arns = in.value("serviceDeploymentArns", Json::array());
  if (arns.empty() || arns.size() > 20)
    throw ApiError("InvalidParameterException", "serviceDeploymentArns must have between 1 and 20 items.");
  Json out = Json::array(), failures = Json::array();
  for (const auto& a : arns) {
    const Json* sd = m_store.get(k_deployments, a.get<std::string>());
    if (sd) out.push_back(public_view(*sd));
    else failures.push_back({{"arn", a}, {"reason", "MISSING"}});
  }
  return {{"serviceDeployments", out}, {"failures", failures}};
}

Json Ecs::describe_service_revisions(const Json& in) {
  const Json arns = in.value("serviceRevisionArns", Json::array());
  if (arns.empty() || arns.size() > 20)
    throw ApiError("InvalidParameterException", "serviceRevisionArns must have between 1 and 20 items.");
  Json out = Json::array(), failures = Json::array();
  for (const auto& a : arns) {
    const Json* r = m_store.get(k_revisions, a.get<std::string>());
    if (r) out.push_back(*r);
    else failures.push_back({{"arn", a}, {"reason", "MISSING"}});
  }
  return {{"serviceRevisions", out}, {"failures", failures}};
}

Json Ecs::stop_service_deployment(const Json& in) {
  std::string arn = in.value("serviceDeploymentArn", "");
  std::string type = in.value("stopType", "ROLLBACK");
  const Json* stored = m_store.get(k_deployments, arn);
  if (!stored) throw ApiError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
  if (type != "ROLLBACK")
    throw ApiError("InvalidParameterException", "The stop type " + type + " is not supported; use ROLLBACK.");
  Json sd = *stored;
  if (sd["status"] != "IN_PROGRESS" && sd["status"] != "PENDING")
    throw ApiError("ConflictException", "The service deployment " + arn + " is " + sd["status"].get<std::string>() +
                                            " and cannot be stopped.");
  const Json* s = m_store.get("services", sd["_"]["service"].get<std::string>());
  if (!s || (*s)["status"] != "ACTIVE") throw ApiError("ServiceNotActiveException", "Service was not ACTIVE.");
  Json svc = *s;
  std::string id = sd["_"]["deployment"];
  Json& deps = svc["deployments"];
  if (deps.empty() || deps[0]["id"] != id || deps.size() < 2)
    throw ApiError("ConflictException", "The service deployment " + arn + " has no service revision to roll back to.");
  const std::string name = svc["serviceName"];
  if (BlueGreen::active(svc)) {
    BlueGreen::roll_back(*this, svc, "Service deployment rolled back by StopServiceDeployment.");
  } else {
    // A rolling deployment: a new deployment of the revision that ran before.
    Json back = deps[1];
    std::string digits = std::to_string(m_rng() % 9000000000000000000ULL + 1000000000000000000ULL).substr(0, 19);
    double now = now_seconds();
    back["id"] = "ecs-svc/" + digits;
    back["status"] = "PRIMARY";
    back["desiredCount"] = svc["desiredCount"];
    back["runningCount"] = 0;
    back["pendingCount"] = 0;
    back["failedTasks"] = 0;
    back["createdAt"] = now;
    back["updatedAt"] = now;
    back["rolloutState"] = "IN_PROGRESS";
    back["rolloutStateReason"] = "Service deployment rolled back by StopServiceDeployment.";
    for (auto& d : deps) d["status"] = "ACTIVE";
    deps[0]["rolloutState"] = "FAILED";
    deps[0]["rolloutStateReason"] = "Service deployment stopped by StopServiceDeployment (ROLLBACK).";
    svc["taskDefinition"] = back["taskDefinition"];
    deps.insert(deps.begin(), back);
    svc["_"]["rollback_of"] = arn;
    svc["_"]["steady"] = false;
    ServiceReconciler::service_event(svc, "(service " + name + ") rolling back to deployment " + deps[2]["id"].get<std::string>() + ".", m_rng);
  }
  ServiceHistory::sync(*this, svc);
  m_store.put("services", svc["_"]["key"].get<std::string>(), svc);
  m_services_dirty = true;
  return {{"serviceDeploymentArn", arn}};
}

}  // namespace ecsctl::local
