// ELBv2 listener rules: CreateRule, DescribeRules, ModifyRule, DeleteRule. A
// listener's default rule is its DefaultActions (ModifyRule on it changes
// them); the other rules are stored in elbv2_rules and routed by the proxy
// (path-pattern and host-header conditions; see local/README.md).
#include <algorithm>
#include <functional>
#include <set>

#include "local/elbv2.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_tgs = "elbv2_target_groups";
constexpr const char* k_listeners = "elbv2_listeners";
constexpr const char* k_lbs = "elbv2_load_balancers";
constexpr const char* k_rules = "elbv2_rules";

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

std::string hex16(size_t v) {
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i, v >>= 4) out += k_hex[v & 15];
  return out;
}

// "arn:...:listener/app/lb/id/lid" -> "app/lb/id/lid"
std::string listener_path(const std::string& listener_arn) {
  auto at = listener_arn.find(":listener/");
  return at == std::string::npos ? listener_arn : listener_arn.substr(at + 10);
}

// Conditions as ELBv2 returns them: the legacy Values and the *Config form both filled.
Json normalise_conditions(const Json& conditions) {
  Json out = Json::array();
  for (Json c : conditions) {
    std::string field = c.value("Field", "");
    if (field != "path-pattern" && field != "host-header" && field != "http-header" && field != "query-string" &&
        field != "http-request-method" && field != "source-ip")
      throw ApiError("ValidationError", "Condition field '" + field + "' is not valid");
    const char* config = field == "path-pattern" ? "PathPatternConfig" : field == "host-header" ? "HostHeaderConfig" : nullptr;
    if (config) {
      Json values = c.value("Values", Json::array());
      if (values.empty()) values = c.value(config, Json::object()).value("Values", Json::array());
      if (values.empty()) throw ApiError("ValidationError", "A condition value must be specified for '" + field + "'");
      c["Values"] = values;
      c[config] = {{"Values", values}};
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string Elbv2::default_rule_arn(const std::string& listener_arn) const {
  return arn("listener-rule/" + listener_path(listener_arn) + "/" + hex16(std::hash<std::string>{}(listener_arn)));
}

// Checks a rule's or listener's actions against the listener's load balancer
// and fills ForwardConfig for a plain TargetGroupArn.
Json Elbv2::checked_actions(const Json& listener, Json actions) {
  if (actions.empty()) throw ApiError("ValidationError", "At least one action must be specified");
  std::string lb_arn = listener["LoadBalancerArn"];
  for (auto& a : actions) {
    if (a.value("Type", "") != "forward") continue;
    std::vector<std::string> tgs = forwarded_target_groups(Json::array({a}));
    if (tgs.empty()) throw ApiError("ValidationError", "A target group ARN must be specified for a forward action");
    for (const auto& t : tgs) {
      const Json* tg = m_store.get(k_tgs, t);
      if (!tg) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
      const Json& lbs = (*tg)["LoadBalancerArns"];
      if (!lbs.empty() && std::find(lbs.begin(), lbs.end(), Json(lb_arn)) == lbs.end())
        throw ApiError("TargetGroupAssociationLimit",
                       "The following target groups cannot be associated with more than one load balancer: '" + t + "'");
    }
    if (!a.contains("ForwardConfig")) {
      Json groups = Json::array();
      for (const auto& t : tgs) groups.push_back({{"TargetGroupArn", t}, {"Weight", 1}});
      a["ForwardConfig"] = {{"TargetGroups", groups}, {"TargetGroupStickinessConfig", {{"Enabled", false}}}};
    } else if (tgs.size() == 1 && !a.contains("TargetGroupArn")) {
      a["TargetGroupArn"] = tgs[0];
    }
    if (tgs.size() > 1) a.erase("TargetGroupArn");
  }
  // Forwarding to a target group associates it with the load balancer.
  for (const auto& t : forwarded_target_groups(actions)) {
    Json tg = *m_store.get(k_tgs, t);
    auto& lbs = tg["LoadBalancerArns"];
    if (std::find(lbs.begin(), lbs.end(), Json(lb_arn)) == lbs.end()) {
      lbs.push_back(lb_arn);
      m_store.put(k_tgs, t, tg);
    }
  }
  return actions;
}

Json Elbv2::create_rule(const Json& in) {
  std::string l_arn = in.value("ListenerArn", "");
  const Json* l = m_store.get(k_listeners, l_arn);
  if (!l) throw ApiError("ListenerNotFound", "One or more listeners not found");
  const Json* lb = m_store.get(k_lbs, (*l)["LoadBalancerArn"].get<std::string>());
  if (lb && (*lb).value("Type", "") != "application")
    throw ApiError("ValidationError", "Rules are supported only for Application Load Balancers");
  long priority = in.value("Priority", 0L);
  if (priority < 1 || priority > 50000)
    throw ApiError("ValidationError", "1 validation error detected: Value '" + std::to_string(priority) +
                                          "' at 'priority' failed to satisfy constraint: Member must have value between 1 and 50000");
  for (const auto& [a, r] : m_store.table(k_rules))
    if (r["_"]["listener"] == l_arn && r["Priority"] == std::to_string(priority))
      throw ApiError("PriorityInUse", "Priority '" + std::to_string(priority) + "' is currently in use");
  Json conditions = normalise_conditions(in.value("Conditions", Json::array()));
  if (conditions.empty()) throw ApiError("ValidationError", "A condition must be specified");
  Json actions = checked_actions(*l, in.value("Actions", Json::array()));
  std::string r_arn = arn("listener-rule/" + listener_path(l_arn) + "/" + hex16(m_rng()));
  Json rule = {{"RuleArn", r_arn}, {"Priority", std::to_string(priority)}, {"Conditions", conditions},
               {"Actions", actions}, {"IsDefault", false}};
  rule["_"] = {{"listener", l_arn}, {"seq", m_store.next_sequence("elbv2")}};
  m_store.put(k_rules, r_arn, rule);
  if (in.contains("Tags")) add_tags({{"ResourceArns", {r_arn}}, {"Tags", in["Tags"]}});
  return {{"Rules", Json::array({strip(rule)})}};
}

// The rules of a listener as DescribeRules lists them: by priority, the default last.
std::vector<Json> Elbv2::listener_rules(const std::string& listener_arn) {
  std::vector<Json> out;
  for (const auto& [a, r] : m_store.table(k_rules))
    if (r["_"]["listener"] == listener_arn) out.push_back(strip(r));
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return std::stol(a["Priority"].get<std::string>()) < std::stol(b["Priority"].get<std::string>());
  });
  if (const Json* l = m_store.get(k_listeners, listener_arn))
    out.push_back({{"RuleArn", default_rule_arn(listener_arn)}, {"Priority", "default"}, {"Conditions", Json::array()},
                   {"Actions", (*l)["DefaultActions"]}, {"IsDefault", true}});
  return out;
}

// The listener whose default rule `rule_arn` is, or "".
std::string Elbv2::default_rule_listener(const std::string& rule_arn) {
  if (rule_arn.find(":listener-rule/") == std::string::npos) return {};
  for (const auto& [a, l] : m_store.table(k_listeners))
    if (default_rule_arn(a) == rule_arn) return a;
  return {};
}

Json Elbv2::describe_rules(const Json& in) {
  std::string l_arn = in.value("ListenerArn", "");
  Json arns = in.value("RuleArns", Json::array());
  if (l_arn.empty() && arns.empty()) throw ApiError("ValidationError", "You must specify either listener ARN or rule ARNs");
  std::vector<Json> out;
  if (!l_arn.empty()) {
    if (!m_store.get(k_listeners, l_arn)) throw ApiError("ListenerNotFound", "One or more listeners not found");
    out = listener_rules(l_arn);
  } else {
    for (const auto& a : arns) {
      std::string r = a.get<std::string>();
      if (const Json* stored = m_store.get(k_rules, r)) {
        out.push_back(strip(*stored));
        continue;
      }
      std::string owner = default_rule_listener(r);
      if (owner.empty()) throw ApiError("RuleNotFound", "One or more rules not found");
      out.push_back(listener_rules(owner).back());
    }
  }
  Json rules = Json::array();
  for (auto& r : out) rules.push_back(std::move(r));
  return {{"Rules", rules}};
}

Json Elbv2::modify_rule(const Json& in) {
  std::string r_arn = in.value("RuleArn", "");
  if (const Json* stored = m_store.get(k_rules, r_arn)) {
    Json rule = *stored;
    const Json* l = m_store.get(k_listeners, rule["_"]["listener"].get<std::string>());
    if (!l) throw ApiError("RuleNotFound", "One or more rules not found");
    if (in.contains("Conditions")) rule["Conditions"] = normalise_conditions(in["Conditions"]);
    if (in.contains("Actions")) rule["Actions"] = checked_actions(*l, in["Actions"]);
    m_store.put(k_rules, r_arn, rule);
    return {{"Rules", Json::array({strip(rule)})}};
  }
  std::string owner = default_rule_listener(r_arn);
  if (owner.empty()) throw ApiError("RuleNotFound", "One or more rules not found");
  if (!in.value("Conditions", Json::array()).empty())
    throw ApiError("ValidationError", "Conditions cannot be specified for a default rule");
  if (in.contains("Actions")) {
    Json l = *m_store.get(k_listeners, owner);
    l["DefaultActions"] = checked_actions(l, in["Actions"]);
    m_store.put(k_listeners, owner, l);
  }
  return {{"Rules", Json::array({listener_rules(owner).back()})}};
}

Json Elbv2::delete_rule(const Json& in) {
  std::string r_arn = in.value("RuleArn", "");
  if (!m_store.get(k_rules, r_arn)) {
    if (!default_rule_listener(r_arn).empty())
      throw ApiError("OperationNotPermitted", "Default rule '" + r_arn + "' cannot be deleted");
    throw ApiError("RuleNotFound", "One or more rules not found");
  }
  m_store.erase(k_rules, r_arn);
  return Json::object();
}

}  // namespace ecsctl::local
