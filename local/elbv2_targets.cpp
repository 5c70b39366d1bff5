// ELBv2 listeners, targets and their health, and tags.
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <set>

#include "local/elbv2.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_lbs = "elbv2_load_balancers";
constexpr const char* k_tgs = "elbv2_target_groups";
constexpr const char* k_listeners = "elbv2_listeners";
constexpr const char* k_targets = "elbv2_targets";
constexpr const char* k_tags = "elbv2_tags";

std::string target_key(const std::string& tg, const std::string& id, long port) {
  return tg + "|" + id + "|" + std::to_string(port);
}

// The key of one registration of a target for LbRuntime: a re-registration
// starts its health over.
std::string runtime_key(const Json& t) {
  return target_key(t["TargetGroupArn"], t["Id"], t["Port"]) + "#" + std::to_string(t.value("seq", 0L));
}

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

bool valid_instance_id(const std::string& id) {
  return id.size() >= 10 && id.size() <= 19 && id.rfind("i-", 0) == 0 &&
         id.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
}

bool valid_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}


}  // namespace

// The target group ARNs an action list forwards to.
std::vector<std::string> forwarded_target_groups(const Json& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) {
    if (a.contains("TargetGroupArn")) out.push_back(a["TargetGroupArn"]);
    for (const auto& t : a.value("ForwardConfig", Json::object()).value("TargetGroups", Json::array()))
      if (t.contains("TargetGroupArn") && std::find(out.begin(), out.end(), t["TargetGroupArn"]) == out.end())
        out.push_back(t["TargetGroupArn"]);
  }
  return out;
}

// ---- listeners

Json Elbv2::create_listener(const Json& in) {
  std::string lb_arn = in["LoadBalancerArn"];
  const Json* lb = m_store.get(k_lbs, lb_arn);
  if (!lb) throw ApiError("LoadBalancerNotFound", "One or more load balancers not found");
  bool app = (*lb)["Type"] == "application";
  std::string protocol = in.value("Protocol", app ? "HTTP" : "TCP");
  bool http = protocol == "HTTP" || protocol == "HTTPS";
  if (app != http) throw ApiError("UnsupportedProtocol", "Protocol '" + protocol + "' is not supported for this load balancer type");
  if (!in.contains("Port")) throw ApiError("ValidationError", "A listener port must be specified");
  long port = in["Port"];
  if (port < 1 || port > 65535)
    throw ApiError("ValidationError", "1 validation error detected: Value '" + std::to_string(port) +
                                          "' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535");
  if ((protocol == "HTTPS" || protocol == "TLS") && in.value("Certificates", Json::array()).empty())
    throw ApiError("ValidationError", "A certificate must be specified for " + protocol + " listeners");
  for (const auto& [arn, l] : m_store.table(k_listeners))
    if (l["LoadBalancerArn"] == lb_arn && l["Port"] == port)
      throw ApiError("DuplicateListener", "A listener already exists on this port for this load balancer '" + lb_arn + "'");
  Json actions = in["DefaultActions"];
  if (actions.empty()) throw ApiError("ValidationError", "At least one default action must be specified");
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
      if (tg->contains("VpcId") && (*tg)["VpcId"] != (*lb)["VpcId"])
        throw ApiError("InvalidConfigurationRequest",
                       "Target group '" + t + "' is in a different VPC than load balancer '" + lb_arn + "'");
      std::string tp = tg->value("Protocol", "");
      if ((tp == "HTTP" || tp == "HTTPS") != app)
        throw ApiError("IncompatibleProtocols", "Listener protocol '" + protocol + "' is not compatible with target group protocol '" + tp + "'");
    }
    if (!a.contains("ForwardConfig")) {
      Json groups = Json::array();
      for (const auto& t : tgs) groups.push_back({{"TargetGroupArn", t}, {"Weight", 1}});
      a["ForwardConfig"] = {{"TargetGroups", groups}, {"TargetGroupStickinessConfig", {{"Enabled", false}}}};
    }
  }
  std::string lb_path = lb_arn.substr(lb_arn.find(":loadbalancer/") + 14);
  std::string l_arn = arn("listener/" + lb_path + "/" + [this] {
                        static const char* k_hex = "0123456789abcdef";
                        std::string h;
                        while (h.size() < 16) h += k_hex[m_rng() & 15];
                        return h;
                      }());
  Json l = {{"ListenerArn", l_arn}, {"LoadBalancerArn", lb_arn}, {"Port", port}, {"Protocol", protocol}};
  if (in.contains("Certificates")) l["Certificates"] = in["Certificates"];
  if (in.contains("SslPolicy") || protocol == "HTTPS" || protocol == "TLS")
    l["SslPolicy"] = in.value("SslPolicy", "ELBSecurityPolicy-2016-08");
  l["DefaultActions"] = actions;
  l["_"] = {{"seq", m_store.next_sequence("elbv2")}};
  for (const auto& t : forwarded_target_groups(actions)) {
    Json tg = *m_store.get(k_tgs, t);
    auto& lbs = tg["LoadBalancerArns"];
    if (std::find(lbs.begin(), lbs.end(), Json(lb_arn)) == lbs.end()) lbs.push_back(lb_arn);
    m_store.put(k_tgs, t, tg);
  }
  m_store.put(k_listeners, l_arn, l);
  if (in.contains("Tags")) add_tags({{"ResourceArns", {l_arn}}, {"Tags", in["Tags"]}});
  return {{"Listeners", Json::array({strip(l)})}};
}

