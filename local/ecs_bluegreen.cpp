// ECS's native blue/green deployments (deploymentConfiguration.strategy
// BLUE_GREEN), driven by the service scheduler. The service's state is in
// svc["_"]: "sides" (deployment id -> 0: targetGroupArn, 1:
// alternateTargetGroupArn), "prod_side" (the side production traffic goes to)
// and "bg" (the deployment in progress: stage, since, saved rule actions).
#include <algorithm>
#include <iterator>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

namespace {

// How long each stage lasts at least, in ECS seconds (a tenth at --pace fast).
constexpr double k_stage_seconds = 10;

const char* const k_stages[] = {"RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP",
                                "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT",
                                "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"};

std::string next_stage(const std::string& stage) {
  for (size_t i = 0; i + 1 < std::size(k_stages); ++i)
    if (stage == k_stages[i]) return k_stages[i + 1];
  return {};
}

long side_of(const Json& svc, const std::string& id) {
  auto x = svc.find("_");
  if (x == svc.end() || !x->is_object()) return 0;
  auto sides = x->find("sides");
  if (sides != x->end() && sides->is_object() && sides->contains(id)) return (*sides)[id].get<long>();
  return x->value("prod_side", 0L);
}

std::string group_on(const Json& lb, long side) {
  if (side == 1 && lb.contains("advancedConfiguration"))
    return lb["advancedConfiguration"].value("alternateTargetGroupArn", lb.value("targetGroupArn", ""));
  return lb.value("targetGroupArn", "");
}

bool is_blue_green(const Json& svc) {
  return svc.value("deploymentConfiguration", Json::object()).value("strategy", "ROLLING") == "BLUE_GREEN";
}

// Points `member` (productionListenerRule / testListenerRule) of each load
// balancer at the target group of `side`, saving what the rule forwarded to
// before (in bg["saved"]) the first time.
void shift(Ecs& e, std::mt19937_64& rng, Json& svc, const char* member, long side) {
  Json& bg = svc["_"]["bg"];
  for (const auto& lb : svc.value("loadBalancers", Json::array())) {
    const Json adv = lb.value("advancedConfiguration", Json::object());
    std::string rule = adv.value(member, "");
    if (rule.empty() || !e.hooks().rule_forward || !e.hooks().set_rule_forward) continue;
    try {
      if (!bg["saved"].contains(rule)) bg["saved"][rule] = e.hooks().rule_forward(rule);
      std::string to = group_on(lb, side), from = group_on(lb, 1 - side);
      e.hooks().set_rule_forward(rule, Json::array({Json{{"TargetGroupArn", to}, {"Weight", 100}},
                                                     Json{{"TargetGroupArn", from}, {"Weight", 0}}}));
    } catch (const ApiError& err) {
      ServiceReconciler::service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") could not move the listener rule " +
                                                rule + ": " + err.what(), rng);
    }
  }
}

// Puts back what the rules forwarded to before the deployment.
void restore(Ecs& e, Json& svc) {
  Json& bg = svc["_"]["bg"];
  if (!bg.contains("saved") || !e.hooks().set_rule_forward) return;
  for (auto it = bg["saved"].begin(); it != bg["saved"].end(); ++it) {
    try {
      e.hooks().set_rule_forward(it.key(), it.value());
    } catch (const ApiError&) {
    }
  }
  bg.erase("saved");
}

// The lifecycle hooks of `stage`: the plane runs no Lambda functions, so each
// is recorded as SUCCEEDED at once and a service event says it was not invoked.
void run_hooks(std::mt19937_64& rng, Json& svc, const std::string& stage) {
  Json& bg = svc["_"]["bg"];
  Json hooks = Json::array();
  for (const auto& h : svc["deploymentConfiguration"].value("lifecycleHooks", Json::array())) {
    const Json stages = h.value("lifecycleStages", Json::array());
    if (std::find(stages.begin(), stages.end(), stage) == stages.end()) continue;
    std::string target = h.value("hookTargetArn", "");
    hooks.push_back({{"hookId", uuid(rng)}, {"targetType", h.value("targetType", "AWS_LAMBDA")}, {"targetArn", target},
                     {"status", "SUCCEEDED"}});
    ServiceReconciler::service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") lifecycle hook " + target +
                                              " of stage " + stage + " was not invoked (ecsctl local runs no hook targets); the stage continues.",
                                     rng);
  }
  bg["hooks"] = hooks;
}

}  // namespace

std::string BlueGreen::target_group_of(const Json& svc, const Json& lb, const std::string& id) {
  if (!lb.contains("advancedConfiguration")) return lb.value("targetGroupArn", "");
  return group_on(lb, side_of(svc, id));
}

bool BlueGreen::active(const Json& svc) {
  const Json& x = svc["_"];
  if (!x.contains("bg") || svc["deployments"].empty()) return false;
  const Json& bg = x["bg"];
  return bg.value("status", "") == "deploying" && bg.value("deployment", "") == svc["deployments"][0].value("id", "");
}

std::string BlueGreen::stage(const Json& svc) {
  const Json& x = svc["_"];
  return x.contains("bg") ? x["bg"].value("stage", "") : "";
}

bool BlueGreen::may_scale_up(const Json& svc) {
  if (!active(svc)) return true;
  std::string s = stage(svc);
  return s != "RECONCILE_SERVICE" && s != "PRE_SCALE_UP";
}

bool BlueGreen::may_stop_blue(const Json& svc) { return !active(svc) || stage(svc) == "CLEAN_UP"; }

