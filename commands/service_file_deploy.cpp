// deploy and diff in the service-as-code form: the project's service and
// task-definition files against what the service runs. deploy creates the
// service when it is missing, otherwise sends one UpdateService with only the
// members that differ, and registers a task definition only when the rendered
// one differs from the running one.
#include <ostream>

#include "client/api.hpp"
#include "commands/journal.hpp"
#include "commands/poller.hpp"
#include "commands/project.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_codedeploy.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_taskdef.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/service_def.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl::commands::project {
namespace {
using namespace workflow;

// What runs now: the service (when it exists and is not INACTIVE) and its task
// definition as DescribeTaskDefinition returns it ({taskDefinition, tags}).
struct Live {
  bool exists = false;
  Json service;
  Json task_definition;
};

Live describe_live(Runtime& rt, const Project& p) {
  Live l;
  Json in = {{"services", Json::array({p.service})}, {"include", Json::array({"TAGS"})}};
  if (!p.cluster.empty()) in["cluster"] = p.cluster;
  Json out = rt.call("ecs", "DescribeServices", in);
  if (out.contains("services") && out["services"].is_array())
    for (const auto& s : out["services"])
      if (s.value("status", "") != "INACTIVE") {
        l.exists = true;
        l.service = s;
      }
  if (l.exists && !l.service.value("taskDefinition", "").empty())
    l.task_definition = rt.call("ecs", "DescribeTaskDefinition",
                                {{"taskDefinition", l.service["taskDefinition"]}, {"include", Json::array({"TAGS"})}});
  return l;
}

// The live service in the normal form of the file: members the file leaves to
// run as they are (desiredCount, availabilityZoneRebalancing) are not compared.
Json live_normal(const Json& service, const Json& file) {
  Json n = servicedef::normalize(servicedef::from_described(service));
  for (const auto& m : servicedef::managed_members())
    if (servicedef::optional_member(m) && !file.contains(m)) n.erase(m);
  return n;
}

// What UpdateService gets for a member the file no longer has.
Json reset_value(const std::string& m) {
  if (m == "capacityProviderStrategy" || m == "loadBalancers" || m == "serviceRegistries" ||
      m == "placementConstraints" || m == "placementStrategy" || m == "volumeConfigurations" ||
      m == "vpcLatticeConfigurations")
    return Json::array();
  if (m == "enableExecuteCommand" || m == "enableECSManagedTags") return false;
  if (m == "propagateTags") return "NONE";
  if (m == "healthCheckGracePeriodSeconds") return 0;
  if (m == "platformVersion") return "LATEST";
  if (m == "deploymentConfiguration")
    return {{"maximumPercent", 200}, {"minimumHealthyPercent", 100},
            {"deploymentCircuitBreaker", {{"enable", false}, {"rollback", false}}}};
  if (m == "deploymentController") return {{"type", "ECS"}};
  return Json();
}

struct Plan {
  bool create = false;
  bool register_td = false;  // the rendered task definition differs from the running one
  Json changes = Json::array();
  Json members = Json::object();  // CreateService/UpdateService members (without cluster, service, taskDefinition)
  std::vector<std::string> unchangeable;  // differ, but UpdateService cannot change them
};

Plan make_plan(const Rendered& r, const Live& live) {
  Plan plan;
  Json file_n = servicedef::normalize(r.service);
  if (!live.exists) {
    plan.create = plan.register_td = true;
    for (auto& [k, v] : r.service.items())
      if (k != "cluster" && k != "serviceName" && k != "service" && k != "taskDefinition" && k != "clientToken")
        plan.members[k] = v;
    flat_changes(Json::object(), file_n, "", plan.changes);
    flat_changes(Json::object(), taskdef::normalize_for_diff(r.task_definition), "taskDefinition", plan.changes);
    return plan;
  }
  Json live_n = live_normal(live.service, r.service);
  for (const auto& m : servicedef::managed_members()) {
    Json before = live_n.contains(m) ? live_n[m] : Json(), after = file_n.contains(m) ? file_n[m] : Json();
    if (before == after) continue;
    flat_changes(before, after, m, plan.changes);
    if (!servicedef::updatable(m)) {
      plan.unchangeable.push_back(m);
      continue;
    }
    Json value = r.service.contains(m) && !r.service[m].is_null() ? r.service[m] : reset_value(m);
    if (value.is_null()) plan.unchangeable.push_back(m);
    else plan.members[m] = value;
  }
  const Json& running = live.task_definition.contains("taskDefinition") ? live.task_definition["taskDefinition"] : Json();
  if (!running.is_object() || !same_definition(r.task_definition, running)) {
    plan.register_td = true;
    flat_changes(taskdef::normalize_for_diff(taskdef::registration_from_describe(live.task_definition)),
                 taskdef::normalize_for_diff(r.task_definition), "taskDefinition", plan.changes);
  }
  return plan;
}

std::string show(const Json& v) { return v.is_null() ? "(none)" : v.is_string() ? v.get<std::string>() : v.dump(); }

struct DeployArgs {
  bool dry_run = false, force = false, rollback = false, no_wait = false;
  WaitOptions wait;
};

void print_plan(Context& ctx, const Project& p, const Plan& plan, const Json& requests, const Live& live) {
  const bool human = ctx.opts.output == OutputFormat::text || (ctx.stdout_is_tty && !ctx.opts.query);
  if (!human) {
    print_result(ctx,
                 {{"dryRun", true},
                  {"cluster", p.cluster.empty() ? "default" : p.cluster},
                  {"service", p.service},
                  {"action", plan.create ? "create" : "update"},
                  {"runningTaskDefinition", live.exists ? live.service.value("taskDefinition", "") : ""},
                  {"changes", plan.changes},
                  {"requests", requests}},
                 "Deploy");
    return;
  }
  ctx.out << (plan.create ? "Create " : "Update ") << p.service << " in cluster "
          << (p.cluster.empty() ? "default" : p.cluster) << ":\n";
  if (plan.changes.empty()) ctx.out << "  (no changes)\n";
  for (const auto& c : plan.changes)
    ctx.out << "  " << c["path"].get<std::string>() << ": " << show(c["before"]) << " -> " << show(c["after"]) << "\n";
  ctx.out << (requests.empty() ? "No requests to send.\n" : "Requests it would send:\n");
  for (const auto& r : requests) ctx.out << "  " << r["operation"].get<std::string>() << " " << r["input"].dump() << "\n";
}

}  // namespace

