#include "commands/deploy_bluegreen.hpp"

#include "commands/poller.hpp"
#include "core/error.hpp"
#include "output/render.hpp"

namespace ecsctl::commands::workflow {

namespace {

bool in_progress(const std::string& status) {
  return status == "PENDING" || status == "IN_PROGRESS" || status == "STOP_REQUESTED" ||
         status == "ROLLBACK_REQUESTED" || status == "ROLLBACK_IN_PROGRESS";
}

// The target group a revision's tasks register in (its resolved load balancers).
std::string revision_group(Runtime& rt, const std::string& revision) {
  if (revision.empty()) return {};
  Json out = rt.call("ecs", "DescribeServiceRevisions", {{"serviceRevisionArns", Json::array({revision})}});
  for (const auto& r : out.value("serviceRevisions", Json::array()))
    for (const auto& lb : r.value("resolvedConfiguration", Json::object()).value("loadBalancers", Json::array()))
      if (!lb.value("targetGroupArn", "").empty()) return lb.value("targetGroupArn", "");
  return {};
}

std::string short_group(const std::string& arn) {
  // arn:...:targetgroup/NAME/ID -> NAME
  auto slash = arn.find(":targetgroup/");
  if (slash == std::string::npos) return arn;
  std::string rest = arn.substr(slash + 13);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

bool is_blue_green(const Json& service) {
  return service.value("deploymentConfiguration", Json::object()).value("strategy", "") == "BLUE_GREEN";
}

Json newest_deployment(Runtime& rt, const std::string& cluster, const Json& service, bool target_groups) {
  Json in = {{"service", service.value("serviceArn", service.value("serviceName", ""))}, {"maxResults", 5}};
  if (!cluster.empty()) in["cluster"] = cluster;
  Json list;
  try {
    list = rt.call("ecs", "ListServiceDeployments", in).value("serviceDeployments", Json::array());
  } catch (const Error& e) {
    if (is_interruption(e.code())) throw;
    return nullptr;  // no deployment history here
  }
  if (list.empty()) return nullptr;
  std::string arn = list[0].value("serviceDeploymentArn", "");
  Json described = rt.call("ecs", "DescribeServiceDeployments", {{"serviceDeploymentArns", Json::array({arn})}});
  Json all = described.value("serviceDeployments", Json::array());
  if (all.empty()) return nullptr;
  const Json& sd = all[0];
  Json out = {{"serviceDeploymentArn", arn}, {"status", sd.value("status", "")}};
  if (sd.contains("lifecycleStage")) out["lifecycleStage"] = sd["lifecycleStage"];
  std::string target = sd.value("targetServiceRevision", Json::object()).value("arn", "");
  if (target_groups) {
    out["greenTargetGroup"] = revision_group(rt, target);
    std::string source;
    for (const auto& s : sd.value("sourceServiceRevisions", Json::array())) source = s.value("arn", source);
    out["blueTargetGroup"] = revision_group(rt, source);
  }
  return out;
}

std::string stage_note(Runtime& rt, const std::string& cluster, const Json& service) {
  if (!is_blue_green(service)) return {};
  Json d = newest_deployment(rt, cluster, service, false);
  if (!d.is_object() || !in_progress(d.value("status", ""))) return {};
  std::string stage = d.value("lifecycleStage", "");
  std::string status = d.value("status", "");
  if (stage.empty()) return status == "IN_PROGRESS" ? "" : "blue/green " + status;
  return "blue/green stage " + stage + (status == "IN_PROGRESS" ? "" : " (" + status + ")");
}

std::optional<int> rollback_blue_green(Context& ctx, Runtime& rt, const std::string& cluster, const std::string& service,
                                       const Json& svc, const WaitOptions& wait, bool no_wait) {
  if (!is_blue_green(svc)) return std::nullopt;
  Json d = newest_deployment(rt, cluster, svc, true);
  if (!d.is_object() || d.value("status", "") != "IN_PROGRESS") return std::nullopt;
  const std::string arn = d["serviceDeploymentArn"];
  const bool text = text_progress(ctx, wait);
  rt.call("ecs", "StopServiceDeployment", {{"serviceDeploymentArn", arn}, {"stopType", "ROLLBACK"}});
  std::string msg = "rolling back the blue/green deployment of " + service + " in stage " +
                    d.value("lifecycleStage", std::string("?")) + " (StopServiceDeployment ROLLBACK): production traffic goes back to " +
                    short_group(d.value("blueTargetGroup", std::string("the blue target group")));
  emit_event(wait, "rolling-back", {{"service", service}, {"serviceDeploymentArn", arn}});
  if (text) ctx.err << msg << "\n";
  if (no_wait) {
    print_result(ctx, {{"serviceDeploymentArn", arn}}, "StopServiceDeployment");
    return 0;
  }
  Progress progress(ctx);
  Poller poller(rt, wait.poll);
  const double start = rt.now();
  std::string last;
  for (;;) {
    check_interrupted();
    Json out = rt.call("ecs", "DescribeServiceDeployments", {{"serviceDeploymentArns", Json::array({arn})}});
    Json sd = out.value("serviceDeployments", Json::array()).empty() ? Json::object() : out["serviceDeployments"][0];
    std::string status = sd.value("status", "");
    bool changed = status != last;
    if (changed) {
      last = status;
      emit_event(wait, "status", {{"service", service}, {"summary", status}});
      if (text) progress.status("deployment " + status);
    }
    if (status == "ROLLBACK_SUCCESSFUL") {
      progress.done();
      if (text) ctx.err << "rolled back: " << service << " runs " << taskdef_short(describe_service(rt, cluster, service).value("taskDefinition", "")) << "\n";
      emit_event(wait, "completed", {{"service", service}});
      print_result(ctx, {{"serviceDeployment", sd}}, "DescribeServiceDeployments");
      return 0;
    }
    if (!in_progress(status))
      throw Error(Exit::deployment_failed, "the rollback of " + service + " ended " + status + ": " + sd.value("statusReason", std::string("")),
                  service);
    double now = rt.now();
    if (wait.timeout > 0 && now - start >= wait.timeout)
      throw Error(Exit::wait_timed_out, "timed out waiting for the rollback of " + service + " (" + status + ")", service,
                  "ECS carries on with it; see `ecsctl status " + service + "`");
    poller.wait(changed, wait.timeout > 0 ? wait.timeout - (now - start) : -1);
  }
}

}  // namespace ecsctl::commands::workflow