void BlueGreen::begin(Ecs& e, Json& svc) {
  Json& x = svc["_"];
  std::string id = svc["deployments"][0]["id"];
  long prod = x.value("prod_side", 0L);
  x["prod_side"] = prod;  // present from here on, so setting it later moves nothing
  if (x.contains("bg") && x["bg"].value("status", "") == "deploying") {
    // A new deployment replaces one in progress: before the production shift
    // its rules go back; after it, production stays on its green side.
    const std::string was = x["bg"].value("stage", "");
    bool shifted = false;
    for (const char* s : {"PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"})
      shifted |= was == s;
    if (shifted) x["prod_side"] = side_of(svc, x["bg"].value("deployment", ""));
    else restore(e, svc);
    x.erase("bg");
  }
  prod = x.value("prod_side", 0L);
  // Forget the sides of deployments that are gone.
  if (x.contains("sides")) {
    Json kept = Json::object();
    for (const auto& d : svc["deployments"])
      if (x["sides"].contains(d.value("id", ""))) kept[d.value("id", "")] = x["sides"][d.value("id", "")];
    x["sides"] = kept;
  }
  bool any_alternate = false;
  for (const auto& lb : svc.value("loadBalancers", Json::array()))
    any_alternate |= lb.value("advancedConfiguration", Json::object()).contains("alternateTargetGroupArn");
  if (!is_blue_green(svc) || svc["deployments"].size() < 2) {
    x["sides"][id] = prod;
    return;
  }
  x["sides"][id] = any_alternate ? 1 - prod : prod;
  std::string first = svc["deployments"].size() > 2 ? "RECONCILE_SERVICE" : "PRE_SCALE_UP";
  x["bg"] = {{"deployment", id}, {"status", "deploying"}, {"stage", first}, {"since", now_seconds()},
             {"saved", Json::object()}, {"hooks", Json::array()}};
  run_hooks(e.m_rng, svc, first);
  ServiceReconciler::service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") (deployment " + id +
                                            ") blue/green deployment entered stage " + first + ".", e.m_rng);
}

bool BlueGreen::advance(Ecs& e, Json& svc, long green_running, long blue_left) {
  if (!active(svc)) return false;
  Json& bg = svc["_"]["bg"];
  const double now = now_seconds(), factor = time_factor(e.pace());
  const std::string stage = bg["stage"], id = bg["deployment"];
  long green = side_of(svc, id);
  if (stage != "CLEAN_UP" && now - bg["since"].get<double>() < k_stage_seconds * factor) return false;
  if (stage == "SCALE_UP" && green_running < svc.value("desiredCount", 0L)) return false;
  if (stage == "BAKE_TIME" && now < bg.value("bake_until", 0.0)) return false;
  if (stage == "CLEAN_UP") {
    if (blue_left > 0) return false;
    // Done: production stays on green; the history marks it SUCCESSFUL once
    // the scheduler completes the deployment.
    // (svc["_"] is an ordered map: a new key there moves `bg`; take it again.)
    svc["_"]["prod_side"] = green;
    Json& done = svc["_"]["bg"];
    done["status"] = "done";
    done.erase("saved");
    return true;
  }
  std::string next = next_stage(stage);
  bg["stage"] = next;
  bg["since"] = now;
  if (next == "TEST_TRAFFIC_SHIFT") shift(e, e.m_rng, svc, "testListenerRule", green);
  if (next == "PRODUCTION_TRAFFIC_SHIFT") shift(e, e.m_rng, svc, "productionListenerRule", green);
  if (next == "BAKE_TIME")
    bg["bake_until"] = now + svc["deploymentConfiguration"].value("bakeTimeInMinutes", 0.0) * 60 * factor;
  run_hooks(e.m_rng, svc, next);
  ServiceReconciler::service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") (deployment " + id +
                                            ") blue/green deployment entered stage " + next + ".", e.m_rng);
  return true;
}

void BlueGreen::roll_back(Ecs& e, Json& svc, const std::string& reason) {
  Json& bg = svc["_"]["bg"];
  restore(e, svc);
  Json& deps = svc["deployments"];
  Json green = deps[0];
  Json blue = deps[1];
  green["status"] = "ACTIVE";
  green["rolloutState"] = "FAILED";
  green["rolloutStateReason"] = reason;
  blue["status"] = "PRIMARY";
  blue["desiredCount"] = svc["desiredCount"];
  blue["updatedAt"] = now_seconds();
  deps[0] = blue;
  deps[1] = green;
  svc["taskDefinition"] = blue["taskDefinition"];
  bg["status"] = "rolling_back";
  svc["_"]["steady"] = false;
  ServiceReconciler::service_event(svc, "(service " + svc["serviceName"].get<std::string>() + ") (deployment " +
                                            green["id"].get<std::string>() + ") rolling back to deployment " +
                                            blue["id"].get<std::string>() + " during stage " + bg.value("stage", std::string("")) +
                                            ": production traffic is back on the blue target group.",
                                   e.m_rng);
  if (const Json* stored = e.m_store.get("service_deployments", ServiceHistory::deployment_arn(svc, green["id"]))) {
    Json sd = *stored;
    sd["status"] = "ROLLBACK_IN_PROGRESS";
    sd["rollback"] = {{"reason", reason}, {"startedAt", now_seconds()},
                      {"serviceRevisionArn", svc["_"]["history"].value(blue["id"].get<std::string>(), Json::object()).value("rev", "")}};
    e.m_store.put("service_deployments", sd["serviceDeploymentArn"].get<std::string>(), sd);
  }
}

}  // namespace ecsctl::local
