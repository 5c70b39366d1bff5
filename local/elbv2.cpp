// ELBv2 operations: load balancers, target groups, listeners, targets, tags.
#include "local/elbv2.hpp"

#include <algorithm>
#include <chrono>

#include "local/elbv2_query.hpp"
#include "schemas/model.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_lbs = "elbv2_load_balancers";
constexpr const char* k_tgs = "elbv2_target_groups";
constexpr const char* k_listeners = "elbv2_listeners";
constexpr const char* k_targets = "elbv2_targets";
constexpr const char* k_tags = "elbv2_tags";

double system_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

std::string hex(std::mt19937_64& rng, size_t n) {
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  while (out.size() < n) out += k_hex[rng() & 15];
  return out;
}

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

std::vector<std::string> strings(const Json& in, const char* name) {
  std::vector<std::string> out;
  for (const auto& v : in.value(name, Json::array()))
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The stored values of `table` in creation order.
std::vector<Json> ordered(Store& store, const char* table) {
  std::vector<Json> out;
  for (const auto& [k, v] : store.table(table)) out.push_back(v);
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a["_"].value("seq", 0L) < b["_"].value("seq", 0L);
  });
  return out;
}

// Applies Marker/PageSize to `items` as ELBv2 does (NextMarker when more remain).
Json page(std::vector<Json> items, const Json& in, const char* key) {
  long size = in.value("PageSize", 400L);
  if (size < 1 || size > 400)
    throw ApiError("ValidationError", "1 validation error detected: Value '" + std::to_string(size) +
                                          "' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400");
  size_t start = 0;
  std::string marker = in.value("Marker", "");
  if (!marker.empty()) {
    if (marker.size() > 9 || marker.find_first_not_of("0123456789") != std::string::npos)
      throw ApiError("ValidationError", "The marker '" + marker + "' is not valid");
    start = std::stoul(marker);
  }
  Json out = {{key, Json::array()}};
  size_t i = start;
  for (; i < items.size() && static_cast<long>(out[key].size()) < size; ++i) out[key].push_back(std::move(items[i]));
  if (i < items.size()) out["NextMarker"] = std::to_string(i);
  return out;
}

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= 32 && name.front() != '-' && name.back() != '-' &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == std::string::npos;
}

}  // namespace

Elbv2::Elbv2(Store& store, std::string region, std::string account, bool fast, std::function<double()> clock)
    : m_store(store), m_region(std::move(region)), m_account(std::move(account)), m_fast(fast),
      m_clock(clock ? std::move(clock) : system_now), m_rng(std::random_device{}()) {}

std::string Elbv2::arn(const std::string& resource) const {
  return "arn:aws:elasticloadbalancing:" + m_region + ":" + m_account + ":" + resource;
}

void Elbv2::register_operations(Router& router) {
  const Json& model = model::service("elbv2");
  std::string version = model["metadata"]["apiVersion"];
  for (const char* op : {"CreateLoadBalancer", "DescribeLoadBalancers", "DeleteLoadBalancer", "CreateTargetGroup",
                         "DescribeTargetGroups", "ModifyTargetGroup", "DeleteTargetGroup", "CreateListener",
                         "DescribeListeners", "DeleteListener", "RegisterTargets", "DeregisterTargets",
                         "DescribeTargetHealth", "AddTags", "RemoveTags", "DescribeTags",
                         "DescribeTargetGroupAttributes", "ModifyTargetGroupAttributes", "CreateRule",
                         "DescribeRules", "ModifyRule", "DeleteRule"}) {
    std::string operation = op;
    router.add_query(operation, version, [this, operation, &model](const HttpRequest& r) {
      HttpResponse out;
      out.content_type = "text/xml";
      std::string request_id = hex(m_rng, 8) + "-" + hex(m_rng, 4) + "-" + hex(m_rng, 4) + "-" + hex(m_rng, 4) + "-" + hex(m_rng, 12);
      try {
        Json input = query::decode_input(model, operation, query::parse_form(r.body, r.query));
        out.body = query::encode_response(model, operation, call(operation, input), request_id);
      } catch (const ApiError& e) {
        out.status = e.status;
        out.body = query::encode_error(model, e.code, e.what(), request_id, e.status < 500);
      }
      return out;
    });
  }
}

