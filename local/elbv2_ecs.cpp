// Target registration of service tasks, and ECS's checks of a service's target groups.
#include "local/elbv2_ecs.hpp"

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

// Registrations made for each task, so that a stop deregisters exactly those.
constexpr const char* k_task_targets = "elbv2_task_targets";

std::string eni_ip(const Json& task) {
  for (const auto& a : task.value("attachments", Json::array()))
    for (const auto& d : a.value("details", Json::array()))
      if (d.value("name", "") == "privateIPv4Address") return d.value("value", "");
  return {};
}

long host_port(const Json& task, const std::string& container, long container_port) {
  for (const auto& c : task.value("containers", Json::array())) {
    if (c.value("name", "") != container) continue;
    for (const auto& b : c.value("networkBindings", Json::array()))
      if (b.value("containerPort", -1L) == container_port) return b.value("hostPort", 0L);
  }
  return 0;
}

}  // namespace

std::vector<std::tuple<std::string, std::string, long>> task_targets(Store& store, Elbv2& elbv2, const Json& task) {
  std::vector<std::tuple<std::string, std::string, long>> out;
  const Json& internal = task.value("_", Json::object());
  if (!internal.contains("service") || !internal["service"].is_string()) return out;
  const Json* svc = store.get("services", internal["service"].get<std::string>());
  if (!svc) return out;
  for (const auto& lb : svc->value("loadBalancers", Json::array())) {
    // Blue/green: a deployment's tasks go to its side's target group.
    std::string tg_arn = BlueGreen::target_group_of(*svc, lb, internal.value("deployment", ""));
    const Json* tg = elbv2.target_group(tg_arn);
    if (!tg) continue;
    std::string container = lb.value("containerName", "");
    long port = lb.value("containerPort", 0L);
    if ((*tg).value("TargetType", "instance") == "ip") {
      std::string ip = eni_ip(task);
      if (!ip.empty()) out.emplace_back(tg_arn, ip, port);
      continue;
    }
    const Json* ci = task.contains("containerInstanceArn")
                         ? store.get("instances", task["containerInstanceArn"].get<std::string>())
                         : nullptr;
    long host = host_port(task, container, port);
    if (ci && host > 0) out.emplace_back(tg_arn, ci->value("ec2InstanceId", ""), host);
  }
  return out;
}

