#include "schemas/service_def.hpp"

#include <algorithm>
#include <set>

#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::servicedef {
namespace {

using taskdef::Document;
using taskdef::Finding;
using taskdef::Severity;

// Members of a described service that CreateService does not take.
const char* const k_read_only[] = {"serviceArn",  "clusterArn",         "status",       "runningCount",
                                   "pendingCount", "taskSets",          "deployments",  "events",
                                   "createdAt",   "createdBy",          "platformFamily", "currentServiceDeployment",
                                   "currentServiceRevisions", "resourceManagementType"};

// Managed members a file may leave out to leave them as they are (an
// autoscaled desired count; a rebalancing default that differs by account).
const std::set<std::string, std::less<>> k_optional = {"desiredCount", "availabilityZoneRebalancing"};

void add(Document& doc, std::string rule, const std::string& path, std::string message, std::string hint,
         Severity sev = Severity::error, bool key = false) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = sev;
  f.path = path;
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.pos = doc.locate(path, key);
  doc.findings.push_back(std::move(f));
}

std::string td_path(const model::Path& p) {
  std::string out;
  for (const auto& s : p) out = s.kind == model::PathStep::Kind::index ? taskdef::path_index(out, s.index)
                                                                       : taskdef::path_join(out, s.name);
  return out;
}

void check_model(Document& doc) {
  const auto& view = model::view("ecs", "CreateService");
  model::ValidateOptions o = model::client_checks({"serviceName"});
  o.enums = true;
  o.maxima = true;
  o.normalise_timestamps = false;
  auto found = model::check(*view.input, doc.def, o);
  for (auto* list : {&found.errors, &found.notes})
    for (const auto& f : *list) {
      bool member = f.problem == model::Problem::unknown_member || f.problem == model::Problem::missing_required;
      std::string path = td_path(member ? f.member_path() : f.path);
      add(doc, "service-model", path, model::client_line(f), model::client_hint(f), Severity::error,
          f.problem == model::Problem::unknown_member);
    }
}

const Json* at(const Json& o, std::string_view k) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(std::string(k));
  return it == o.end() || it->is_null() ? nullptr : &*it;
}
std::string str_at(const Json& o, std::string_view k) {
  const Json* v = at(o, k);
  return v && v->is_string() ? v->get<std::string>() : "";
}
std::optional<long long> int_at(const Json& o, std::string_view k) {
  const Json* v = at(o, k);
  if (v && v->is_number_integer()) return v->get<long long>();
  return std::nullopt;
}

// Whether the service runs on Fargate: launchType FARGATE or a FARGATE(_SPOT)
// capacity provider.
bool on_fargate(const Json& s) {
  if (str_at(s, "launchType") == "FARGATE") return true;
  if (const Json* cps = at(s, "capacityProviderStrategy"); cps && cps->is_array())
    for (const auto& c : *cps)
      if (str_at(c, "capacityProvider").rfind("FARGATE", 0) == 0) return true;
  return false;
}

void check_network(Document& doc, const Json& td) {
  const Json& s = doc.def;
  std::string mode = str_at(td, "networkMode");
  if (mode.empty()) mode = on_fargate(s) ? "awsvpc" : "bridge";
  const Json* nc = at(s, "networkConfiguration");
  const Json* vpc = nc ? at(*nc, "awsvpcConfiguration") : nullptr;
  if (mode == "awsvpc" && !vpc)
    add(doc, "service-awsvpc-network", nc ? "networkConfiguration" : "",
        "the task definition's networkMode is awsvpc, so the service needs networkConfiguration.awsvpcConfiguration "
        "(ECS: \"Network Configuration must be provided when networkMode 'awsvpc' is specified.\")",
        "add networkConfiguration: {awsvpcConfiguration: {subnets: [...], securityGroups: [...]}}");
  if (mode != "awsvpc" && vpc)
    add(doc, "service-network-mode", "networkConfiguration",
        "networkConfiguration is only valid with networkMode awsvpc; the task definition's is " + mode +
            " (ECS: \"Network Configuration is not valid for the given networkMode of this task definition.\")",
        "remove networkConfiguration, or use networkMode awsvpc in the task definition", Severity::error, true);
}