Json Elbv2::describe_listeners(const Json& in) {
  std::string lb_arn = in.value("LoadBalancerArn", "");
  std::vector<std::string> arns;
  for (const auto& a : in.value("ListenerArns", Json::array())) arns.push_back(a);
  if (lb_arn.empty() && arns.empty())
    throw ApiError("ValidationError", "You must specify either listener ARNs or a load balancer ARN");
  if (!lb_arn.empty() && !m_store.get(k_lbs, lb_arn)) throw ApiError("LoadBalancerNotFound", "One or more load balancers not found");
  for (const auto& a : arns)
    if (!m_store.get(k_listeners, a)) throw ApiError("ListenerNotFound", "One or more listeners not found");
  std::vector<Json> all;
  for (const auto& [arn, l] : m_store.table(k_listeners)) all.push_back(l);
  std::stable_sort(all.begin(), all.end(), [](const Json& a, const Json& b) { return a["_"]["seq"] < b["_"]["seq"]; });
  Json out = {{"Listeners", Json::array()}};
  for (const auto& l : all) {
    if (!lb_arn.empty() && l["LoadBalancerArn"] != lb_arn) continue;
    if (!arns.empty() && std::find(arns.begin(), arns.end(), l["ListenerArn"]) == arns.end()) continue;
    out["Listeners"].push_back(strip(l));
  }
  return out;
}

Json Elbv2::delete_listener(const Json& in) {
  std::string l_arn = in["ListenerArn"];
  const Json* l = m_store.get(k_listeners, l_arn);
  if (!l) throw ApiError("ListenerNotFound", "One or more listeners not found");
  std::string lb_arn = (*l)["LoadBalancerArn"];
  std::vector<std::string> released = forwarded_target_groups((*l)["DefaultActions"]);
  m_store.erase(k_listeners, l_arn);
  m_store.erase(k_tags, l_arn);
  std::vector<std::string> rules;
  for (const auto& [arn, r] : m_store.table("elbv2_rules"))
    if (r["_"]["listener"] == l_arn) rules.push_back(arn);
  for (const auto& r : rules) m_store.erase("elbv2_rules", r);
  std::set<std::string> still;
  for (const auto& [arn, other] : m_store.table(k_listeners))
    if (other["LoadBalancerArn"] == lb_arn)
      for (const auto& t : forwarded_target_groups(other["DefaultActions"])) still.insert(t);
  for (const auto& t : released) {
    const Json* stored = m_store.get(k_tgs, t);
    if (!stored || still.count(t)) continue;
    Json tg = *stored;
    auto& lbs = tg["LoadBalancerArns"];
    lbs.erase(std::remove(lbs.begin(), lbs.end(), Json(lb_arn)), lbs.end());
    m_store.put(k_tgs, t, tg);
  }
  return Json::object();
}

// ---- targets

void Elbv2::register_target(const std::string& tg_arn, const std::string& id, long port, const std::string& address) {
  std::string key = target_key(tg_arn, id, port);
  const Json* existing = m_store.get(k_targets, key);
  if (existing && !existing->contains("deregistered")) return;
  Json t = {{"TargetGroupArn", tg_arn}, {"Id", id}, {"Port", port}, {"registered", m_clock()},
            {"seq", m_store.next_sequence("elbv2")}};
  if (!address.empty()) t["address"] = address;
  m_store.put(k_targets, key, t);
}

