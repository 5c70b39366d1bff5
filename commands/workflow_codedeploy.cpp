#include "commands/workflow_codedeploy.hpp"

#include <cctype>
#include <ostream>

#include "client/sigv4.hpp"
#include "commands/poller.hpp"
#include "core/error.hpp"
#include "core/pyformat.hpp"
#include "commands/workflow_taskdef.hpp"
#include "output/render.hpp"

namespace ecsctl::commands::workflow::codedeploy {
namespace {

std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// filehelpers.find_required_key: the key of `obj` equal to `key` ignoring case.
std::string required_key(const std::string& resource, const Json& obj, const std::string& key) {
  if (obj.is_object())
    for (const auto& [k, v] : obj.items())
      if (lower(k) == lower(key)) return k;
  throw AppSpecError("Error: Resource '" + resource + "' must include property '" + key + "'");
}

std::string suffix(const std::string& cluster, const std::string& service) {
  return cluster.substr(0, 46) + "-" + service.substr(0, 46);
}

}  // namespace


bool uses_codedeploy(const Json& service) {
  return service.is_object() && service.contains("deploymentController") &&
         str(service["deploymentController"], "type") == "CODE_DEPLOY";
}

std::string cluster_name_from_arn(const std::string& arn) {
  auto slash = arn.find('/');
  if (slash == std::string::npos) return arn;
  std::string rest = arn.substr(slash + 1);
  return rest.substr(0, rest.find('/'));
}

std::string default_application(const std::string& cluster, const std::string& service) {
  return "AppECS-" + suffix(cluster, service);
}
std::string default_deployment_group(const std::string& cluster, const std::string& service) {
  return "DgpECS-" + suffix(cluster, service);
}

void set_task_definition(Json& appspec, const std::string& arn) {
  std::string resources = required_key("codedeploy-appspec", appspec, "resources");
  Json& list = appspec[resources];
  if (!list.is_array()) throw AppSpecError("Error: Resource 'codedeploy-appspec' must include property 'resources'");
  for (auto& resource : list) {
    if (!resource.is_object()) continue;
    for (auto& [name, content] : resource.items()) {
      std::string props = required_key(name, content, "properties");
      std::string td = required_key(props, content[props], "taskDefinition");
      content[props][td] = arn;
    }
  }
}

Json create_deployment_input(const std::string& application, const std::string& group, const Json& appspec) {
  std::string content = pyfmt::json_dumps(appspec);
  return {{"applicationName", application},
          {"deploymentGroupName", group},
          {"revision",
           {{"revisionType", "AppSpecContent"},
            {"appSpecContent", {{"content", content}, {"sha256", sigv4::sha256_hex(content)}}}}}};
}

Json generate_appspec(const Json& service, const std::string& task_definition_arn) {
  Json props = {{"TaskDefinition", task_definition_arn}};
  if (service.contains("loadBalancers") && service["loadBalancers"].is_array() && !service["loadBalancers"].empty()) {
    const Json& lb = service["loadBalancers"][0];
    Json info = Json::object();
    if (lb.contains("containerName")) info["ContainerName"] = lb["containerName"];
    if (lb.contains("containerPort")) info["ContainerPort"] = lb["containerPort"];
    props["LoadBalancerInfo"] = info;
  }
  if (!str(service, "platformVersion").empty()) props["PlatformVersion"] = service["platformVersion"];
  if (service.contains("networkConfiguration") && service["networkConfiguration"].contains("awsvpcConfiguration")) {
    const Json& a = service["networkConfiguration"]["awsvpcConfiguration"];
    Json vpc = Json::object();
    if (a.contains("subnets")) vpc["Subnets"] = a["subnets"];
    if (a.contains("securityGroups")) vpc["SecurityGroups"] = a["securityGroups"];
    if (a.contains("assignPublicIp")) vpc["AssignPublicIp"] = a["assignPublicIp"];
    props["NetworkConfiguration"] = {{"AwsvpcConfiguration", vpc}};
  }
  if (service.contains("capacityProviderStrategy") && service["capacityProviderStrategy"].is_array() &&
      !service["capacityProviderStrategy"].empty()) {
    Json list = Json::array();
    for (const auto& s : service["capacityProviderStrategy"]) {
      Json item = Json::object();
      if (s.contains("base")) item["Base"] = s["base"];
      if (s.contains("capacityProvider")) item["CapacityProvider"] = s["capacityProvider"];
      if (s.contains("weight")) item["Weight"] = s["weight"];
      list.push_back(item);
    }
    props["CapacityProviderStrategy"] = list;
  }
  return {{"version", 0.0},
          {"Resources", Json::array({{{"TargetService", {{"Type", "AWS::ECS::Service"}, {"Properties", props}}}}})}};
}

Names names_for(const Args& args, const Json& service) {
  std::string svc = str(service, "serviceName");
  std::string cluster = cluster_name_from_arn(str(service, "clusterArn"));
  if (cluster.empty()) cluster = "default";
  return {args.value("--codedeploy-application").value_or(default_application(cluster, svc)),
          args.value("--codedeploy-deployment-group").value_or(default_deployment_group(cluster, svc))};
}

Json check_resources(Runtime& rt, const Names& names, const Json& service) {
  const std::string hint = "name them with --codedeploy-application and --codedeploy-deployment-group";
  Json app;
  try {
    app = rt.call("codedeploy", "GetApplication", {{"applicationName", names.application}});
  } catch (const ServiceError& e) {
    if (e.error_code() == "ApplicationDoesNotExistException")
      throw Error(Exit::usage, "CodeDeploy application '" + names.application + "' does not exist", {}, hint);
    throw;
  }
  if (app.contains("application") && str(app["application"], "computePlatform") != "ECS")
    throw Error(Exit::usage, "CodeDeploy application '" + names.application + "' must support 'ECS' compute platform");
  Json dg;
  try {
    dg = rt.call("codedeploy", "GetDeploymentGroup",
                 {{"applicationName", names.application}, {"deploymentGroupName", names.group}});
  } catch (const ServiceError& e) {
    if (e.error_code() == "DeploymentGroupDoesNotExistException")
      throw Error(Exit::usage,
                  "CodeDeploy deployment group '" + names.group + "' of application '" + names.application +
                      "' does not exist",
                  {}, hint);
    throw;
  }
  Json info = dg.value("deploymentGroupInfo", Json::object());
  if (str(info, "computePlatform") != "ECS")
    throw Error(Exit::usage, "CodeDeploy deployment group '" + names.group + "' must support 'ECS' compute platform");
  const std::string svc = str(service, "serviceName"), svc_arn = str(service, "serviceArn");
  const std::string cluster_arn = str(service, "clusterArn"), cluster = cluster_name_from_arn(cluster_arn);
  for (const auto& t : info.value("ecsServices", Json::array())) {
    std::string ts = str(t, "serviceName"), tc = str(t, "clusterName");
    if (ts != svc && ts != svc_arn)
      throw Error(Exit::usage, "CodeDeploy deployment group '" + names.group + "' does not target ECS service '" + svc + "'",
                  {}, hint);
    if (tc != cluster && tc != cluster_arn)
      throw Error(Exit::usage,
                  "CodeDeploy deployment group '" + names.group + "' does not target ECS cluster '" + cluster + "'", {},
                  hint);
  }
  return info;
}

namespace {

long count(const Json& overview, const char* key) {
  return overview.is_object() && overview.contains(key) && overview[key].is_number() ? overview[key].get<long>() : 0;
}

// "d-ABC InProgress: pending 0, in progress 1, succeeded 0, failed 0, ready 0"
std::string summary(const std::string& id, const Json& info) {
  std::string s = id + " " + str(info, "status");
  if (info.contains("deploymentOverview")) {
    const Json& o = info["deploymentOverview"];
    s += ": pending " + std::to_string(count(o, "Pending")) + ", in progress " + std::to_string(count(o, "InProgress")) +
         ", succeeded " + std::to_string(count(o, "Succeeded")) + ", failed " + std::to_string(count(o, "Failed")) +
         ", ready " + std::to_string(count(o, "Ready"));
  }
  return s;
}

bool terminal(const std::string& status) { return status == "Succeeded" || status == "Failed" || status == "Stopped"; }

struct Waited {
  Json info;
  bool timed_out = false;
};

// Polls GetDeployment until the deployment is Succeeded, Failed or Stopped, or
// --timeout hits; status changes go to stderr and the --events stream.
Waited wait_deployment(Context& ctx, Runtime& rt, const std::string& id, const WaitOptions& opts) {
  const bool text = text_progress(ctx, opts);
  Progress progress(ctx);
  Poller poller(rt, opts.poll);
  const double start = rt.now();
  std::string last;
  Waited w;
  for (;;) {
    check_interrupted();
    bool changed = false;
    try {
      w.info = rt.call("codedeploy", "GetDeployment", {{"deploymentId", id}}).value("deploymentInfo", Json::object());
      std::string s = summary(id, w.info);
      if (s != last) {
        last = s;
        changed = true;
        emit_event(opts, "codedeploy-status",
                   {{"deploymentId", id}, {"status", str(w.info, "status")},
                    {"overview", w.info.value("deploymentOverview", Json::object())}});
        if (text) progress.status(s);
      }
      if (terminal(str(w.info, "status"))) return w;
    } catch (const ServiceError& e) {
      if (!is_throttling(e)) throw;
      if (text) progress.note("throttled (" + e.error_code() + "); backing off");
    }
    double now = rt.now();
    if (opts.timeout > 0 && now - start >= opts.timeout) return w.timed_out = true, w;
    poller.wait(changed, opts.timeout > 0 ? opts.timeout - (now - start) : -1);
  }
}

std::string failure_reason(const Json& info) {
  std::string r;
  if (info.contains("errorInformation")) {
    const Json& e = info["errorInformation"];
    r = str(e, "code");
    if (!str(e, "message").empty()) r += (r.empty() ? "" : ": ") + str(e, "message");
  }
  return r;
}

std::string rollback_note(const Json& info) {
  if (!info.contains("rollbackInfo")) return "";
  const Json& r = info["rollbackInfo"];
  std::string id = str(r, "rollbackDeploymentId");
  std::string msg = str(r, "rollbackMessage");
  if (id.empty() && msg.empty()) return "";
  return "; CodeDeploy rolled back" + (id.empty() ? std::string() : " with deployment " + id) +
         (msg.empty() ? std::string() : " (" + msg + ")");
}

// StopDeployment with autoRollbackEnabled, then the wait until it has stopped.
Json stop_and_wait(Context& ctx, Runtime& rt, const std::string& id, const WaitOptions& wait, Journal& journal) {
  Json out;
  try {
    out = rt.call("codedeploy", "StopDeployment", {{"deploymentId", id}, {"autoRollbackEnabled", true}});
  } catch (const Error& e) {
    journal.fail(e, {"stopping CodeDeploy deployment " + id + " with rollback"});
  }
  journal.done("asked CodeDeploy to stop " + id + " and roll back (" + out.value("status", std::string("Pending")) + ")");
  emit_event(wait, "codedeploy-stopping", {{"deploymentId", id}, {"status", out.value("status", std::string())}});
  if (text_progress(ctx, wait))
    ctx.err << "stopping CodeDeploy deployment " << id << " and rolling back"
            << (str(out, "statusMessage").empty() ? std::string() : " (" + str(out, "statusMessage") + ")") << "\n";
  Waited w = wait_deployment(ctx, rt, id, wait);
  if (w.timed_out)
    throw Error(Exit::wait_timed_out, "timed out waiting for CodeDeploy deployment " + id + " to stop", {},
                journal.summary({"waiting for the rollback to finish (CodeDeploy carries on with it)"}));
  return w.info;
}

}  // namespace

Json deploy(Context& ctx, Runtime& rt, const Json& spec, const std::string& task_definition_arn, const Options& opts,
            Journal& journal) {
  Json appspec = generate_appspec(spec, task_definition_arn);
  Json in = create_deployment_input(opts.names.application, opts.names.group, appspec);
  std::string id;
  try {
    id = rt.call("codedeploy", "CreateDeployment", in).value("deploymentId", std::string());
  } catch (const Error& e) {
    journal.fail(e, {"CreateDeployment of " + taskdef_short(task_definition_arn) + " in CodeDeploy group " +
                     opts.names.group});
  }
  journal.done("created CodeDeploy deployment " + id + " of " + taskdef_short(task_definition_arn));
  emit_event(opts.wait, "deploying", {{"deploymentId", id}, {"taskDefinition", task_definition_arn}});
  if (text_progress(ctx, opts.wait))
    ctx.err << "deploying " << taskdef_short(task_definition_arn) << " through CodeDeploy deployment " << id << " ("
            << opts.names.application << "/" << opts.names.group << ")\n";
  if (opts.no_wait) return {{"deploymentId", id}, {"status", "Created"}};
  Waited w = wait_deployment(ctx, rt, id, opts.wait);
  const std::string status = str(w.info, "status");
  if (status == "Succeeded") {
    journal.done("CodeDeploy deployment " + id + " succeeded");
    return w.info;
  }
  if (w.timed_out) {
    std::string what = "timed out after " + std::to_string(static_cast<long>(opts.wait.timeout)) +
                       "s waiting for CodeDeploy deployment " + id + " (" + summary(id, w.info) + ")";
    if (opts.rollback_on_failure) {
      Json stopped = stop_and_wait(ctx, rt, id, opts.wait, journal);
      throw Error(Exit::deployment_failed, what + "; it was stopped and rolled back (" + str(stopped, "status") + ")" +
                                               rollback_note(stopped), {},
                  journal.summary({"the new revision is not serving"}));
    }
    throw Error(Exit::wait_timed_out, what, {},
                journal.summary({"waiting for the deployment to finish (CodeDeploy carries on with it)"}));
  }
  std::string reason = failure_reason(w.info);
  throw Error(Exit::deployment_failed,
              "CodeDeploy deployment " + id + " of " + taskdef_short(task_definition_arn) + " " +
                  (status == "Stopped" ? "was stopped" : "failed") + (reason.empty() ? "" : ": " + reason) +
                  rollback_note(w.info),
              {}, journal.summary({"the new revision is not serving"}));
}

std::optional<Json> stop_running(Context& ctx, Runtime& rt, const Options& opts, Journal& journal) {
  Json list = rt.call("codedeploy", "ListDeployments",
                      {{"applicationName", opts.names.application},
                       {"deploymentGroupName", opts.names.group},
                       {"includeOnlyStatuses", Json::array({"Created", "Queued", "InProgress", "Baking", "Ready"})}});
  const Json ids = list.value("deployments", Json::array());
  if (ids.empty()) return std::nullopt;
  const std::string id = ids[0].get<std::string>();
  Json info = stop_and_wait(ctx, rt, id, opts.wait, journal);
  const std::string status = str(info, "status");
  if (status != "Stopped")
    throw Error(Exit::deployment_failed,
                "CodeDeploy deployment " + id + " ended " + status + " before it could be stopped" +
                    (failure_reason(info).empty() ? "" : ": " + failure_reason(info)),
                {}, journal.summary({"the rollback"}));
  journal.done("CodeDeploy deployment " + id + " stopped and rolled back");
  if (text_progress(ctx, opts.wait)) ctx.err << "CodeDeploy deployment " << id << " stopped" << rollback_note(info) << "\n";
  return info;
}

const std::vector<FlagSpec>& flags() {
  static const std::vector<FlagSpec> f = {
      {.name = "--codedeploy-application", .metavar = "NAME",
       .help = "CodeDeploy application of a CODE_DEPLOY service (default: AppECS-CLUSTER-SERVICE)"},
      {.name = "--codedeploy-deployment-group", .metavar = "NAME",
       .help = "CodeDeploy deployment group of a CODE_DEPLOY service (default: DgpECS-CLUSTER-SERVICE)"},
  };
  return f;
}

const std::vector<FlagSpec>& awscli_flags() {
  static const std::vector<FlagSpec> f = flags_with(
      {{.name = "--codedeploy-appspec", .metavar = "FILE",
        .help = "the AWS CLI's `aws ecs deploy`: deploy --task-definition FILE through CodeDeploy with this AppSpec",
        .complete = Completer::file}},
      flags());
  return f;
}

}  // namespace ecsctl::commands::workflow::codedeploy