Json Elbv2::call(const std::string& op, const Json& in) {
  if (op == "CreateLoadBalancer") return create_load_balancer(in);
  if (op == "DescribeLoadBalancers") return describe_load_balancers(in);
  if (op == "DeleteLoadBalancer") return delete_load_balancer(in);
  if (op == "CreateTargetGroup") return create_target_group(in);
  if (op == "DescribeTargetGroups") return describe_target_groups(in);
  if (op == "ModifyTargetGroup") return modify_target_group(in);
  if (op == "DeleteTargetGroup") return delete_target_group(in);
  if (op == "CreateListener") return create_listener(in);
  if (op == "DescribeListeners") return describe_listeners(in);
  if (op == "DeleteListener") return delete_listener(in);
  if (op == "RegisterTargets") return register_targets(in);
  if (op == "DeregisterTargets") return deregister_targets(in);
  if (op == "DescribeTargetHealth") return describe_target_health(in);
  if (op == "AddTags") return add_tags(in);
  if (op == "RemoveTags") return remove_tags(in);
  if (op == "DescribeTags") return describe_tags(in);
  if (op == "DescribeTargetGroupAttributes") return describe_target_group_attributes(in);
  if (op == "ModifyTargetGroupAttributes") return modify_target_group_attributes(in);
  if (op == "CreateRule") return create_rule(in);
  if (op == "DescribeRules") return describe_rules(in);
  if (op == "ModifyRule") return modify_rule(in);
  if (op == "DeleteRule") return delete_rule(in);
  throw ApiError("InvalidAction", "Could not find operation " + op);
}

// ---- load balancers

Json Elbv2::create_load_balancer(const Json& in) {
  std::string name = in["Name"];
  if (!valid_name(name) || name.rfind("internal-", 0) == 0)
    throw ApiError("ValidationError", "Load balancer name '" + name +
                                          "' must contain only alphanumeric characters or hyphens, must not begin or end with a hyphen and must be at most 32 characters long");
  std::string type = in.value("Type", "application");
  std::string scheme = in.value("Scheme", "internet-facing");
  std::vector<std::string> subnets = strings(in, "Subnets");
  for (const auto& m : in.value("SubnetMappings", Json::array()))
    if (m.contains("SubnetId")) subnets.push_back(m["SubnetId"]);
  if (type == "application" && subnets.size() < 2)
    throw ApiError("ValidationError", "At least two subnets in two different Availability Zones must be specified");
  if (subnets.empty()) throw ApiError("ValidationError", "At least one subnet must be specified");
  for (const auto& [arn, lb] : m_store.table(k_lbs)) {
    if (lb["LoadBalancerName"] != name) continue;
    if (lb["Type"] == type && lb["Scheme"] == scheme) return {{"LoadBalancers", Json::array({load_balancer_view(lb)})}};
    throw ApiError("DuplicateLoadBalancerName", "A load balancer with the same name '" + name + "' exists, but with different settings");
  }
  std::string kind = type == "application" ? "app" : type == "network" ? "net" : "gwy";
  std::string id = hex(m_rng, 16);
  std::string lb_arn = arn("loadbalancer/" + kind + "/" + name + "/" + id);
  std::string dns_prefix = (scheme == "internal" ? "internal-" : "") + name;
  std::string dns = type == "application"
                        ? dns_prefix + "-" + std::to_string(1000000000 + m_rng() % 900000000) + "." + m_region + ".elb.amazonaws.com"
                        : dns_prefix + "-" + hex(m_rng, 16) + ".elb." + m_region + ".amazonaws.com";
  Json zones = Json::array();
  for (size_t i = 0; i < subnets.size(); ++i)
    zones.push_back({{"ZoneName", m_region + static_cast<char>('a' + i % 6)}, {"SubnetId", subnets[i]},
                     {"LoadBalancerAddresses", Json::array()}});
  Json lb = {{"LoadBalancerArn", lb_arn}, {"DNSName", dns},
             {"CanonicalHostedZoneId", type == "application" ? "Z35SXDOTRQ7X7K" : "Z26RNL4JYFTOTI"},
             {"CreatedTime", m_clock()}, {"LoadBalancerName", name}, {"Scheme", scheme}, {"VpcId", subnets_vpc()},
             {"State", {{"Code", "provisioning"}}}, {"Type", type}, {"AvailabilityZones", zones},
             {"IpAddressType", in.value("IpAddressType", "ipv4")}};
  if (type == "application") lb["SecurityGroups"] = in.value("SecurityGroups", Json::array({"sg-0local"}));
  lb["_"] = {{"seq", m_store.next_sequence("elbv2")}, {"created", m_clock()}};
  m_store.put(k_lbs, lb_arn, lb);
  if (in.contains("Tags")) add_tags({{"ResourceArns", {lb_arn}}, {"Tags", in["Tags"]}});
  return {{"LoadBalancers", Json::array({load_balancer_view(lb)})}};
}

