// Tasks on the engine runtime: handing a task's containers to the runtime,
// asking it to stop them, and applying what it reports (containers started,
// exited, healthy; the task running or gone) to the stored task.
#include "local/ecs_shared.hpp"
#include "local/runtime.hpp"

namespace ecsctl::local {

namespace {

// Events move the task from here: it waits for them, not for a timer.
constexpr double k_parked = 1e12;

Json* container_of(Json& task, const std::string& name) {
  for (auto& c : task["containers"])
    if (c.value("name", "") == name) return &c;
  return nullptr;
}

Json task_definition_of(Ecs& e, const Json& task) {
  try {
    return EcsResources::resolve_task_definition(e, task["taskDefinitionArn"], "ClientException", "TaskDefinition not found.");
  } catch (const ApiError&) {
    return Json();
  }
}

// ECS's rule: UNHEALTHY if an essential container is; HEALTHY if every
// essential container with a health check is; otherwise UNKNOWN.
std::string task_health(const Json& task, const Json& td) {
  bool any = false, all_healthy = true;
  for (const auto& d : td.value("containerDefinitions", Json::array())) {
    if (!d.value("essential", true) || !d.contains("healthCheck")) continue;
    any = true;
    for (const auto& c : task["containers"]) {
      if (c.value("name", "") != d.value("name", "")) continue;
      std::string h = c.value("healthStatus", "UNKNOWN");
      if (h == "UNHEALTHY") return "UNHEALTHY";
      if (h != "HEALTHY") all_healthy = false;
    }
  }
  return any && all_healthy ? "HEALTHY" : "UNKNOWN";
}

void bump(Json& task) { task["version"] = task["version"].get<long>() + 1; }

}  // namespace

bool TaskRuntime::advance(Ecs& e, Json& task, double now) {
  const Json x = task["_"];
  std::string last = task["lastStatus"];
  if (last == "STOPPED") return false;
  bool handed = x.value("engine", false);
  bool awsvpc = x.value("awsvpc", false);
  if (task["desiredStatus"] == "STOPPED") {
    if (!handed) {
      TaskLifecycle::finish_stop(e, task);
      return false;
    }
    if (!x.value("stop_sent", false)) {
      task["_"]["stop_sent"] = true;
      if (last == "RUNNING" || last == "ACTIVATING") {
        task["stoppingAt"] = now;
        task["lastStatus"] = awsvpc ? "DEACTIVATING" : "STOPPING";
      }
      bump(task);
      e.m_runtime->stop_task(task["taskArn"]);
    }
    task["_"]["due"] = k_parked;
    return true;
  }
  if (!handed) {
    Json td = task_definition_of(e, task);
    task["_"]["engine"] = true;
    task["lastStatus"] = "PENDING";
    task["pullStartedAt"] = now;
    if (awsvpc && !task["attachments"].empty()) task["attachments"][0]["status"] = "ATTACHING";
    bump(task);
    if (td.is_null()) {
      TaskLifecycle::request_stop(e, task, "TaskDefinition not found.", "TaskFailedToStart");
      TaskLifecycle::finish_stop(e, task);
      return false;
    }
    e.m_runtime->start_task(public_view(task), td);
  }
  task["_"]["due"] = k_parked;
  return true;
}

bool TaskRuntime::apply_events(Ecs& e) {
  std::vector<RuntimeEvent> events = e.m_runtime->take_events();
  double now = now_seconds();
  for (auto& ev : events) {
    const Json* stored = e.m_store.get("tasks", ev.task_arn);
    if (!stored || (*stored)["lastStatus"] == "STOPPED") continue;
    Json task = *stored;
    Json* c = ev.container.empty() ? nullptr : container_of(task, ev.container);
    using K = RuntimeEvent::Kind;
    switch (ev.kind) {
      case K::container_started:
        if (!c) break;
        (*c)["lastStatus"] = "RUNNING";
        (*c)["runtimeId"] = ev.data.value("runtimeId", "");
        if (ev.data.contains("networkBindings")) (*c)["networkBindings"] = ev.data["networkBindings"];
        task["_"]["started"][ev.container] = ev.data.value("startedAt", now);
        break;
      case K::task_network: {
        std::string ip = ev.data.value("privateIpv4Address", "");
        task["_"]["ip"] = ip;
        for (auto& a : task["attachments"])
          for (auto& d : a["details"])
            if (d.value("name", "") == "privateIPv4Address") d["value"] = ip;
        for (auto& ct : task["containers"])
          for (auto& ni : ct["networkInterfaces"]) ni["privateIpv4Address"] = ip;
        break;
      }
      case K::task_running:
        if (task["desiredStatus"] == "STOPPED" || task["lastStatus"] == "RUNNING") break;
        task["pullStoppedAt"] = now;
        task["lastStatus"] = "RUNNING";
        task["startedAt"] = now;
        task["connectivity"] = "CONNECTED";
        task["connectivityAt"] = now;
        task["healthStatus"] = task_health(task, task_definition_of(e, task));
        if (task["_"].value("awsvpc", false) && !task["attachments"].empty()) task["attachments"][0]["status"] = "ATTACHED";
        for (const auto& hook : e.hooks().on_running) hook(task);
        break;
      case K::container_stopped:
        if (!c) break;
        (*c)["lastStatus"] = "STOPPED";
        if (ev.data.contains("exitCode")) (*c)["exitCode"] = ev.data["exitCode"];
        if (ev.data.contains("reason")) (*c)["reason"] = ev.data["reason"];
        if (ev.data.value("essential", true))
          TaskLifecycle::request_stop(e, task, "Essential container in task exited", "EssentialContainerExited");
        break;
      case K::container_health: {
        if (!c) break;
        (*c)["healthStatus"] = ev.data.value("healthStatus", "UNKNOWN");
        std::string health = task_health(task, task_definition_of(e, task));
        task["healthStatus"] = health;
        // The service scheduler replaces an UNHEALTHY service task once the
        // service's health-check grace period has passed: have it look now.
        if (task["_"].contains("service")) e.m_services_dirty = true;
        break;
      }
      case K::task_failed:
        if (c && ev.data.contains("reason")) (*c)["reason"] = ev.data["reason"];
        TaskLifecycle::request_stop(e, task, ev.data.value("reason", "Task failed"), ev.data.value("stopCode", "TaskFailedToStart"));
        break;
      case K::task_stopped:
        if (task["desiredStatus"] != "STOPPED")
          TaskLifecycle::request_stop(e, task, "Essential container in task exited", "EssentialContainerExited");
        if (task["lastStatus"] == "RUNNING" || task["lastStatus"] == "DEACTIVATING" || task["lastStatus"] == "STOPPING") task["stoppingAt"] = task.value("stoppingAt", now);
        TaskLifecycle::finish_stop(e, task);
        e.m_busy.erase(ev.task_arn);
        break;
    }
    bump(task);
    e.m_store.put("tasks", ev.task_arn, std::move(task));
  }
  return !events.empty();
}

void TaskRuntime::adopt(Ecs& e) {
  std::vector<std::string> live;
  for (const auto& [arn, t] : e.m_store.table("tasks")) {
    if (t["lastStatus"] == "STOPPED") continue;
    live.push_back(arn);
  }
  e.m_runtime->remove_strays(live);
  for (const auto& arn : live) {
    Json task = *e.m_store.get("tasks", arn);
    if (!task["_"].value("engine", false)) continue;
    Json td = task_definition_of(e, task);
    task["_"].erase("stop_sent");  // asked again of the adopted containers
    e.m_store.put("tasks", arn, task);
    e.m_runtime->adopt(public_view(task), td);
    if (task["desiredStatus"] == "STOPPED") e.m_busy.insert(arn);
  }
}

}  // namespace ecsctl::local