void connect_load_balancing(Ecs& ecs, Store& store, Elbv2& elbv2) {
  ecs.hooks().on_running.push_back([&store, &elbv2](const Json& task) {
    auto targets = task_targets(store, elbv2, task);
    if (targets.empty()) return;
    Json saved = Json::array();
    for (const auto& [tg, id, port] : targets) {
      const Json* group = elbv2.target_group(tg);
      std::string type = group ? group->value("TargetType", "instance") : "instance";
      elbv2.register_target(tg, id, port, elbv2.reachable_address(type, id, true));
      saved.push_back({tg, id, port});
    }
    store.put(k_task_targets, task.value("taskArn", ""), saved);
  });
  // Asked to stop: its targets drain from now on (the proxy sends them nothing new).
  ecs.hooks().on_stopping.push_back([&store, &elbv2](const Json& task) {
    const Json* saved = store.get(k_task_targets, task.value("taskArn", ""));
    if (!saved) return;
    for (const auto& t : *saved) elbv2.deregister_target(t[0], t[1], t[2]);
  });
  ecs.hooks().on_stopped.push_back([&store, &elbv2](const Json& task) {
    std::string arn = task.value("taskArn", "");
    const Json* saved = store.get(k_task_targets, arn);
    if (!saved) return;
    for (const auto& t : *saved) elbv2.deregister_target(t[0], t[1], t[2]);
    store.erase(k_task_targets, arn);
  });
  // Blue/green traffic shifts move a listener rule's forward action.
  ecs.hooks().rule_forward = [&elbv2](const std::string& rule) {
    Json out = elbv2.call("DescribeRules", {{"RuleArns", Json::array({rule})}});
    for (const auto& a : out["Rules"][0].value("Actions", Json::array()))
      if (a.value("Type", "") == "forward")
        return a.value("ForwardConfig", Json::object()).value("TargetGroups", Json::array());
    return Json::array();
  };
  ecs.hooks().set_rule_forward = [&elbv2](const std::string& rule, const Json& groups) {
    Json action = {{"Type", "forward"}, {"ForwardConfig", {{"TargetGroups", groups}}}};
    elbv2.call("ModifyRule", {{"RuleArn", rule}, {"Actions", Json::array({action})}});
  };
  // A target of the task that its target group's checks found unhealthy, with
  // ECS's service event ("service unhealthy event messages" in its guide).
  ecs.hooks().health_failure.push_back([&store, &elbv2](const Json& task) -> TaskHooks::HealthFailure {
    const Json* saved = store.get(k_task_targets, task.value("taskArn", ""));
    if (!saved) return {};
    for (const auto& t : *saved) {
      Json h = elbv2.target_health(t[0], t[1], t[2]);
      if (!h.is_object() || h.value("State", "") != "unhealthy") continue;
      std::string tg = t[0], id = t[1], arn = task.value("taskArn", "");
      std::string event = "(task " + arn.substr(arn.rfind('/') + 1) + ") ";
      if (id.rfind("i-", 0) == 0) event += "(instance " + id + ") ";
      event += "(port " + std::to_string(t[2].get<long>()) + ") is unhealthy in (target-group " + tg + ") due to (reason " +
               h.value("Description", h.value("Reason", "")) + ")";
      return {"Task failed ELB health checks in (target-group " + tg + ")", event};
    }
    return {};
  });
  // A target of the task still being checked (initial) or failing (unhealthy):
  // the task is not in service yet.
  ecs.hooks().awaiting_health.push_back([&store, &elbv2](const Json& task) {
    const Json* saved = store.get(k_task_targets, task.value("taskArn", ""));
    if (!saved) return false;
    for (const auto& t : *saved) {
      Json h = elbv2.target_health(t[0], t[1], t[2]);
      std::string state = h.is_object() ? h.value("State", "") : "";
      if (state == "initial" || state == "unhealthy") return true;
    }
    return false;
  });
}

void check_service_load_balancers(Elbv2& elbv2, const Json& in, const Json& td) {
  std::string mode = td.value("networkMode", "bridge");
  for (const auto& lb : in.value("loadBalancers", Json::array())) {
    if (!lb.contains("targetGroupArn")) continue;  // Classic Load Balancers: not simulated
    std::string arn = lb.value("targetGroupArn", "");
    const Json* tg = elbv2.target_group(arn);
    if (!tg) throw ApiError("InvalidParameterException", "The target group with targetGroupArn " + arn + " does not exist.");
    if ((*tg)["LoadBalancerArns"].empty())
      throw ApiError("InvalidParameterException",
                     "The target group with targetGroupArn " + arn + " does not have an associated load balancer.");
    std::string type = (*tg).value("TargetType", "instance");
    if ((mode == "awsvpc") != (type == "ip"))
      throw ApiError("InvalidParameterException", "The provided target group " + arn + " has target type " + type +
                                                      ", which is incompatible with the " + mode +
                                                      " network mode specified in the task definition.");
    std::string container = lb.value("containerName", "");
    long port = lb.value("containerPort", 0L);
    bool found = false;
    for (const auto& c : td.value("containerDefinitions", Json::array())) {
      if (c.value("name", "") != container) continue;
      for (const auto& p : c.value("portMappings", Json::array()))
        if (p.value("containerPort", -1L) == port) found = true;
      if (!found)
        throw ApiError("InvalidParameterException",
                       "The container " + container + " did not have a container port " + std::to_string(port) + " defined.");
    }
    if (!found)
      throw ApiError("InvalidParameterException",
                     "The container " + container + " does not exist in the task definition.");
  }
}

}  // namespace ecsctl::local