void check_load_balancers(Document& doc, const Json& td) {
  const Json* lbs = at(doc.def, "loadBalancers");
  if (!lbs || !lbs->is_array() || !td.is_object()) return;
  const Json* cds = at(td, "containerDefinitions");
  if (!cds || !cds->is_array()) return;
  for (std::size_t i = 0; i < lbs->size(); ++i) {
    const Json& lb = (*lbs)[i];
    std::string base = taskdef::path_index("loadBalancers", i);
    std::string name = str_at(lb, "containerName");
    if (name.empty()) continue;
    const Json* container = nullptr;
    std::vector<std::string> names;
    for (const auto& c : *cds) {
      names.push_back(str_at(c, "name"));
      if (names.back() == name) container = &c;
    }
    if (!container) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      add(doc, "service-lb-container", taskdef::path_join(base, "containerName"),
          "the task definition has no container '" + name + "'", "its containers: " + list);
      continue;
    }
    auto port = int_at(lb, "containerPort");
    if (!port) continue;
    std::vector<long long> ports;
    if (const Json* pms = at(*container, "portMappings"); pms && pms->is_array())
      for (const auto& pm : *pms)
        if (auto p = int_at(pm, "containerPort")) ports.push_back(*p);
    if (std::find(ports.begin(), ports.end(), *port) == ports.end()) {
      std::string list;
      for (auto p : ports) list += (list.empty() ? "" : ", ") + std::to_string(p);
      add(doc, "service-lb-port", taskdef::path_join(base, "containerPort"),
          "container '" + name + "' has no port mapping for containerPort " + std::to_string(*port) +
              " (ECS: \"The container " + name + " did not have a container port " + std::to_string(*port) +
              " defined.\")",
          list.empty() ? "add a portMappings entry to the container" : "its container ports: " + list);
    }
  }
}

void check_deployment(Document& doc) {
  const Json& s = doc.def;
  const bool daemon = str_at(s, "schedulingStrategy") == "DAEMON";
  const Json* dc = at(s, "deploymentConfiguration");
  auto max = dc ? int_at(*dc, "maximumPercent") : std::nullopt;
  auto min = dc ? int_at(*dc, "minimumHealthyPercent") : std::nullopt;
  if (min && *min > 100)
    add(doc, "service-deployment-percent", "deploymentConfiguration.minimumHealthyPercent",
        "minimumHealthyPercent " + std::to_string(*min) + " is above 100", "use 0..100");
  if (daemon && max && *max != 100)
    add(doc, "service-deployment-percent", "deploymentConfiguration.maximumPercent",
        "a DAEMON service runs one task per instance: maximumPercent must be 100, not " + std::to_string(*max),
        "remove maximumPercent (DAEMON's default is 100) and lower minimumHealthyPercent to let deployments proceed");
  if (!daemon && max && *max < 100)
    add(doc, "service-deployment-percent", "deploymentConfiguration.maximumPercent",
        "maximumPercent " + std::to_string(*max) + " is below 100", "use 100 or more (the default is 200)");
  else if (!daemon && max && *max <= min.value_or(100))
    add(doc, "service-deployment-percent", "deploymentConfiguration.maximumPercent",
        "maximumPercent " + std::to_string(*max) + " does not exceed minimumHealthyPercent " +
            std::to_string(min.value_or(100)) + ": a rolling deployment can neither start nor stop a task",
        "raise maximumPercent or lower minimumHealthyPercent");
  if (daemon) {
    if (on_fargate(s))
      add(doc, "service-daemon", "schedulingStrategy", "Fargate does not support the DAEMON scheduling strategy",
          "use REPLICA, or the EC2 launch type");
    if (at(s, "desiredCount"))
      add(doc, "service-daemon", "desiredCount", "a DAEMON service takes no desiredCount (one task per instance)",
          "remove desiredCount", Severity::error, true);
    if (const Json* ps = at(s, "placementStrategy"); ps && ps->is_array() && !ps->empty())
      add(doc, "service-daemon", "placementStrategy", "a DAEMON service takes no placementStrategy",
          "remove placementStrategy", Severity::error, true);
  }
}

