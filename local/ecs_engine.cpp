// Time-driven behaviour of the local ECS: task lifecycles (PROVISIONING ...
// RUNNING ... STOPPED) and the service scheduler's reconciliation.
#include <algorithm>
#include <cmath>
#include <map>

#include "local/ecs_shared.hpp"
#include "local/runtime.hpp"

namespace ecsctl::local {

namespace {

// Seconds a lifecycle step takes at each pace.
double step_seconds(Pace pace, const std::string& from) {
  if (pace == Pace::fast) return 0.005;
  if (from == "PROVISIONING") return 2;
  if (from == "PENDING") return 5;
  if (from == "ACTIVATING") return 2;
  return 3;
}

void set_containers(Json& task, const char* status) {
  for (auto& c : task["containers"]) c["lastStatus"] = status;
}

// Advances one task by one lifecycle step; returns whether it is still busy.
bool advance(Ecs& e, Json& task, double now, Pace pace) {
  if (e.engine_runtime()) return TaskRuntime::advance(e, task, now);
  // Copies, not references: adding members to `task` moves its storage.
  const Json x = task["_"];
  std::string last = task["lastStatus"];
  bool awsvpc = x.value("awsvpc", false);
  bool stopping = task["desiredStatus"] == "STOPPED";
  auto next = [&](const char* status, double delay) {
    task["lastStatus"] = status;
    task["_"]["due"] = now + delay;
    task["version"] = task["version"].get<long>() + 1;
  };
  if (stopping) {
    if (last == "PROVISIONING" || last == "PENDING" || last == "STOPPING" || last == "DEPROVISIONING" ||
        (!awsvpc && last == "DEACTIVATING")) {
      if (last == "STOPPING" && awsvpc) {
        next("DEPROVISIONING", step_seconds(pace, last));
        return true;
      }
      TaskLifecycle::finish_stop(e, task);
      return false;
    }
    if (last == "RUNNING" || last == "ACTIVATING") {
      task["stoppingAt"] = now;
      next(awsvpc ? "DEACTIVATING" : "STOPPING", step_seconds(pace, last));
      return true;
    }
    if (last == "DEACTIVATING") {
      next("STOPPING", step_seconds(pace, last));
      return true;
    }
    return false;
  }
  const Json plan = x.value("plan", Json::object());
  if (last == "PROVISIONING") {
    if (awsvpc) task["attachments"][0]["status"] = "ATTACHING";
    next("PENDING", step_seconds(pace, last));
    task["pullStartedAt"] = now;
    return true;
  }
  if (last == "PENDING") {
    if (plan.contains("pull_error")) {
      std::string image = plan["pull_error"];
      std::string why = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/" +
                        image + ":latest: not found";
      for (auto& c : task["containers"]) {
        if (c["image"] == image) c["reason"] = why;
      }
      TaskLifecycle::request_stop(e, task, why, "TaskFailedToStart");
      TaskLifecycle::finish_stop(e, task);
      return false;
    }
    task["pullStoppedAt"] = now;
    if (awsvpc) {
      task["attachments"][0]["status"] = "ATTACHED";
      next("ACTIVATING", step_seconds(pace, last));
      return true;
    }
    last = "ACTIVATING";
  }
  if (last == "ACTIVATING") {
    next("RUNNING", 0);
    task["startedAt"] = now;
    task["connectivity"] = "CONNECTED";
    task["connectivityAt"] = now;
    task["healthStatus"] = "UNKNOWN";
    set_containers(task, "RUNNING");
    // Simulated health (ECSCTL_LOCAL_HEALTH): the task is UNHEALTHY when a container is.
    if (plan.contains("health")) {
      for (auto& c : task["containers"])
        if (plan["health"].contains(c["name"].get<std::string>())) c["healthStatus"] = plan["health"][c["name"].get<std::string>()];
      for (const auto& c : task["containers"])
        if (c["healthStatus"] != "UNKNOWN" && task["healthStatus"] != "UNHEALTHY") task["healthStatus"] = c["healthStatus"];
    }
    give_runtime_ids(task, now);
    for (const auto& hook : e.hooks().on_running) hook(task);
    if (plan.contains("exit_code")) {
      task["_"]["due"] = now + plan["after"].get<double>() * (pace == Pace::fast ? 0.1 : 1.0);
      return true;
    }
    return false;
  }
  if (last == "RUNNING" && plan.contains("exit_code")) {
    for (auto& c : task["containers"])
      if (c["name"] == plan["container"]) c["exitCode"] = plan["exit_code"];
    TaskLifecycle::request_stop(e, task, "Essential container in task exited", "EssentialContainerExited");
    return true;
  }
  return false;
}

}  // namespace

void TaskLifecycle::request_stop(Ecs& e, Json& task, const std::string& reason, const std::string& stop_code) {
  if (task["desiredStatus"] == "STOPPED") return;
  task["desiredStatus"] = "STOPPED";
  task["stoppedReason"] = reason;
  task["stopCode"] = stop_code;
  task["_"]["due"] = 0;
  task["version"] = task["version"].get<long>() + 1;
  e.m_busy.insert(task["taskArn"].get<std::string>());
  for (const auto& hook : e.m_hooks.on_stopping) hook(task);
  if (task["_"].contains("service")) e.m_services_dirty = true;
  // A service task failing on its own: the service throttle logic counts it now,
  // before the scheduler launches its replacement.
  if (task["_"].contains("service") && stop_code != "UserInitiated" && stop_code != "ServiceSchedulerInitiated") {
    std::string key = task["_"]["service"].get<std::string>();
    if (const Json* s = e.m_store.get("services", key)) {
      Json svc = *s;
      ServiceReconciler::note_task_failed(e, svc, task);
      if (svc != *s) e.m_store.put("services", key, std::move(svc));
    }
  }
}

void TaskLifecycle::finish_stop(Ecs& e, Json& task) {
  double now = now_seconds();
  task["lastStatus"] = "STOPPED";
  task["stoppedAt"] = now;
  task["executionStoppedAt"] = now;
  if (task["_"].value("awsvpc", false) && !task["attachments"].empty()) task["attachments"][0]["status"] = "DELETED";
  bool user = task.value("stopCode", "") == "UserInitiated" || task.value("stopCode", "") == "ServiceSchedulerInitiated";
  for (auto& c : task["containers"]) {
    c["lastStatus"] = "STOPPED";
    // (A container with a reason, e.g. gone from the engine, has no exit code to report.)
    if (!c.contains("exitCode") && !c.contains("reason") && task.contains("startedAt")) c["exitCode"] = user ? 143 : 0;
  }
  // Release what the task held on its instance.
  if (task.contains("containerInstanceArn")) {
    std::string arn = task["containerInstanceArn"];
    const Json* ci = e.m_store.get("instances", arn);
    // Whatever the instance's status: a DRAINING instance's resources are freed too.
    if (ci) {
      Instance in = InstancePool::instance_view(arn, *ci);
      TaskNeeds needs;
      needs.cpu = task["_"]["needs"]["cpu"];
      needs.memory = task["_"]["needs"]["memory"];
      needs.group = task.value("group", "");
      std::vector<int> ports = task["_"].value("ports", std::vector<int>{});
      for (const auto& c : task["containers"])
        for (const auto& b : c["networkBindings"]) needs.ports.push_back({b["containerPort"], b["hostPort"], b.value("protocol", "tcp") == "udp"});
      release(in, needs, ports);
      InstancePool::save_instance(e, in);
    }
  }
  for (const auto& hook : e.hooks().on_stopped) hook(task);
  // A service task that failed counts against its deployment's circuit breaker.
  if (task["_"].contains("service") && !user) {
    const Json* s = e.m_store.get("services", task["_"]["service"].get<std::string>());
    if (s) {
      Json svc = *s;
      for (auto& d : svc["deployments"])
        if (d["id"] == task["_"].value("deployment", "")) d["failedTasks"] = d["failedTasks"].get<long>() + 1;
      e.m_store.put("services", task["_"]["service"].get<std::string>(), svc);
    }
  }
  if (task["_"].contains("service")) e.m_services_dirty = true;
}

bool Ecs::engine_runtime() const { return m_runtime && m_runtime->is_engine(); }

void Ecs::adopt_tasks() {
  if (engine_runtime()) TaskRuntime::adopt(*this);
}

bool Ecs::tick() {
  bool changed = engine_runtime() && TaskRuntime::apply_events(*this);
  double now = now_seconds();
  // Stopped tasks are forgotten after m_stopped_task_ttl, as ECS forgets them after an hour.
  if (now - m_last_forget >= 1) {
    m_last_forget = now;
    changed |= forget_stopped_tasks(now) > 0;
  }
  std::vector<std::string> due;
  for (const auto& arn : m_busy) {
    const Json* t = m_store.get("tasks", arn);
    if (!t) { due.push_back(arn); continue; }
    if ((*t)["_"].value("due", 0.0) <= now) due.push_back(arn);
  }
  for (const auto& arn : due) {
    const Json* t = m_store.get("tasks", arn);
    if (!t) { m_busy.erase(arn); continue; }
    Json task = *t;
    if (!advance(*this, task, now, m_pace)) m_busy.erase(arn);
    m_store.put("tasks", arn, std::move(task));
    changed = true;
  }
  if (m_services_dirty || now - m_last_reconcile > (m_pace == Pace::fast ? 0.2 : 2.0)) {
    m_services_dirty = false;
    m_last_reconcile = now;
    std::vector<std::string> keys;
    for (const auto& [key, s] : m_store.table("services"))
      if (s["status"] != "INACTIVE") keys.push_back(key);
    // One pass over the tasks for all services, not one per service.
    std::map<std::string, std::vector<std::string>, std::less<>> live;
    if (!keys.empty())
      for (const auto& [arn, t] : m_store.table("tasks")) {
        if (t["lastStatus"] == "STOPPED") continue;
        auto x = t.find("_");
        if (x == t.end()) continue;
        auto service = x->find("service");
        if (service != x->end() && service->is_string()) live[service->get<std::string>()].push_back(arn);
      }
    static const std::vector<std::string> k_none;
    for (const auto& key : keys) {
      Json svc = *m_store.get("services", key);
      auto it = live.find(key);
      bool service_changed = ServiceReconciler::reconcile_service(*this, svc, it == live.end() ? k_none : it->second);
      service_changed |= ServiceHistory::sync(*this, svc);
      if (service_changed) {
        m_store.put("services", key, svc);
        changed = true;
      }
    }
  }
  return changed;
}

}  // namespace ecsctl::local
