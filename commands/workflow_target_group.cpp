#include "commands/workflow_target_group.hpp"

#include "core/error.hpp"

namespace ecsctl::commands::workflow {

static std::string network_mode_of(const Json& def) {
  if (def.contains("networkMode") && def["networkMode"].is_string()) return def["networkMode"].get<std::string>();
  for (const auto& c : def.value("requiresCompatibilities", Json::array()))
    if (c == "FARGATE") return "awsvpc";
  return "bridge";
}

TargetGroupSettings derive_target_group(const Json& def, const std::string& container, std::optional<long> port) {
  TargetGroupSettings s;
  s.network_mode = network_mode_of(def);
  if (s.network_mode == "none") throw_usage("a task with networkMode none cannot be behind a load balancer");
  s.target_type = s.network_mode == "awsvpc" ? "ip" : "instance";
  const Json* c = nullptr;
  if (def.contains("containerDefinitions") && def["containerDefinitions"].is_array())
    for (const auto& cd : def["containerDefinitions"])
      if (cd.value("name", "") == container) c = &cd;
  if (!c) {
    std::string names;
    for (const auto& cd : def.value("containerDefinitions", Json::array())) names += " " + cd.value("name", "");
    throw_usage("the task definition has no container '" + container + "'", "its containers:" + names);
  }
  const Json* mapping = nullptr;
  const Json no_mappings = Json::array();
  const Json& mappings = c->contains("portMappings") ? (*c)["portMappings"] : no_mappings;
  for (const auto& pm : mappings)
    if (!mapping && (!port || pm.value("containerPort", -1L) == *port)) mapping = &pm;
  if (!mapping)
    throw_usage("container '" + container + "' " +
                    (port ? "does not map port " + std::to_string(*port) : std::string("has no port mappings")),
                "add a portMappings entry for the port the load balancer should reach");
  s.port = mapping->value("containerPort", 0L);
  std::string app = mapping->value("appProtocol", "");
  std::string proto = mapping->value("protocol", "tcp");
  s.protocol = proto == "udp" ? "UDP" : "HTTP";
  if (app == "http2") s.protocol_version = "HTTP2";
  if (app == "grpc") s.protocol_version = "GRPC";
  return s;
}

void apply_target_group_settings(Json& in, const TargetGroupSettings& s) {
  if (in.contains("TargetType")) {
    std::string t = in["TargetType"];
    if (t != s.target_type)
      throw Error(Exit::usage,
                  "--target-type " + t + " cannot reach tasks with networkMode " + s.network_mode,
                  {}, "use --target-type " + s.target_type + " (or leave it out)");
  }
  in["TargetType"] = s.target_type;
  if (!in.contains("Port")) in["Port"] = s.port;
  if (!in.contains("Protocol")) in["Protocol"] = s.protocol;
  if (!in.contains("ProtocolVersion") && !s.protocol_version.empty() && in["Protocol"] != "UDP")
    in["ProtocolVersion"] = s.protocol_version;
}

static std::string target_group_arn(Runtime& rt, const std::string& tg) {
  if (tg.rfind("arn:", 0) == 0) return tg;
  Json out = rt.call("elbv2", "DescribeTargetGroups", {{"Names", {tg}}});
  auto groups = out.value("TargetGroups", Json::array());
  if (groups.empty()) throw Error(Exit::usage, "target group '" + tg + "' not found");
  return groups[0].value("TargetGroupArn", "");
}

Json service_load_balancer(Runtime& rt, const Json& def, const std::string& tg, const std::string& container,
                           std::optional<long> port) {
  TargetGroupSettings s = derive_target_group(def, container, port);
  return {{"targetGroupArn", target_group_arn(rt, tg)}, {"containerName", container}, {"containerPort", s.port}};
}

Json create_load_balancer_with_listener(Runtime& rt, const Json& lb_input, const ListenerPlan& plan, Journal& journal) {
  std::string tg_arn = target_group_arn(rt, plan.target_group);
  Json lb = rt.call("elbv2", "CreateLoadBalancer", lb_input);
  auto lbs = lb.value("LoadBalancers", Json::array());
  if (lbs.empty()) throw Error(Exit::other, "CreateLoadBalancer returned no load balancer");
  std::string lb_arn = lbs[0].value("LoadBalancerArn", "");
  journal.done("load balancer " + lbs[0].value("LoadBalancerName", lb_arn));
  std::string protocol = plan.protocol.empty() ? (plan.type == "network" ? "TCP" : "HTTP") : plan.protocol;
  try {
    Json existing = rt.call("elbv2", "DescribeListeners", {{"LoadBalancerArn", lb_arn}});
    for (const auto& l : existing.value("Listeners", Json::array())) {
      if (l.value("Port", 0L) != plan.port) continue;
      for (const auto& a : l.value("DefaultActions", Json::array()))
        if (a.value("Type", "") == "forward" && a.value("TargetGroupArn", "") == tg_arn) {
          lb["Listeners"] = {l};
          return lb;
        }
      throw Error(Exit::usage, "port " + std::to_string(plan.port) + " of the load balancer already has a listener "
                  "that does not forward to " + plan.target_group, {}, journal.summary({"the listener"}));
    }
    Json in = {{"LoadBalancerArn", lb_arn},
               {"Protocol", protocol},
               {"Port", plan.port},
               {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg_arn}}}}};
    lb["Listeners"] = rt.call("elbv2", "CreateListener", in).value("Listeners", Json::array());
  } catch (const ServiceError& e) {
    throw Error(e.code(), e.what(), {}, journal.summary({"the listener on port " + std::to_string(plan.port)}));
  }
  return lb;
}

}  // namespace ecsctl::commands::workflow