namespace ecsctl::commands::workflow::codedeploy {

bool appspec_member(const std::string& m) {
  return m == "networkConfiguration" || m == "platformVersion" || m == "capacityProviderStrategy" ||
         m == "loadBalancers";
}

int run_deploy(Context& ctx, Runtime& rt, const Args& args, Deployment d, Options opts) {
  for (const char* f : {"--target-group", "--container", "--container-port", "--desired-count", "--keep-revisions"})
    if (args.has(f))
      throw_usage(std::string(f) + " does not go with a service whose deployment controller is CODE_DEPLOY",
                  "CodeDeploy moves the traffic; change the service's other settings with update-service");
  const std::string cluster = cluster_name_from_arn(str(d.service, "clusterArn"));
  const std::string name = str(d.service, "serviceName");
  opts.names = names_for(args, d.service);
  check_resources(rt, opts.names, d.service);
  if (d.dry_run) {
    Json requests = Json::array();
    if (d.register_definition) requests.push_back({{"operation", "RegisterTaskDefinition"}, {"input", d.definition}});
    if (!d.update.empty()) {
      Json in = {{"cluster", cluster}, {"service", name}};
      for (auto& [k, v] : d.update.items()) in[k] = v;
      requests.push_back({{"operation", "UpdateService"}, {"input", in}});
    }
    std::string shown = d.register_definition ? d.definition.value("family", std::string()) + ":(registered)" : d.target;
    requests.push_back({{"operation", "CreateDeployment"},
                        {"input", create_deployment_input(opts.names.application, opts.names.group,
                                                          generate_appspec(d.spec, shown))}});
    const bool human = ctx.opts.output == OutputFormat::text || (ctx.stdout_is_tty && !ctx.opts.query);
    if (!human) {
      print_result(ctx, {{"dryRun", true}, {"service", name}, {"deploymentController", "CODE_DEPLOY"},
                         {"application", opts.names.application}, {"deploymentGroup", opts.names.group},
                         {"requests", requests}}, "Deploy");
      return 0;
    }
    ctx.out << "Deploy " << name << " through CodeDeploy (" << opts.names.application << "/" << opts.names.group
            << "):\nRequests it would send:\n";
    for (const auto& r : requests) ctx.out << "  " << r["operation"].get<std::string>() << " " << r["input"].dump() << "\n";
    return 0;
  }
  Journal journal;
  std::string target = d.target;
  if (d.register_definition) {
    Registered r;
    try {
      r = register_or_reuse(rt, d.definition);
    } catch (const Error& e) {
      journal.fail(e, {"registering the task definition", "the CodeDeploy deployment"});
    }
    target = r.arn;
    journal.done((r.reused ? "reused " : "registered ") + taskdef_short(target));
    if (!ctx.opts.quiet) ctx.err << (r.reused ? "reused " : "registered ") << taskdef_short(target) << "\n";
  }
  if (!d.update.empty()) {
    Json in = {{"cluster", cluster}, {"service", name}};
    for (auto& [k, v] : d.update.items()) in[k] = v;
    try {
      rt.call("ecs", "UpdateService", in);
    } catch (const Error& e) {
      journal.fail(e, {"UpdateService " + name, "the CodeDeploy deployment"}, name);
    }
    journal.done("updated " + name);
  }
  Json info = deploy(ctx, rt, d.spec, target, opts, journal);
  Json svc = describe_service(rt, cluster, name);
  print_result(ctx, {{"deployment", info}, {"service", svc}}, "Deploy");
  return 0;
}

}  // namespace ecsctl::commands::workflow::codedeploy