void check_launch(Document& doc, const Json& td) {
  const Json& s = doc.def;
  const Json* cps = at(s, "capacityProviderStrategy");
  if (at(s, "launchType") && cps && cps->is_array() && !cps->empty())
    add(doc, "service-launch-type-capacity", "capacityProviderStrategy",
        "launchType and capacityProviderStrategy exclude each other (ECS: \"Specifying both a launch type and "
        "capacity provider strategy is not supported.\")",
        "keep one of them", Severity::error, true);
  std::string lt = str_at(s, "launchType");
  if (!lt.empty() && td.is_object()) {
    if (const Json* req = at(td, "requiresCompatibilities"); req && req->is_array() && !req->empty()) {
      bool ok = false;
      for (const auto& r : *req) ok = ok || (r.is_string() && r.get<std::string>() == lt);
      if (!ok)
        add(doc, "service-launch-type", "launchType",
            "the task definition's requiresCompatibilities " + req->dump() + " does not include " + lt,
            "add " + lt + " to requiresCompatibilities, or use another launch type");
    }
  }
  std::string pv = str_at(s, "platformVersion");
  if (!pv.empty()) {
    if (!on_fargate(s)) {
      add(doc, "service-platform-version", "platformVersion",
          "platformVersion applies to Fargate only; this service does not run on Fargate",
          "remove platformVersion, or set launchType: FARGATE");
    } else {
      std::string os;
      if (const Json* rp = td.is_object() ? at(td, "runtimePlatform") : nullptr) os = str_at(*rp, "operatingSystemFamily");
      const bool windows = os.rfind("WINDOWS", 0) == 0;
      const std::vector<std::string> ok = windows ? std::vector<std::string>{"LATEST", "1.0.0"}
                                                  : std::vector<std::string>{"LATEST", "1.4.0", "1.3.0"};
      if (std::find(ok.begin(), ok.end(), pv) == ok.end())
        add(doc, "service-platform-version", "platformVersion",
            "'" + pv + "' is not a Fargate platform version for " + (windows ? "Windows" : "Linux") +
                (!windows && (pv == "1.2.0" || pv == "1.1.0" || pv == "1.0.0") ? " (retired)" : ""),
            windows ? "use LATEST or 1.0.0" : "use LATEST, 1.4.0 or 1.3.0");
    }
  }
}

void check_grace_period(Document& doc, const Json& td) {
  const Json& s = doc.def;
  if (!at(s, "healthCheckGracePeriodSeconds")) return;
  const Json* lbs = at(s, "loadBalancers");
  if (lbs && lbs->is_array() && !lbs->empty()) return;
  bool health_check = false;
  if (const Json* cds = td.is_object() ? at(td, "containerDefinitions") : nullptr; cds && cds->is_array())
    for (const auto& c : *cds) health_check = health_check || at(c, "healthCheck");
  if (!health_check)
    add(doc, "service-grace-period", "healthCheckGracePeriodSeconds",
        "healthCheckGracePeriodSeconds needs a load balancer or a container health check (ECS: \"Health check grace "
        "period is only valid for services configured to use load balancers\")",
        "add loadBalancers, or remove healthCheckGracePeriodSeconds", Severity::error, true);
}

// Drops null, false, empty lists and empty objects, recursively.
Json prune(const Json& v) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    Json o = Json::object();
    for (const auto& k : keys) {
      Json c = prune(v[k]);
      if (!c.is_null()) o[k] = std::move(c);
    }
    return o.empty() ? Json() : o;
  }
  if (v.is_array()) {
    Json a = Json::array();
    for (const auto& e : v) {
      Json c = prune(e);
      a.push_back(c.is_null() ? Json::object() : c);
    }
    return a.empty() ? Json() : a;
  }
  if (v.is_boolean() && !v.get<bool>()) return Json();
  return v;
}

void sort_strings(Json& obj, const char* key) {
  if (obj.is_object() && obj.contains(key) && obj[key].is_array()) {
    auto& a = obj[key];
    std::sort(a.begin(), a.end());
  }
}

}  // namespace

taskdef::Document load_file(const std::string& path, const taskdef::TemplateVars* vars) {
  Document doc = taskdef::load_file(path, vars);
  if (!doc.parsed || !doc.def.is_object()) return doc;
  // describe-services output: {"services": [one service]}.
  if (doc.def.contains("services") && doc.def["services"].is_array() && doc.def["services"].size() == 1 &&
      !doc.def.contains("serviceName")) {
    add(doc, "service-shape", "services",
        "this is describe-services output; a service file holds one service's members at the top",
        "run `ecsctl init` to write a service file from a live service");
    return doc;
  }
  if (doc.def.contains("roleArn") && !doc.def.contains("role")) doc.def["role"] = doc.def["roleArn"];
  doc.def.erase("roleArn");
  for (const char* ro : k_read_only) doc.def.erase(ro);
  return doc;
}

void validate(Document& doc, const Json& td) {
  if (!doc.parsed || !doc.def.is_object()) return;
  check_model(doc);
  check_network(doc, td);
  check_load_balancers(doc, td);
  check_deployment(doc);
  check_launch(doc, td);
  check_grace_period(doc, td);
}

