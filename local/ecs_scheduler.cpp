// The service scheduler: keeps each service at its desired count, rolls
// deployments within minimumHealthyPercent/maximumPercent, and applies the
// deployment circuit breaker.
#include <algorithm>
#include <cmath>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

struct DeploymentTasks {
  std::vector<std::string> running, pending;
  size_t total() const { return running.size() + pending.size(); }
};

std::string short_id(const std::string& arn) { return arn_tail(arn); }

std::string task_list(const std::vector<std::string>& arns) {
  std::string out;
  for (const auto& a : arns) out += (out.empty() ? "" : " ") + std::string("(task ") + short_id(a) + ")";
  return out;
}

// ECS's service throttle logic (its developer guide, "Amazon ECS service
// throttle logic"): launches of a service whose tasks keep failing to start
// wait longer and longer, up to 27 minutes. ECS does not publish its steps;
// the plane lets two failed rounds relaunch at once, then waits 10 s, 20 s,
// 40 s, ... up to 27 min, all scaled by time_factor() (a tenth at --pace fast).
constexpr long k_free_rounds = 2;
constexpr double k_first_delay = 10, k_max_delay = 27 * 60;
// A task that stops within this long of RUNNING counts as failing to start:
// ECS itself is paced by tens of seconds of provisioning and image pulls that
// the plane does not have.
constexpr double k_quick_exit = 10;

double throttle_delay(long level) {
  if (level <= k_free_rounds) return 0;
  return std::min(k_max_delay, k_first_delay * std::pow(2.0, static_cast<double>(level - k_free_rounds - 1)));
}

}  // namespace

void ServiceReconciler::note_task_failed(Ecs& e, Json& svc, const Json& task) {
  if (svc["status"] != "ACTIVE" || svc["deployments"].empty()) return;
  const Json& primary = svc["deployments"][0];
  if (task.value("taskDefinitionArn", "") != primary.value("taskDefinition", "")) return;
  double now = now_seconds(), factor = time_factor(e.m_pace);
  Json& x = svc["_"];
  if (task.contains("startedAt") && now - task["startedAt"].get<double>() >= k_quick_exit * factor) {
    x.erase("throttle");  // it ran: the service can start tasks
    return;
  }
  Json th = x.value("throttle", Json());
  if (!th.is_object() || th.value("taskDefinition", "") != primary["taskDefinition"])
    th = {{"level", 0}, {"since", 0.0}, {"until", 0.0}, {"taskDefinition", primary["taskDefinition"]}};
  // One step per round of launches: the tasks launched together with one that
  // already counted do not count again.
  if (task.value("createdAt", 0.0) < th["since"].get<double>()) return;
  long level = th["level"].get<long>() + 1;
  th["level"] = level;
  th["since"] = now;
  th["until"] = now + throttle_delay(level) * factor;
  x["throttle"] = th;
  if (level > k_free_rounds)
    service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") is unable to consistently start tasks successfully.", e.m_rng);
}