int run_deploy(Context& ctx, Args& args) {
  DeployArgs d;
  d.dry_run = args.has("--dry-run");
  d.force = args.has("--force-new-deployment");
  d.rollback = args.has("--rollback-on-failure");
  d.no_wait = args.has("--no-wait");
  d.wait.timeout = parse_duration(args.value("--timeout").value_or("30m"), "--timeout");
  if (auto s = args.value("--stall-timeout")) d.wait.stall_timeout = parse_duration(*s, "--stall-timeout");
  d.wait.poll = poll_interval(ctx, args.value("--poll-interval"));
  for (const char* f : {"--target-group", "--container", "--container-port", "--keep-revisions", "--desired-count"})
    if (args.has(f))
      throw_usage(std::string(f) + " does not go with a project file", "put it in the service file instead");
  Project p = load(ctx, args);
  taskdef::TemplateVars vars = template_vars(ctx, args, p);
  Rendered r = render(ctx, args, p, vars);
  open_events(ctx, args.value("--events"), d.wait);
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  Live live = describe_live(rt, p);
  Plan plan = make_plan(r, live);
  for (const auto& m : plan.unchangeable)
    if (!ctx.opts.quiet)
      ctx.err << "warning: " << m << " differs from the live service, but UpdateService cannot change it"
              << " (recreate the service to change it)\n";

  if (live.exists && codedeploy::uses_codedeploy(live.service)) {
    // CodeDeploy deploys the task definition and the members its AppSpec
    // carries; UpdateService gets the rest.
    codedeploy::Deployment cd;
    cd.service = cd.spec = live.service;
    for (auto& [k, v] : r.service.items()) cd.spec[k] = v;
    cd.definition = r.task_definition;
    cd.register_definition = plan.register_td;
    cd.target = live.service.value("taskDefinition", "");
    cd.dry_run = d.dry_run;
    bool appspec_changed = false;
    for (auto& [k, v] : plan.members.items())
      if (codedeploy::appspec_member(k)) appspec_changed = true;
      else cd.update[k] = v;
    if (plan.register_td || appspec_changed || d.force)
      return codedeploy::run_deploy(ctx, rt, args, cd, {{}, d.wait, d.rollback, d.no_wait});
  }
  const std::string running = live.exists ? live.service.value("taskDefinition", "") : "";
  const std::string family = r.task_definition.value("family", "");
  Json requests = Json::array();
  if (plan.register_td) {
    Json latest;
    try {
      latest = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", family}})["taskDefinition"];
    } catch (const ServiceError&) {
    }
    if (!(latest.is_object() && latest.value("status", "ACTIVE") == "ACTIVE" && same_definition(r.task_definition, latest)))
      requests.push_back({{"operation", "RegisterTaskDefinition"}, {"input", r.task_definition}});
  }
  auto service_input = [&](const std::string& td) {
    Json in = Json::object();
    if (!p.cluster.empty()) in["cluster"] = p.cluster;
    in[plan.create ? "serviceName" : "service"] = p.service;
    if (!td.empty()) in["taskDefinition"] = td;
    for (auto& [k, v] : plan.members.items()) in[k] = v;
    if (!plan.create && d.force) in["forceNewDeployment"] = true;
    return in;
  };
  const bool update_needed = plan.create || plan.register_td || !plan.members.empty() || d.force;
  if (d.dry_run) {
    if (update_needed)
      requests.push_back({{"operation", plan.create ? "CreateService" : "UpdateService"},
                          {"input", service_input(plan.register_td ? family + ":(registered)" : "")}});
    print_plan(ctx, p, plan, requests, live);
    return 0;
  }
  if (!update_needed) {
    if (!ctx.opts.quiet)
      ctx.err << "no changes: " << p.service << " already runs " << taskdef_short(running) << " as "
              << p.service_definition << " describes it\n";
    print_result(ctx, {{"service", live.service}}, "Deploy");
    return 0;
  }
  Journal journal;
  std::string target = running;
  if (plan.register_td) {
    Registered reg = register_or_reuse(rt, r.task_definition);
    target = reg.arn;
    journal.done((reg.reused ? "reused " : "registered ") + taskdef_short(target));
    if (!ctx.opts.quiet) ctx.err << (reg.reused ? "reused " : "registered ") << taskdef_short(target) << "\n";
  }
  d.wait.known_events = live.exists ? event_keys(live.service) : std::set<std::string>{};
  const bool td_changes = plan.create || (target != running);
  Json in = service_input(plan.create || td_changes ? target : "");
  try {
    rt.call("ecs", plan.create ? "CreateService" : "UpdateService", in);
  } catch (const Error& e) {
    journal.fail(e, {(plan.create ? "CreateService " : "UpdateService ") + p.service}, p.service);
  }
  std::string what = plan.create ? "created " + p.service + " with " + taskdef_short(target)
                                 : "updated " + p.service + (td_changes ? " to " + taskdef_short(target) : "");
  journal.done(what);
  emit_event(d.wait, "deploying", {{"service", p.service}, {"taskDefinition", target}});
  if (text_progress(ctx, d.wait)) ctx.err << what << "\n";
  if (d.no_wait) {
    print_result(ctx, {{"service", describe_service(rt, p.cluster, p.service)}}, "Deploy");
    return 0;
  }
  if (!td_changes && !d.force) d.wait.steady_only = true;
  DeployPlan dp{p.cluster, p.service, target, plan.create ? "" : running, d.rollback, d.wait};
  Json final_service = await_deployment(ctx, rt, dp, journal);
  emit_event(d.wait, "completed", {{"service", p.service}, {"taskDefinition", target}});
  print_result(ctx, {{"service", final_service}}, "Deploy");
  return 0;
}