std::string Elbv2::subnets_vpc() {
  for (const auto& lb : ordered(m_store, k_lbs))
    if (lb.contains("VpcId") && lb["VpcId"].is_string()) return lb["VpcId"];
  for (const auto& tg : ordered(m_store, k_tgs))
    if (tg.contains("VpcId") && tg["VpcId"].is_string()) return tg["VpcId"];
  return k_default_vpc;
}

Json Elbv2::load_balancer_view(const Json& stored) const {
  Json lb = strip(stored);
  if (m_clock() >= stored["_"].value("created", 0.0) + scaled(60)) lb["State"] = {{"Code", "active"}};
  return lb;
}

Json Elbv2::describe_load_balancers(const Json& in) {
  std::vector<std::string> arns = strings(in, "LoadBalancerArns"), names = strings(in, "Names");
  std::vector<Json> out;
  if (arns.empty() && names.empty()) {
    for (const auto& lb : ordered(m_store, k_lbs)) out.push_back(load_balancer_view(lb));
  } else {
    for (const auto& a : arns) {
      const Json* lb = m_store.get(k_lbs, a);
      if (!lb) throw ApiError("LoadBalancerNotFound", "One or more load balancers not found");
      out.push_back(load_balancer_view(*lb));
    }
    for (const auto& n : names) {
      bool found = false;
      for (const auto& lb : ordered(m_store, k_lbs))
        if (lb["LoadBalancerName"] == n) {
          out.push_back(load_balancer_view(lb));
          found = true;
        }
      if (!found) throw ApiError("LoadBalancerNotFound", "Load balancers '[" + n + "]' not found");
    }
  }
  return page(std::move(out), in, "LoadBalancers");
}

Json Elbv2::delete_load_balancer(const Json& in) {
  std::string lb_arn = in.value("LoadBalancerArn", "");
  if (!m_store.get(k_lbs, lb_arn)) return Json::object();  // as AWS: deleting a missing one succeeds
  std::vector<std::string> listeners;
  for (const auto& [arn, l] : m_store.table(k_listeners))
    if (l["LoadBalancerArn"] == lb_arn) listeners.push_back(arn);
  for (const auto& l : listeners) m_store.erase(k_listeners, l);
  std::vector<std::pair<std::string, Json>> changed;
  for (const auto& [arn, tg] : m_store.table(k_tgs)) {
    Json t = tg;
    auto& lbs = t["LoadBalancerArns"];
    auto it = std::find(lbs.begin(), lbs.end(), Json(lb_arn));
    if (it == lbs.end()) continue;
    lbs.erase(it);
    changed.emplace_back(arn, t);
  }
  for (auto& [arn, t] : changed) m_store.put(k_tgs, arn, t);
  m_store.erase(k_lbs, lb_arn);
  m_store.erase(k_tags, lb_arn);
  return Json::object();
}

// ---- target groups