bool ServiceReconciler::reconcile_service(Ecs& e, Json& svc, const std::vector<std::string>& live) {
  const std::string key = svc["_"]["key"], cluster = svc["_"]["cluster"];
  const std::string name = svc["serviceName"];
  std::map<std::string, DeploymentTasks> by_dep;
  for (const auto& arn : live) {
    const Json* found = e.m_store.get("tasks", arn);
    if (!found) continue;
    const Json& t = *found;
    if (t["lastStatus"] == "STOPPED" || t["desiredStatus"] == "STOPPED") continue;
    auto& d = by_dep[t["_"].value("deployment", "")];
    (t["lastStatus"] == "RUNNING" ? d.running : d.pending).push_back(arn);
  }
  Json before = svc;
  Json& deps = svc["deployments"];
  auto stop = [&](const std::string& arn, const std::string& reason) {
    Json task = *e.m_store.get("tasks", arn);
    TaskLifecycle::request_stop(e, task, reason, "ServiceSchedulerInitiated");
    e.m_store.put("tasks", arn, task);
  };
  // Draining (DeleteService): stop everything, then become INACTIVE.
  if (svc["status"] == "DRAINING") {
    size_t left = 0;
    for (auto& [id, d] : by_dep) {
      for (const auto& a : d.running) stop(a, "Service " + name + " is being deleted");
      for (const auto& a : d.pending) stop(a, "Service " + name + " is being deleted");
      left += d.total();
    }
    if (left == 0) {
      bool any = false;
      for (const auto& arn : live) {
        const Json* t = e.m_store.get("tasks", arn);
        any |= t && (*t)["lastStatus"] != "STOPPED";
      }
      if (!any) {
        svc["status"] = "INACTIVE";
        svc["deployments"] = Json::array();
      }
    }
    svc["runningCount"] = 0;
    svc["pendingCount"] = 0;
    return svc != before;
  }
  long desired = svc["desiredCount"];
  const Json& dc = svc["deploymentConfiguration"];
  long max_total = desired == 0 ? 0 : std::max(1L, static_cast<long>(std::floor(desired * dc.value("maximumPercent", 200) / 100.0)));
  long min_healthy = static_cast<long>(std::ceil(desired * dc.value("minimumHealthyPercent", 100) / 100.0));
  Json& primary = deps[0];
  std::string pid = primary["id"];
  bool breaker = dc.value("deploymentCircuitBreaker", Json::object()).value("enable", false);
  bool rollback = dc.value("deploymentCircuitBreaker", Json::object()).value("rollback", false);
  long threshold = std::min(200L, std::max(3L, static_cast<long>(std::ceil(desired * 0.5))));
  // Circuit breaker.
  if (breaker && primary["rolloutState"] == "IN_PROGRESS" && primary["failedTasks"].get<long>() >= threshold) {
    primary["rolloutState"] = "FAILED";
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start.";
    ServiceReconciler::service_event(svc, "(service " + name + ") (deployment " + pid + ") deployment failed: tasks failed to start.", e.m_rng);
    const Json& last_good = svc["_"].value("last_good", Json());
    if (rollback && last_good.is_string()) {
      Json copy = primary;
      copy["status"] = "ACTIVE";
      deps[0] = copy;
      svc["taskDefinition"] = last_good;
      Json d = primary;  // placeholder, replaced below
      std::string id = "ecs-svc/" + std::to_string(e.m_rng() % 9000000000000000000ULL + 1000000000000000000ULL).substr(0, 19);
      double now = now_seconds();
      d = {{"id", id}, {"status", "PRIMARY"}, {"taskDefinition", last_good}, {"desiredCount", desired},
           {"pendingCount", 0}, {"runningCount", 0}, {"failedTasks", 0}, {"createdAt", now}, {"updatedAt", now}};
      if (copy.contains("launchType")) d["launchType"] = copy["launchType"];
      if (copy.contains("capacityProviderStrategy")) d["capacityProviderStrategy"] = copy["capacityProviderStrategy"];
      if (copy.contains("platformVersion")) d["platformVersion"] = copy["platformVersion"];
      if (copy.contains("networkConfiguration")) d["networkConfiguration"] = copy["networkConfiguration"];
      d["rolloutState"] = "IN_PROGRESS";
      d["rolloutStateReason"] = "ECS deployment circuit breaker: rolling back to deploymentId " +
                                svc["_"].value("last_good_id", std::string("")) + ".";
      deps.insert(deps.begin(), d);
      ServiceReconciler::service_event(svc, "(service " + name + ") rolling back to deployment " + svc["_"].value("last_good_id", std::string("")) + ".", e.m_rng);
      svc["_"]["steady"] = false;
      return true;
    }
  }
  Json& p = deps[0];
  pid = p["id"];
  // Health: a RUNNING task whose container health is UNHEALTHY, or that fails its
  // target group's checks, is replaced, except during the service's
  // healthCheckGracePeriodSeconds after it started (real seconds at either pace:
  // the time an application needs to come up).
  {
    double now = now_seconds(), grace = svc.value("healthCheckGracePeriodSeconds", 0.0);
    std::vector<std::string> unhealthy;
    for (auto& [id, d] : by_dep) {
      for (auto it = d.running.begin(); it != d.running.end();) {
        const Json& t = *e.m_store.get("tasks", *it);
        if (t.value("startedAt", now) + grace > now) {
          ++it;
          continue;
        }
        TaskHooks::HealthFailure failure;
        if (t.value("healthStatus", "") == "UNHEALTHY") failure.reason = "Task failed container health checks";
        for (const auto& check : e.m_hooks.health_failure) {
          if (!failure.reason.empty()) break;
          failure = check(t);
        }
        if (failure.reason.empty()) {
          ++it;
          continue;
        }
        if (!failure.event.empty()) ServiceReconciler::service_event(svc, "(service " + name + ") " + failure.event + ".", e.m_rng);
        stop(*it, failure.reason);
        unhealthy.push_back(*it);
        it = d.running.erase(it);
      }
    }
    if (!unhealthy.empty()) {
      ServiceReconciler::service_event(svc, "(service " + name + ") has stopped " + std::to_string(unhealthy.size()) +
                                                " running tasks: " + task_list(unhealthy) + ".", e.m_rng);
      svc["_"]["steady"] = false;
    }
  }
  // A running task is in service once no target group of it is still checking
  // it or finds it unhealthy (TaskHooks::awaiting_health).
  auto in_service = [&](const std::string& arn) {
    const Json* t = e.m_store.get("tasks", arn);
    if (!t) return false;
    for (const auto& awaiting : e.m_hooks.awaiting_health)
      if (awaiting(*t)) return false;
    return true;
  };
  DeploymentTasks& pt = by_dep[pid];
  long total = 0, running_all = 0;
  for (auto& [id, d] : by_dep) {
    total += static_cast<long>(d.total());
    for (const auto& a : d.running) running_all += in_service(a) ? 1 : 0;
  }
  // Start tasks of the primary deployment.
  // Blue/green: the green tasks scale up to the full count beside the blue
  // ones (from the SCALE_UP stage on), whatever maximumPercent says.
  long want = BlueGreen::active(svc) ? desired - static_cast<long>(pt.total())
                                     : std::min(desired - static_cast<long>(pt.total()), max_total - total);
  if (!BlueGreen::may_scale_up(svc)) want = 0;
  if (p["rolloutState"] == "FAILED" && !rollback) want = 0;
  if (svc["_"].contains("throttle")) {
    // A new task definition, or a task of it that keeps running, ends the throttling.
    const Json& th = svc["_"]["throttle"];
    double now = now_seconds();
    bool reset = th.value("taskDefinition", "") != p["taskDefinition"];
    for (const auto& arn : pt.running) {
      const Json* t = e.m_store.get("tasks", arn);
      if (t && t->contains("startedAt") && now - (*t)["startedAt"].get<double>() >= k_quick_exit * time_factor(e.m_pace))
        reset = true;
    }
    if (reset) svc["_"].erase("throttle");
    else if (th.value("until", 0.0) > now) want = 0;
  }
  if (want > 0) {
    Json td;
    try {
      td = EcsResources::resolve_task_definition(e, p["taskDefinition"], "InvalidParameterException", "TaskDefinition not found.");
    } catch (const ApiError&) {
      want = 0;
    }
    std::vector<std::string> started;
    while (want > 0) {
      int n = static_cast<int>(std::min(10L, want));
      want -= n;
      Json in = {{"_service", key}, {"group", "service:" + name}};
      for (const char* k : {"launchType", "capacityProviderStrategy", "networkConfiguration", "platformVersion"})
        if (p.contains(k)) in[k] = p[k];
      for (const char* k : {"placementStrategy", "placementConstraints"})
        if (!svc.value(k, Json::array()).empty()) in[k] = svc[k];
      if (svc.value("enableExecuteCommand", false)) in["enableExecuteCommand"] = true;
      try {
        Json r = TaskLifecycle::launch(e, cluster, td, in, n, pid, nullptr);
        for (const auto& t : r["tasks"]) {
          started.push_back(t["taskArn"]);
          pt.pending.push_back(t["taskArn"]);
        }
        if (!r["failures"].empty()) {
          ServiceReconciler::service_event(svc, "(service " + name + ") was unable to place a task because no container instance met all of its requirements. Reason: " +
                        r["failures"][0]["reason"].get<std::string>() + ".", e.m_rng);
          break;
        }
      } catch (const ApiError& err) {
        ServiceReconciler::service_event(svc, "(service " + name + ") was unable to place a task. Reason: " + std::string(err.what()), e.m_rng);
        break;
      }
    }
    if (!started.empty()) {
      ServiceReconciler::service_event(svc, "(service " + name + ") has started " + std::to_string(started.size()) + " tasks: " + task_list(started) + ".", e.m_rng);
      svc["_"]["steady"] = false;
    }
  }
  // Stop surplus primary tasks (scale-in) and old deployments' tasks within minimumHealthyPercent.
  std::vector<std::string> stopped;
  while (static_cast<long>(pt.total()) > desired) {
    std::vector<std::string>& from = pt.pending.empty() ? pt.running : pt.pending;
    stop(from.back(), "Scaling activity initiated by (deployment " + pid + ")");
    stopped.push_back(from.back());
    if (&from == &pt.running && in_service(from.back())) --running_all;
    from.pop_back();
  }
  for (auto& [id, d] : by_dep) {
    if (id == pid) continue;
    for (const auto& a : d.pending) {
      stop(a, "Scaling activity initiated by (deployment " + pid + ")");
      stopped.push_back(a);
    }
    d.pending.clear();
    while (!d.running.empty() && running_all - 1 >= min_healthy && BlueGreen::may_stop_blue(svc)) {
      stop(d.running.back(), "Scaling activity initiated by (deployment " + pid + ")");
      stopped.push_back(d.running.back());
      if (in_service(d.running.back())) --running_all;
      d.running.pop_back();
    }
  }
  if (!stopped.empty()) {
    ServiceReconciler::service_event(svc, "(service " + name + ") has stopped " + std::to_string(stopped.size()) + " running tasks: " + task_list(stopped) + ".", e.m_rng);
    svc["_"]["steady"] = false;
  }
  // Counts; drop drained old deployments.
  long running = 0, pending = 0;
  Json kept = Json::array();
  for (size_t i = 0; i < deps.size(); ++i) {
    auto& d = by_dep[deps[i]["id"].get<std::string>()];
    deps[i]["runningCount"] = static_cast<long>(d.running.size());
    deps[i]["pendingCount"] = static_cast<long>(d.pending.size());
    if (i == 0) deps[i]["desiredCount"] = desired;
    running += static_cast<long>(d.running.size());
    pending += static_cast<long>(d.pending.size());
    if (i == 0 || d.total() > 0) kept.push_back(deps[i]);
  }
  svc["deployments"] = kept;
  svc["runningCount"] = running;
  svc["pendingCount"] = pending;
  {
    // Blue/green: the green tasks count once they are in service (healthy in
    // the alternate target group), as ECS waits for them before shifting traffic.
    long green_all = svc["deployments"][0]["runningCount"].get<long>() + svc["deployments"][0]["pendingCount"].get<long>();
    long green = static_cast<long>(std::count_if(pt.running.begin(), pt.running.end(), in_service));
    BlueGreen::advance(e, svc, green, running + pending - green_all);
  }
  Json& prim = svc["deployments"][0];
  // Settled: one deployment, its tasks all running and in service (healthy in
  // their target groups): only then is the deployment COMPLETED.
  bool settled = kept.size() == 1 && running == desired && pending == 0 &&
                 std::all_of(pt.running.begin(), pt.running.end(), in_service);
  if (settled && prim["rolloutState"] == "IN_PROGRESS") {
    prim["rolloutState"] = "COMPLETED";
    prim["rolloutStateReason"] = "ECS deployment " + prim["id"].get<std::string>() + " completed.";
    prim["updatedAt"] = now_seconds();
    svc["_"]["last_good"] = prim["taskDefinition"];
    svc["_"]["last_good_id"] = prim["id"];
    ServiceReconciler::service_event(svc, "(service " + name + ") (deployment " + prim["id"].get<std::string>() + ") deployment completed.", e.m_rng);
  }
  if (settled && !svc["_"].value("steady", false) && prim["rolloutState"] != "FAILED") {
    svc["_"]["steady"] = true;
    ServiceReconciler::service_event(svc, "(service " + name + ") has reached a steady state.", e.m_rng);
  }
  return svc != before;
}

}  // namespace ecsctl::local
