// `ecsctl deploy SERVICE`: register the new task definition (a file, a
// revision, or --image/--tag on the current one), update the service, and wait
// for the deployment, failing with exit 5 on failure or rollback.
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_target_group.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::workflow {
namespace {

const char* const k_help =
    "Usage: ecsctl deploy SERVICE --cluster C [--task-definition FILE|FAMILY[:REV]]\n"
    "                     [--image CONTAINER=IMAGE ...] [--tag TAG] [--env CONTAINER:K=V ...]\n"
    "                     [--desired-count N] [--force-new-deployment] [--rollback-on-failure]\n"
    "                     [--timeout 30m] [--stall-timeout D] [--poll-interval D] [--no-wait]\n"
    "                     [--keep-revisions N] [--dry-run] [--var K=V] [--var-file F] [--env-file F]\n"
    "                     [--target-group NAME|ARN --container NAME [--container-port P]]\n\n"
    "Registers the new task definition (an identical latest revision is reused), updates the\n"
    "service and waits until the new deployment is the only one and running equals desired (or\n"
    "its rolloutState is COMPLETED). Exit codes: 0 deployed, 3 the file failed validation,\n"
    "4 --timeout or --stall-timeout hit, 5 the deployment failed or was rolled back, 130 Ctrl-C.\n"
    "With --output json, progress is NDJSON events on stdout.\n";

struct DeployOptions {
  std::string service, cluster;
  std::optional<std::string> task_definition, tag, desired_count, keep_revisions, target_group, container, port;
  TemplateArgs templ;
  ContainerOverrides overrides;
  bool force = false, rollback = false, dry_run = false, no_wait = false;
  WaitOptions wait;
};

DeployOptions parse(Context& ctx, std::vector<std::string>& args) {
  DeployOptions o;
  o.cluster = take_value(args, "--cluster").value_or("");
  o.task_definition = take_value(args, "--task-definition");
  o.tag = take_value(args, "--tag");
  o.desired_count = take_value(args, "--desired-count");
  o.keep_revisions = take_value(args, "--keep-revisions");
  o.templ = take_template_args(args);
  o.target_group = take_value(args, "--target-group");
  o.container = take_value(args, "--container");
  o.port = take_value(args, "--container-port");
  if (o.target_group.has_value() != o.container.has_value())
    throw_usage("--target-group and --container go together");
  auto images = take_list(args, "--image");
  auto commands = take_list(args, "--command");
  auto envs = take_list(args, "--env");
  o.overrides = parse_overrides(images, commands, envs);
  o.force = take_flag(args, "--force-new-deployment");
  o.rollback = take_flag(args, "--rollback-on-failure");
  o.dry_run = take_flag(args, "--dry-run");
  o.no_wait = take_flag(args, "--no-wait");
  o.wait.timeout = parse_duration(take_value(args, "--timeout").value_or("30m"), "--timeout");
  if (auto s = take_value(args, "--stall-timeout")) o.wait.stall_timeout = parse_duration(*s, "--stall-timeout");
  o.wait.poll = poll_interval(ctx, take_value(args, "--poll-interval"));
  auto svc = take_value(args, "--service");
  if (!svc) svc = take_positional(args);
  if (!svc) throw_usage("deploy needs a SERVICE", "ecsctl deploy SERVICE --cluster CLUSTER --image app=repo:tag");
  o.service = *svc;
  reject_leftovers(args, "deploy");
  if (o.desired_count) parse_count(*o.desired_count, "--desired-count");
  if (o.keep_revisions && parse_count(*o.keep_revisions, "--keep-revisions") < 1)
    throw_usage("--keep-revisions must be at least 1");
  return o;
}

// The definition to deploy and whether it must be registered (false: an existing revision).
std::pair<Json, bool> wanted_definition(Context& ctx, Runtime& rt, const DeployOptions& o, const Json& current) {
  Json def;
  bool needs_register = true;
  if (o.task_definition && is_taskdef_file(*o.task_definition)) {
    def = load_taskdef_file(ctx, *o.task_definition, o.templ);
  } else if (o.task_definition) {
    Json d = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", *o.task_definition}, {"include", {"TAGS"}}});
    def = d["taskDefinition"];
    needs_register = false;
  } else {
    def = current;
    needs_register = false;
  }
  if (!o.overrides.empty() || o.tag) {
    def = def.contains("taskDefinitionArn") ? registration_input(def) : def;
    apply_overrides(def, o.overrides, o.tag);
    needs_register = true;
  }
  return {def, needs_register};
}

void print_dry_run(Context& ctx, const DeployOptions& o, const Json& current, const Json& def, bool reg,
                   Runtime& rt) {
  std::vector<std::string> calls;
  std::string target = def.value("taskDefinitionArn", "");
  if (reg) {
    Json latest;
    try {
      latest = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", def.value("family", "")}})["taskDefinition"];
    } catch (const ServiceError&) {
    }
    if (latest.is_object() && same_definition(def, latest)) {
      target = latest.value("taskDefinitionArn", "");
      calls.push_back("reuse " + taskdef_short(target) + " (identical to the file; no RegisterTaskDefinition)");
    } else {
      calls.push_back("RegisterTaskDefinition family=" + def.value("family", ""));
    }
  }
  std::string shown = target.empty() ? "(new revision)" : taskdef_short(target);
  calls.push_back("UpdateService cluster=" + (o.cluster.empty() ? "default" : o.cluster) + " service=" + o.service +
                  " taskDefinition=" + shown + (o.force ? " forceNewDeployment=true" : "") +
                  (o.desired_count ? " desiredCount=" + *o.desired_count : ""));
  if (!o.no_wait) calls.push_back("DescribeServices (poll until the deployment completes)");
  if (o.keep_revisions) calls.push_back("DeregisterTaskDefinition for revisions beyond the newest " + *o.keep_revisions);
  auto diff = json_diff(registration_input(current), registration_input(def));
  if (ctx.opts.output_given) {
    print_result(ctx, {{"dryRun", true}, {"service", o.service}, {"currentTaskDefinition", current.value("taskDefinitionArn", "")},
                       {"diff", diff}, {"calls", calls}}, "Deploy");
    return;
  }
  ctx.out << "Deploy " << o.service << ": " << taskdef_short(current.value("taskDefinitionArn", "")) << " -> "
          << shown << "\n";
  if (diff.empty()) ctx.out << "(no change to the task definition)\n";
  for (const auto& l : diff) ctx.out << l << "\n";
  ctx.out << "Calls it would make:\n";
  for (const auto& c : calls) ctx.out << "  " << c << "\n";
}

void prune_revisions(Context& ctx, Runtime& rt, const std::string& deployed, long keep, Journal& journal) {
  std::string family = taskdef_short(deployed);
  family = family.substr(0, family.rfind(':'));
  int removed = 0;
  try {
  Json list = rt.call("ecs", "ListTaskDefinitions",
                      {{"familyPrefix", family}, {"status", "ACTIVE"}, {"sort", "DESC"}, {"maxResults", 100}});
  long kept = 0;
  for (const auto& arn_j : list.value("taskDefinitionArns", Json::array())) {
    std::string arn = arn_j.get<std::string>();
    std::string s = taskdef_short(arn);
    if (s.substr(0, s.rfind(':')) != family) continue;  // another family sharing the prefix
    if (s == taskdef_short(deployed) || kept < keep) {
      ++kept;
      continue;
    }
    rt.call("ecs", "DeregisterTaskDefinition", {{"taskDefinition", arn}});
    ++removed;
  }
  } catch (const Error& e) {
    if (removed) journal.done("deregistered " + std::to_string(removed) + " old revision(s)");
    journal.fail(e, {"deregistering the revisions of " + family + " beyond the newest " + std::to_string(keep)});
  }
  journal.done("deregistered " + std::to_string(removed) + " old revision(s)");
  if (removed && !ctx.opts.quiet) ctx.err << "deregistered " << removed << " old revision(s) of " << family << "\n";
}

int run_deploy(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  install_interrupt_handler();
  DeployOptions o = parse(ctx, args);
  Runtime& rt = runtime(ctx);
  Json svc = describe_service(rt, o.cluster, o.service);
  std::string current_arn = svc.value("taskDefinition", "");
  Json cur = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", current_arn}, {"include", {"TAGS"}}});
  Json current = cur["taskDefinition"];
  auto [def, reg] = wanted_definition(ctx, rt, o, registration_input(current, cur.value("tags", Json::array())));
  if (!o.task_definition && o.overrides.empty() && !o.tag && !o.force && !o.desired_count && !o.target_group)
    throw_usage("nothing to deploy", "give --task-definition, --image, --tag or --force-new-deployment");
  if (o.dry_run) return print_dry_run(ctx, o, current, def, reg, rt), 0;

  Json load_balancer;
  if (o.target_group) {
    std::optional<long> port;
    if (o.port) port = parse_count(*o.port, "--container-port");
    Json checked = def.contains("containerDefinitions") ? def : current;
    load_balancer = service_load_balancer(rt, checked, *o.target_group, *o.container, port);
  }
  Journal journal;
  std::string target = def.value("taskDefinitionArn", current_arn);
  if (reg) {
    Registered r = register_or_reuse(rt, def);
    target = r.arn;
    journal.done((r.reused ? "reused " : "registered ") + taskdef_short(target));
  }
  Json in = {{"service", o.service}, {"taskDefinition", target}};
  if (!o.cluster.empty()) in["cluster"] = o.cluster;
  if (o.force) in["forceNewDeployment"] = true;
  if (!load_balancer.is_null()) in["loadBalancers"] = Json::array({load_balancer});
  if (o.desired_count) in["desiredCount"] = parse_count(*o.desired_count, "--desired-count");
  try {
    rt.call("ecs", "UpdateService", in);
  } catch (const Error& e) {
    journal.fail(e, {"UpdateService to " + taskdef_short(target)}, o.service);
  }
  journal.done("updated " + o.service + " to " + taskdef_short(target));
  bool ndjson = ndjson_events(ctx);
  if (ndjson) emit_event(ctx, "deploying", {{"service", o.service}, {"taskDefinition", target}});
  else if (!ctx.opts.quiet) ctx.err << "deploying " << taskdef_short(target) << " to " << o.service << "\n";
  if (o.no_wait) {
    if (!ndjson) print_result(ctx, {{"service", describe_service(rt, o.cluster, o.service)}}, "Deploy");
    return 0;
  }
  DeployPlan plan{o.cluster, o.service, target, current_arn, o.rollback, o.wait, ndjson};
  Json final_service = await_deployment(ctx, rt, plan, journal);
  if (o.keep_revisions) prune_revisions(ctx, rt, target, parse_count(*o.keep_revisions, "--keep-revisions"), journal);
  if (ndjson) emit_event(ctx, "completed", {{"service", o.service}, {"taskDefinition", target}});
  else print_result(ctx, {{"service", final_service}}, "Deploy");
  return 0;
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec deploy{
    .group = "",
    .name = "deploy",
    .summary = "register, update a service and wait for the deployment (exit 5 on failure)",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_deploy(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