std::string Elbv2::reachable_address(const std::string& target_type, const std::string& id, bool task) const {
  if (target_type == "ip") {
    in_addr a{};
    bool loopback = inet_pton(AF_INET, id.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
    return loopback || m_tasks_reachable ? id : "";
  }
  if (target_type == "instance" && task && m_tasks_reachable) return "127.0.0.1";  // bridge/host: the host port on loopback
  return "";
}

void Elbv2::start_runtime(std::function<void(const std::string&)> log) {
  if (!m_runtime) m_runtime = std::make_unique<LbRuntime>(m_fast, k_elb_fast_factor, std::move(log));
  m_last_snapshot = {};
}

Json Elbv2::listener_endpoints() const { return m_runtime ? m_runtime->endpoints() : Json::array(); }

Json Elbv2::runtime_snapshot() {
  Json out = {{"listeners", Json::array()}, {"groups", Json::object()}};
  std::vector<Json> listeners;
  for (const auto& [arn, l] : m_store.table(k_listeners)) listeners.push_back(l);
  std::stable_sort(listeners.begin(), listeners.end(),
                   [](const Json& a, const Json& b) { return a["_"].value("seq", 0L) < b["_"].value("seq", 0L); });
  for (const auto& l : listeners)
  {
    Json rules = Json::array();
    for (const auto& r : listener_rules(l["ListenerArn"]))
      if (!r.value("IsDefault", false)) rules.push_back({{"conditions", r["Conditions"]}, {"actions", r["Actions"]}});
    out["listeners"].push_back({{"arn", l["ListenerArn"]}, {"port", l["Port"]}, {"protocol", l["Protocol"]},
                                {"actions", l["DefaultActions"]}, {"rules", rules}});
  }
  for (const auto& [arn, tg] : m_store.table(k_tgs)) {
    bool hc_http = tg.value("HealthCheckProtocol", "") == "HTTP" || tg.value("HealthCheckProtocol", "") == "HTTPS";
    out["groups"][arn] = {{"checks", !tg["LoadBalancerArns"].empty() && tg.value("HealthCheckEnabled", true)},
                          {"hcProtocol", tg.value("HealthCheckProtocol", "TCP")},
                          {"hcPort", tg.value("HealthCheckPort", "traffic-port")},
                          {"hcPath", tg.value("HealthCheckPath", "/")},
                          {"matcher", hc_http ? tg.value("Matcher", Json::object()).value("HttpCode", "200") : ""},
                          {"interval", tg.value("HealthCheckIntervalSeconds", 30.0)},
                          {"timeout", tg.value("HealthCheckTimeoutSeconds", 5.0)},
                          {"healthy", tg.value("HealthyThresholdCount", 5)},
                          {"unhealthy", tg.value("UnhealthyThresholdCount", 2)},
                          {"targets", Json::array()}};
  }
  std::vector<Json> all;
  for (const auto& [k, t] : m_store.table(k_targets)) all.push_back(t);
  std::stable_sort(all.begin(), all.end(), [](const Json& a, const Json& b) { return a["seq"] < b["seq"]; });
  for (const auto& t : all) {
    std::string tg_arn = t["TargetGroupArn"];
    const Json* tg = m_store.get(k_tgs, tg_arn);
    if (!tg) continue;
    Json entry = {{"key", runtime_key(t)}, {"id", t["Id"]}, {"port", t["Port"]},
                  {"address", t.value("address", "")}, {"draining", t.contains("deregistered")}};
    // Simulated targets: the proxy needs their (timer-driven) state.
    if (entry["address"] == "") entry["state"] = health_of(*tg, t)["TargetHealth"]["State"];
    out["groups"][tg_arn]["targets"].push_back(entry);
  }
  return out;
}

void Elbv2::deregister_target(const std::string& tg_arn, const std::string& id, long port) {
  std::string key = target_key(tg_arn, id, port);
  const Json* existing = m_store.get(k_targets, key);
  if (!existing || existing->contains("deregistered")) return;
  Json t = *existing;
  t["deregistered"] = m_clock();
  m_store.put(k_targets, key, t);
}

bool Elbv2::tick() {
  double now = m_clock();
  std::vector<std::string> gone;
  for (const auto& [key, t] : m_store.table(k_targets)) {
    if (!t.contains("deregistered")) continue;
    const Json* tg = m_store.get(k_tgs, t["TargetGroupArn"].get<std::string>());
    double delay = tg ? (*tg)["_"].value("deregistrationDelay", 300.0) : 0.0;
    if (now >= t["deregistered"].get<double>() + scaled(delay)) gone.push_back(key);
  }
  for (const auto& k : gone) m_store.erase(k_targets, k);
  // The runtime's configuration, at most 10 times a second (tick runs every few ms).
  auto now_steady = std::chrono::steady_clock::now();
  if (m_runtime && now_steady - m_last_snapshot >= std::chrono::milliseconds(100)) {
    m_last_snapshot = now_steady;
    m_runtime->update(runtime_snapshot());
  }
  return !gone.empty();
}

Json Elbv2::health_of(const Json& tg, const Json& target) const {
  Json d = {{"Target", {{"Id", target["Id"]}, {"Port", target["Port"]}}}};
  std::string hc_port = tg.value("HealthCheckPort", "traffic-port");
  d["HealthCheckPort"] = hc_port == "traffic-port" ? std::to_string(target["Port"].get<long>()) : hc_port;
  auto health = [](const char* state, const char* reason, const char* description) {
    Json h = {{"State", state}};
    if (reason) h["Reason"] = reason;
    if (description) h["Description"] = description;
    return h;
  };
  double now = m_clock();
  if (target.contains("deregistered")) {
    d["TargetHealth"] = health("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress");
  } else if (target.contains("missing")) {
    d["TargetHealth"] = health("unused", "Target.NotRegistered", "Target is not registered to the target group");
  } else if (tg["LoadBalancerArns"].empty()) {
    d["TargetHealth"] = health("unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer");
  } else if (!tg.value("HealthCheckEnabled", true)) {
    d["TargetHealth"] = health("unavailable", "Target.HealthCheckDisabled", "Health checks are disabled for the target group");
  } else if (!target.value("address", "").empty() && m_runtime) {
    // A real target: what the health checks found (local/lb_proxy.cpp).
    auto h = m_runtime->health(runtime_key(target));
    LbTargetHealth found = h ? *h : LbTargetHealth{};
    d["TargetHealth"] = health(found.state.c_str(), found.reason.empty() ? nullptr : found.reason.c_str(),
                               found.description.empty() ? nullptr : found.description.c_str());
  } else {
    double elapsed = now - target["registered"].get<double>();
    double interval = tg.value("HealthCheckIntervalSeconds", 30.0);
    double settle = interval * tg.value("HealthyThresholdCount", 5.0);
    if (elapsed < scaled(interval)) d["TargetHealth"] = health("initial", "Elb.RegistrationInProgress", "Target registration is in progress");
    else if (elapsed < scaled(settle)) d["TargetHealth"] = health("initial", "Elb.InitialHealthChecking", "Initial health checks in progress");
    else d["TargetHealth"] = health("healthy", nullptr, nullptr);
  }
  return d;
}

Json Elbv2::target_health(const std::string& tg_arn, const std::string& id, long port) {
  const Json* tg = m_store.get(k_tgs, tg_arn);
  const Json* stored = m_store.get(k_targets, target_key(tg_arn, id, port));
  if (!tg || !stored) return Json();
  return health_of(*tg, *stored)["TargetHealth"];
}

Json Elbv2::register_targets(const Json& in) {
  std::string tg_arn = in["TargetGroupArn"];
  const Json* tg = m_store.get(k_tgs, tg_arn);
  if (!tg) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  std::string type = (*tg)["TargetType"];
  for (const auto& t : in["Targets"]) {
    std::string id = t.value("Id", "");
    if (type == "instance" && !valid_instance_id(id))
      throw ApiError("InvalidTarget", "The following targets are not valid instances: '" + id + "'");
    if (type == "ip" && !valid_ipv4(id))
      throw ApiError("ValidationError", "The IP address '" + id + "' is not a valid IPv4 address");
    long port = t.value("Port", tg->value("Port", 0L));
    if (port < 1 || port > 65535) throw ApiError("ValidationError", "A port must be specified for target '" + id + "'");
  }
  for (const auto& t : in["Targets"])
    register_target(tg_arn, t["Id"], t.value("Port", tg->value("Port", 0L)), reachable_address(type, t["Id"], false));
  return Json::object();
}

Json Elbv2::deregister_targets(const Json& in) {
  std::string tg_arn = in["TargetGroupArn"];
  const Json* tg = m_store.get(k_tgs, tg_arn);
  if (!tg) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  for (const auto& t : in["Targets"]) {
    std::string id = t.value("Id", "");
    if (!m_store.get(k_targets, target_key(tg_arn, id, t.value("Port", tg->value("Port", 0L)))))
      throw ApiError("InvalidTarget", "The following targets are not registered in target group '" + tg_arn + "': '" + id + "'");
  }
  for (const auto& t : in["Targets"]) deregister_target(tg_arn, t["Id"], t.value("Port", tg->value("Port", 0L)));
  return Json::object();
}

Json Elbv2::describe_target_health(const Json& in) {
  tick();
  std::string tg_arn = in["TargetGroupArn"];
  const Json* tg = m_store.get(k_tgs, tg_arn);
  if (!tg) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  Json out = {{"TargetHealthDescriptions", Json::array()}};
  if (in.contains("Targets")) {
    for (const auto& t : in["Targets"]) {
      std::string id = t.value("Id", "");
      long port = t.value("Port", tg->value("Port", 0L));
      const Json* stored = m_store.get(k_targets, target_key(tg_arn, id, port));
      out["TargetHealthDescriptions"].push_back(
          health_of(*tg, stored ? *stored : Json{{"Id", id}, {"Port", port}, {"missing", true}}));
    }
    return out;
  }
  std::vector<Json> all;
  for (const auto& [k, t] : m_store.table(k_targets))
    if (t["TargetGroupArn"] == tg_arn) all.push_back(t);
  std::stable_sort(all.begin(), all.end(), [](const Json& a, const Json& b) { return a["seq"] < b["seq"]; });
  for (const auto& t : all) out["TargetHealthDescriptions"].push_back(health_of(*tg, t));
  return out;
}

// ---- tags

void Elbv2::require_resource(const std::string& arn) {
  if (arn.find(":targetgroup/") != std::string::npos) {
    if (!m_store.get(k_tgs, arn)) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  } else if (arn.find(":listener/") != std::string::npos) {
    if (!m_store.get(k_listeners, arn)) throw ApiError("ListenerNotFound", "One or more listeners not found");
  } else if (arn.find(":listener-rule/") != std::string::npos) {
    if (!m_store.get("elbv2_rules", arn) && default_rule_listener(arn).empty())
      throw ApiError("RuleNotFound", "One or more rules not found");
  } else if (!m_store.get(k_lbs, arn)) {
    throw ApiError("LoadBalancerNotFound", "One or more load balancers not found");
  }
}

Json Elbv2::add_tags(const Json& in) {
  std::set<std::string> keys;
  for (const auto& t : in["Tags"])
    if (!keys.insert(t.value("Key", "")).second)
      throw ApiError("DuplicateTagKeys", "Tag key '" + t.value("Key", "") + "' is duplicated");
  for (const auto& a : in["ResourceArns"]) require_resource(a);
  for (const auto& a : in["ResourceArns"]) {
    const Json* stored = m_store.get(k_tags, a.get<std::string>());
    Json tags = stored ? *stored : Json::array();
    for (const auto& t : in["Tags"]) {
      auto same = std::find_if(tags.begin(), tags.end(), [&](const Json& x) { return x["Key"] == t["Key"]; });
      if (same != tags.end()) *same = t;
      else tags.push_back(t);
    }
    if (tags.size() > 50) throw ApiError("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");
    m_store.put(k_tags, a.get<std::string>(), tags);
  }
  return Json::object();
}

Json Elbv2::remove_tags(const Json& in) {
  for (const auto& a : in["ResourceArns"]) require_resource(a);
  for (const auto& a : in["ResourceArns"]) {
    const Json* stored = m_store.get(k_tags, a.get<std::string>());
    if (!stored) continue;
    Json tags = Json::array();
    for (const auto& t : *stored)
      if (std::find(in["TagKeys"].begin(), in["TagKeys"].end(), t["Key"]) == in["TagKeys"].end()) tags.push_back(t);
    m_store.put(k_tags, a.get<std::string>(), tags);
  }
  return Json::object();
}

Json Elbv2::describe_tags(const Json& in) {
  Json out = {{"TagDescriptions", Json::array()}};
  for (const auto& a : in["ResourceArns"]) {
    require_resource(a);
    const Json* stored = m_store.get(k_tags, a.get<std::string>());
    out["TagDescriptions"].push_back({{"ResourceArn", a}, {"Tags", stored ? *stored : Json::array()}});
  }
  return out;
}

}  // namespace ecsctl::local