int run_diff(Context& ctx, Args& args) {
  Project p = load(ctx, args);
  taskdef::TemplateVars vars = template_vars(ctx, args, p);
  Rendered r = render(ctx, args, p, vars);
  Runtime& rt = runtime(ctx);
  Live live = describe_live(rt, p);
  const std::string format = args.value("--format").value_or("");
  const bool yaml = format.empty() ? !p.service_definition.ends_with(".json") : format == "yaml";
  auto rendering = [&](const Json& v) { return yaml ? render_yaml(v) : v.dump(2) + "\n"; };
  std::vector<std::string> lines;
  Json file_n = servicedef::normalize(r.service);
  std::vector<std::string> before;
  std::string service_name = "/dev/null";
  if (live.exists) {
    before = taskdef::split_lines(rendering(live_normal(live.service, r.service)));
    service_name = "service " + p.service + " (live)";
  } else if (!ctx.opts.quiet) {
    ctx.err << "service " << p.service << " does not exist in cluster " << (p.cluster.empty() ? "default" : p.cluster)
            << "; every field is new\n";
  }
  lines = taskdef::unified_diff(before, taskdef::split_lines(rendering(file_n)), service_name, p.service_definition);
  std::vector<std::string> td_before;
  std::string td_name = "/dev/null";
  const Json& running = live.task_definition.contains("taskDefinition") ? live.task_definition["taskDefinition"] : Json();
  if (running.is_object()) {
    td_before = taskdef::split_lines(rendering(taskdef::normalize_for_diff(taskdef::registration_from_describe(live.task_definition))));
    td_name = taskdef_short(running.value("taskDefinitionArn", "")) + " (running)";
  }
  auto td_lines = taskdef::unified_diff(td_before, taskdef::split_lines(rendering(taskdef::normalize_for_diff(r.task_definition))),
                                        td_name, p.task_definition);
  lines.insert(lines.end(), td_lines.begin(), td_lines.end());
  const bool color = ctx.color_stdout();
  for (const auto& l : lines) {
    const char* c = !color ? nullptr : l.rfind("+++", 0) == 0 || l.rfind("---", 0) == 0 ? "\033[1m"
                    : l[0] == '+' ? "\033[32m" : l[0] == '-' ? "\033[31m" : l[0] == '@' ? "\033[36m" : nullptr;
    if (c) ctx.out << c << l << "\033[0m\n";
    else ctx.out << l << "\n";
  }
  if (lines.empty() && !ctx.opts.quiet)
    ctx.err << "no differences: " << p.service << " runs what " << p.service_definition << " and "
            << p.task_definition << " describe\n";
  return args.has("--exit-code") && !lines.empty() ? 1 : 0;
}

}  // namespace ecsctl::commands::project