const std::vector<std::string>& managed_members() {
  static const std::vector<std::string> m = {
      "desiredCount",           "launchType",        "capacityProviderStrategy", "platformVersion",
      "schedulingStrategy",     "deploymentController", "deploymentConfiguration", "networkConfiguration",
      "loadBalancers",          "healthCheckGracePeriodSeconds", "serviceRegistries", "placementConstraints",
      "placementStrategy",      "availabilityZoneRebalancing", "enableECSManagedTags", "propagateTags",
      "enableExecuteCommand",   "serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations",
      "role",                   "tags"};
  return m;
}

bool updatable(std::string_view member) {
  return member != "launchType" && member != "schedulingStrategy" && member != "role" && member != "tags";
}

Json normalize(const Json& service) {
  Json s = Json::object();
  if (!service.is_object()) return s;
  for (const auto& m : managed_members())
    if (service.contains(m) && !service[m].is_null()) s[m] = service[m];
  if (!s.contains("role") && service.contains("roleArn") && service["roleArn"].is_string()) s["role"] = service["roleArn"];
  if (s.contains("role") && s["role"].is_string()) {
    std::string r = s["role"].get<std::string>();
    // A role ARN and its name are the same role; the service-linked role is ECS's own default.
    r = r.substr(r.rfind('/') == std::string::npos ? 0 : r.rfind('/') + 1);
    if (r == "AWSServiceRoleForECS") s.erase("role");
    else s["role"] = r;
  }
  const bool daemon = s.value("schedulingStrategy", "") == "DAEMON";
  if (s.value("schedulingStrategy", "") == "REPLICA") s.erase("schedulingStrategy");
  if (daemon) s.erase("desiredCount");
  if (s.contains("deploymentController") && s["deploymentController"].is_object() &&
      s["deploymentController"].value("type", "ECS") == "ECS" && s["deploymentController"].size() <= 1)
    s.erase("deploymentController");
  if (s.value("platformVersion", "") == "LATEST") s.erase("platformVersion");
  if (s.value("propagateTags", "") == "NONE") s.erase("propagateTags");
  if (s.contains("healthCheckGracePeriodSeconds") && s["healthCheckGracePeriodSeconds"] == 0)
    s.erase("healthCheckGracePeriodSeconds");
  if (s.contains("deploymentConfiguration") && s["deploymentConfiguration"].is_object()) {
    Json& dc = s["deploymentConfiguration"];
    if (dc.value("maximumPercent", -1) == (daemon ? 100 : 200)) dc.erase("maximumPercent");
    if (dc.value("minimumHealthyPercent", -1) == (daemon ? 0 : 100)) dc.erase("minimumHealthyPercent");
    if (dc.value("strategy", "") == "ROLLING") dc.erase("strategy");
    if (dc.contains("bakeTimeInMinutes") && dc["bakeTimeInMinutes"] == 0) dc.erase("bakeTimeInMinutes");
  }
  if (s.contains("networkConfiguration") && s["networkConfiguration"].is_object() &&
      s["networkConfiguration"].contains("awsvpcConfiguration")) {
    Json& vpc = s["networkConfiguration"]["awsvpcConfiguration"];
    if (vpc.is_object()) {
      if (vpc.value("assignPublicIp", "") == "DISABLED") vpc.erase("assignPublicIp");
      sort_strings(vpc, "subnets");
      sort_strings(vpc, "securityGroups");
    }
  }
  if (s.contains("capacityProviderStrategy") && s["capacityProviderStrategy"].is_array())
    for (auto& c : s["capacityProviderStrategy"])
      if (c.is_object()) {
        if (c.contains("base") && c["base"] == 0) c.erase("base");
        if (c.contains("weight") && c["weight"] == 0) c.erase("weight");
      }
  if (s.contains("tags") && s["tags"].is_array()) {
    auto& t = s["tags"];
    std::sort(t.begin(), t.end(), [](const Json& a, const Json& b) { return a.value("key", "") < b.value("key", ""); });
  }
  Json out = prune(s);
  return out.is_null() ? Json::object() : out;
}

Json from_described(const Json& service) {
  Json live = service;
  // ECS returns these on the deployments, not the service.
  if (service.contains("deployments") && service["deployments"].is_array())
    for (const auto& d : service["deployments"])
      if (d.value("status", "") == "PRIMARY")
        for (const char* k : {"serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"})
          if (d.contains(k) && !live.contains(k)) live[k] = d[k];
  Json norm = normalize(live);
  Json out = Json::object();
  for (const auto& m : managed_members())
    if (norm.contains(m)) out[m] = norm[m];
  return out;
}

bool optional_member(std::string_view member) { return k_optional.count(member) > 0; }

}  // namespace ecsctl::servicedef