Json Elbv2::create_target_group(const Json& in) {
  std::string name = in["Name"];
  if (!valid_name(name))
    throw ApiError("ValidationError", "Target group name '" + name +
                                          "' can only contain characters that are alphanumeric characters or hyphens(-), must not begin or end with a hyphen and must be at most 32 characters long");
  std::string type = in.value("TargetType", "instance");
  std::string protocol = in.value("Protocol", "");
  if (type == "instance" || type == "ip") {
    if (protocol.empty()) throw ApiError("ValidationError", "A protocol must be specified");
    if (!in.contains("Port")) throw ApiError("ValidationError", "A port must be specified");
    if (!in.contains("VpcId")) throw ApiError("ValidationError", "A VPC ID must be specified");
  }
  long port = in.value("Port", 0L);
  if (in.contains("Port") && (port < 1 || port > 65535))
    throw ApiError("ValidationError", "1 validation error detected: Value '" + std::to_string(port) +
                                          "' at 'port' failed to satisfy constraint: Member must have value less than or equal to 65535");
  bool http = protocol == "HTTP" || protocol == "HTTPS";
  std::string hc_protocol = in.value("HealthCheckProtocol", http ? protocol : std::string("TCP"));
  bool hc_http = hc_protocol == "HTTP" || hc_protocol == "HTTPS";
  Json tg = {{"TargetGroupArn", ""}, {"TargetGroupName", name}};
  if (!protocol.empty()) tg["Protocol"] = protocol;
  if (in.contains("Port")) tg["Port"] = port;
  if (in.contains("VpcId")) tg["VpcId"] = in["VpcId"];
  tg["HealthCheckProtocol"] = hc_protocol;
  tg["HealthCheckPort"] = in.value("HealthCheckPort", "traffic-port");
  tg["HealthCheckEnabled"] = in.value("HealthCheckEnabled", true);
  tg["HealthCheckIntervalSeconds"] = in.value("HealthCheckIntervalSeconds", 30L);
  tg["HealthCheckTimeoutSeconds"] = in.value("HealthCheckTimeoutSeconds", http ? 5L : hc_http ? 6L : 10L);
  tg["HealthyThresholdCount"] = in.value("HealthyThresholdCount", 5L);
  tg["UnhealthyThresholdCount"] = in.value("UnhealthyThresholdCount", http ? 2L : 2L);
  if (hc_http) {
    tg["HealthCheckPath"] = in.value("HealthCheckPath", "/");
    tg["Matcher"] = in.value("Matcher", Json{{"HttpCode", http ? "200" : "200-399"}});
  }
  tg["LoadBalancerArns"] = Json::array();
  tg["TargetType"] = type;
  if (http) tg["ProtocolVersion"] = in.value("ProtocolVersion", "HTTP1");
  if (type == "instance" || type == "ip") tg["IpAddressType"] = in.value("IpAddressType", "ipv4");
  if (tg["HealthCheckTimeoutSeconds"].get<long>() >= tg["HealthCheckIntervalSeconds"].get<long>())
    throw ApiError("ValidationError", "Health check interval must be greater than the timeout.");
  for (const auto& [arn, existing] : m_store.table(k_tgs)) {
    if (existing["TargetGroupName"] != name) continue;
    Json a = strip(existing), b = tg;
    a.erase("TargetGroupArn");
    a.erase("LoadBalancerArns");
    b.erase("TargetGroupArn");
    b.erase("LoadBalancerArns");
    if (a == b) return {{"TargetGroups", Json::array({strip(existing)})}};
    throw ApiError("DuplicateTargetGroupName", "A target group with the same name '" + name + "' exists, but with different settings");
  }
  std::string tg_arn = arn("targetgroup/" + name + "/" + hex(m_rng, 16));
  tg["TargetGroupArn"] = tg_arn;
  tg["_"] = {{"seq", m_store.next_sequence("elbv2")}, {"deregistrationDelay", 300}};
  m_store.put(k_tgs, tg_arn, tg);
  if (in.contains("Tags")) add_tags({{"ResourceArns", {tg_arn}}, {"Tags", in["Tags"]}});
  return {{"TargetGroups", Json::array({strip(tg)})}};
}

const Json* Elbv2::target_group(const std::string& arn) { return m_store.get(k_tgs, arn); }

Json Elbv2::describe_target_groups(const Json& in) {
  std::vector<std::string> arns = strings(in, "TargetGroupArns"), names = strings(in, "Names");
  std::string lb = in.value("LoadBalancerArn", "");
  if (!lb.empty() && !m_store.get(k_lbs, lb)) throw ApiError("LoadBalancerNotFound", "One or more load balancers not found");
  std::vector<Json> out;
  for (const auto& a : arns)
    if (!m_store.get(k_tgs, a)) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  for (const auto& n : names) {
    bool found = std::any_of(m_store.table(k_tgs).begin(), m_store.table(k_tgs).end(),
                             [&](const auto& kv) { return kv.second["TargetGroupName"] == n; });
    if (!found) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  }
  for (const auto& tg : ordered(m_store, k_tgs)) {
    if (!arns.empty() && std::find(arns.begin(), arns.end(), tg["TargetGroupArn"]) == arns.end()) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), tg["TargetGroupName"]) == names.end()) continue;
    const Json& lbs = tg["LoadBalancerArns"];
    if (!lb.empty() && std::find(lbs.begin(), lbs.end(), Json(lb)) == lbs.end()) continue;
    out.push_back(strip(tg));
  }
  return page(std::move(out), in, "TargetGroups");
}

Json Elbv2::modify_target_group(const Json& in) {
  std::string tg_arn = in["TargetGroupArn"];
  const Json* stored = m_store.get(k_tgs, tg_arn);
  if (!stored) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  Json tg = *stored;
  for (const char* k : {"HealthCheckProtocol", "HealthCheckPort", "HealthCheckPath", "HealthCheckEnabled",
                        "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount",
                        "UnhealthyThresholdCount", "Matcher"})
    if (in.contains(k)) tg[k] = in[k];
  if (tg["HealthCheckTimeoutSeconds"].get<long>() >= tg["HealthCheckIntervalSeconds"].get<long>())
    throw ApiError("ValidationError", "Health check interval must be greater than the timeout.");
  m_store.put(k_tgs, tg_arn, tg);
  return {{"TargetGroups", Json::array({strip(tg)})}};
}

Json Elbv2::delete_target_group(const Json& in) {
  std::string tg_arn = in["TargetGroupArn"];
  const Json* tg = m_store.get(k_tgs, tg_arn);
  if (!tg) return Json::object();
  if (!(*tg)["LoadBalancerArns"].empty())
    throw ApiError("ResourceInUse", "Target group '" + tg_arn + "' is currently in use by a listener or a rule");
  std::vector<std::string> targets;
  for (const auto& [k, t] : m_store.table(k_targets))
    if (t["TargetGroupArn"] == tg_arn) targets.push_back(k);
  for (const auto& k : targets) m_store.erase(k_targets, k);
  m_store.erase(k_tgs, tg_arn);
  m_store.erase(k_tags, tg_arn);
  return Json::object();
}

namespace {

// The attributes of a stored target group: the deregistration delay, the
// defaults, and what ModifyTargetGroupAttributes set.
Json target_group_attributes(const Json& tg) {
  Json values = {{"stickiness.enabled", "false"}};
  const Json set = tg["_"].value("attributes", Json::object());
  for (const auto& [k, v] : set.items()) values[k] = v;
  values["deregistration_delay.timeout_seconds"] = std::to_string(tg["_"].value("deregistrationDelay", 300));
  Json attrs = Json::array();
  for (const auto& [k, v] : values.items()) attrs.push_back({{"Key", k}, {"Value", v}});
  return attrs;
}

}  // namespace

Json Elbv2::describe_target_group_attributes(const Json& in) {
  const Json* tg = m_store.get(k_tgs, in["TargetGroupArn"].get<std::string>());
  if (!tg) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  return {{"Attributes", target_group_attributes(*tg)}};
}

Json Elbv2::modify_target_group_attributes(const Json& in) {
  std::string tg_arn = in["TargetGroupArn"];
  const Json* stored = m_store.get(k_tgs, tg_arn);
  if (!stored) throw ApiError("TargetGroupNotFound", "One or more target groups not found");
  Json tg = *stored;
  for (const auto& a : in.value("Attributes", Json::array())) {
    std::string key = a.value("Key", ""), value = a.value("Value", "");
    if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string::npos)
      throw ApiError("ValidationError", "Target group attribute key '" + key + "' is not recognized");
    if (key == "deregistration_delay.timeout_seconds") {
      bool number = !value.empty() && value.size() <= 4 && value.find_first_not_of("0123456789") == std::string::npos;
      if (!number || std::stol(value) > 3600)
        throw ApiError("ValidationError", "'" + value + "' must be an integer between 0 and 3600 for attribute key '" + key + "'");
      tg["_"]["deregistrationDelay"] = std::stol(value);
    } else {
      tg["_"]["attributes"][key] = value;
    }
  }
  m_store.put(k_tgs, tg_arn, tg);
  return {{"Attributes", target_group_attributes(tg)}};
}

}  // namespace ecsctl::local
