// `ecsctl deploy SERVICE`: register the new task definition (a file, a
// revision, or --image/--tag on the current one), update the service, and wait
// for the deployment, failing with exit 5 on failure or rollback.
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/journal.hpp"
#include "commands/poller.hpp"
#include "commands/project.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_codedeploy.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_target_group.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::commands::workflow {
namespace {

struct DeployOptions {
  std::string service, cluster;
  std::optional<std::string> task_definition, tag, target_group, container;
  std::optional<long> desired_count, keep_revisions, port;
  Json file_def;  // the loaded --task-definition file, if one was given
  ContainerOverrides overrides;
  bool force = false, rollback = false, dry_run = false, no_wait = false;
  WaitOptions wait;
};

// Every flag checked, and the file loaded and validated, before any call.
DeployOptions parse(Context& ctx, const Args& args) {
  DeployOptions o;
  auto svc = args.value("--service");
  if (!svc) svc = args.positional(0);
  if (!svc) throw_usage("deploy needs a SERVICE", "ecsctl deploy SERVICE --cluster CLUSTER --image app=repo:tag");
  if (args.has("--service") && !args.positionals().empty())
    throw_usage("Unknown options: " + args.positionals()[0], "give the service as SERVICE or --service, not both");
  o.service = *svc;
  o.cluster = args.value("--cluster").value_or("");
  o.task_definition = args.value("--task-definition");
  o.tag = args.value("--tag");
  o.target_group = args.value("--target-group");
  o.container = args.value("--container");
  if (o.target_group.has_value() != o.container.has_value())
    throw_usage("--target-group and --container go together");
  if (auto p = args.value("--container-port")) o.port = parse_count(*p, "--container-port");
  o.overrides = parse_overrides(args.values("--image"), args.values("--command"), args.values("--env"));
  o.force = args.has("--force-new-deployment");
  o.rollback = args.has("--rollback-on-failure");
  o.dry_run = args.has("--dry-run");
  o.no_wait = args.has("--no-wait");
  o.wait.timeout = parse_duration(args.value("--timeout").value_or("30m"), "--timeout");
  if (auto s = args.value("--stall-timeout")) o.wait.stall_timeout = parse_duration(*s, "--stall-timeout");
  o.wait.poll = poll_interval(ctx, args.value("--poll-interval"));
  open_events(ctx, args.value("--events"), o.wait);
  if (auto n = args.value("--desired-count")) o.desired_count = parse_count(*n, "--desired-count");
  if (auto n = args.value("--keep-revisions")) {
    o.keep_revisions = parse_count(*n, "--keep-revisions");
    if (*o.keep_revisions < 1) throw_usage("--keep-revisions must be at least 1");
  }
  if (!o.task_definition && o.overrides.empty() && !o.tag && !o.force && !o.desired_count && !o.target_group)
    throw_usage("nothing to deploy", "give --task-definition, --image, --tag or --force-new-deployment");
  if (o.task_definition && is_taskdef_file(*o.task_definition)) {
    std::set<std::string> replaced;  // no :latest warning for an image --image replaces
    for (const auto& [name, image] : o.overrides.image) replaced.insert(name);
    o.file_def = taskdef_input::load(ctx, *o.task_definition, taskdef_input::template_vars(ctx, args), std::nullopt,
                                     false, replaced);
  }
  return o;
}

// The definition to deploy and whether it must be registered (false: an existing revision).
std::pair<Json, bool> wanted_definition(Runtime& rt, const DeployOptions& o, const Json& current) {
  Json def;
  bool needs_register = true;
  if (!o.file_def.is_null()) {
    def = o.file_def;
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
                  (o.desired_count ? " desiredCount=" + std::to_string(*o.desired_count) : ""));
  if (!o.no_wait) calls.push_back("DescribeServices (poll until the deployment completes)");
  if (o.keep_revisions) calls.push_back("DeregisterTaskDefinition for revisions beyond the newest " + std::to_string(*o.keep_revisions));
  auto diff = json_diff(registration_input(current), registration_input(def));
  // The same bytes for the same output setting, wherever it came from: the human
  // summary with --output text or on a terminal (without --query), otherwise the
  // structured object in the output format.
  const bool human = ctx.opts.output == OutputFormat::text || (ctx.stdout_is_tty && !ctx.opts.query);
  if (!human) {
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

int run_deploy(Context& ctx, Args& args) {
  // The AWS CLI's `aws ecs deploy` (CodeDeploy with an AppSpec file).
  if (args.has("--codedeploy-appspec")) return codedeploy::run_awscli_deploy(ctx, args);
  // The service-as-code form: a project file (ecsctl.yaml, --config) or --service-definition.
  if (project::wanted(args, !args.has("--service") && args.positionals().empty())) return project::run_deploy(ctx, args);
  DeployOptions o = parse(ctx, args);
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  Json svc = describe_service(rt, o.cluster, o.service);
  std::string current_arn = svc.value("taskDefinition", "");
  Json cur = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", current_arn}, {"include", {"TAGS"}}});
  Json current = cur["taskDefinition"];
  auto [def, reg] = wanted_definition(rt, o, registration_input(current, cur.value("tags", Json::array())));
  if (codedeploy::uses_codedeploy(svc)) {
    codedeploy::Deployment d{svc, svc, def, reg, def.value("taskDefinitionArn", current_arn)};
    d.dry_run = o.dry_run;
    return codedeploy::run_deploy(ctx, rt, args, d, {{}, o.wait, o.rollback, o.no_wait});
  }
  if (o.dry_run) return print_dry_run(ctx, o, current, def, reg, rt), 0;

  Json load_balancer;
  if (o.target_group) {
    Json checked = def.contains("containerDefinitions") ? def : current;
    load_balancer = service_load_balancer(rt, checked, *o.target_group, *o.container, o.port);
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
  if (o.desired_count) in["desiredCount"] = *o.desired_count;
  o.wait.known_events = event_keys(svc);
  try {
    rt.call("ecs", "UpdateService", in);
  } catch (const Error& e) {
    journal.fail(e, {"UpdateService to " + taskdef_short(target)}, o.service);
  }
  journal.done("updated " + o.service + " to " + taskdef_short(target));
  emit_event(o.wait, "deploying", {{"service", o.service}, {"taskDefinition", target}});
  if (text_progress(ctx, o.wait)) ctx.err << "deploying " << taskdef_short(target) << " to " << o.service << "\n";
  if (o.no_wait) {
    print_result(ctx, {{"service", describe_service(rt, o.cluster, o.service)}}, "Deploy");
    return 0;
  }
  DeployPlan plan{o.cluster, o.service, target, current_arn, o.rollback, o.wait};
  Json final_service = await_deployment(ctx, rt, plan, journal);
  if (o.keep_revisions) prune_revisions(ctx, rt, target, *o.keep_revisions, journal);
  emit_event(o.wait, "completed", {{"service", o.service}, {"taskDefinition", target}});
  print_result(ctx, {{"service", final_service}}, "Deploy");
  return 0;
}


}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec deploy{
    .group = "",
    .name = "deploy",
    .summary = "register, update a service and wait for the deployment (exit 5 on failure)",
    .description =
        "With a project file (ecsctl.yaml in the current directory, or --config) or --service-definition,\n"
        "deploys the service as code: creates the service when it is missing, otherwise sends one\n"
        "UpdateService with only the members that differ from the live service, and registers the task\n"
        "definition only when it differs from the one the service runs; --dry-run prints the changes and\n"
        "the requests and sends nothing (README, \"A service as code\").\n\n"
        "Otherwise registers the new task definition (an identical latest revision is reused), updates the\n"
        "service and waits until the new deployment is the only one and running equals desired (or\n"
        "its rolloutState is COMPLETED). stdout is the final service object, in the output format;\n"
        "progress goes to stderr, and --events FILE writes it as NDJSON events too.\n\n"
        "On a service whose deployment controller is CODE_DEPLOY, the new revision goes out through a\n"
        "CodeDeploy deployment with an AppSpec generated from the service (README, \"Blue/green through CodeDeploy\").\n"
        "With --codedeploy-appspec FILE it is the AWS CLI's `aws ecs deploy`: --service,\n"
        "--task-definition FILE (JSON) and optionally --cluster, --codedeploy-application and\n"
        "--codedeploy-deployment-group; same requests, messages and exit codes (255 on failure).\n\n"
        "Exit codes: 0 deployed, 3 the file failed validation, 4 --timeout or --stall-timeout hit,\n"
        "5 the deployment failed or was rolled back, 130 Ctrl-C, 143 SIGTERM.\n",
    .flags = flags_with(
        flags_with(
            {
                {.name = "--cluster", .metavar = "CLUSTER", .help = "the service's cluster (default: default)",
                 .complete = Completer::cluster},
                {.name = "--service", .metavar = "SERVICE", .help = "the service (instead of SERVICE)",
                 .complete = Completer::service},
                {.name = "--task-definition", .metavar = "FILE|FAMILY[:REV]",
                 .help = "deploy this file (registered or reused) or revision",
                 .complete = Completer::task_definition_or_file},
                {.name = "--image", .metavar = "CONTAINER=IMAGE", .help = "a new image for CONTAINER",
                 .complete = Completer::container, .repeats = true},
                {.name = "--tag", .metavar = "TAG", .help = "give every container's image this tag"},
                {.name = "--command", .metavar = "CONTAINER=CMD",
                 .help = "a new command for CONTAINER (shell words or a JSON list)",
                 .complete = Completer::container, .repeats = true},
                {.name = "--env", .metavar = "CONTAINER:NAME=VALUE", .help = "set a variable in CONTAINER",
                 .complete = Completer::container, .repeats = true},
                {.name = "--desired-count", .metavar = "N", .help = "also set the desired count"},
                {.name = "--force-new-deployment", .help = "start a new deployment even if nothing changed"},
                {.name = "--rollback-on-failure",
                 .help = "on failure or timeout, roll back to the previous revision (exit 5)"},
                {.name = "--keep-revisions", .metavar = "N",
                 .help = "afterwards, deregister the family's ACTIVE revisions beyond the newest N"},
                {.name = "--dry-run", .help = "print the change and the calls it would make; change nothing"},
                {.name = "--target-group", .metavar = "NAME|ARN", .help = "put the service behind this target group",
                 .complete = Completer::target_group},
                {.name = "--container", .metavar = "NAME", .help = "the container the target group sends traffic to",
                 .complete = Completer::container},
                {.name = "--container-port", .metavar = "PORT",
                 .help = "the container port (default: its first port mapping)"},
            },
            flags_with(workflow::deployment_wait_flags(), workflow::codedeploy::awscli_flags())),
        flags_with(project::flags(), taskdef_input::template_flags())),
    .positionals = {{.name = "SERVICE", .help = "the service to deploy", .complete = Completer::service,
                     .required = false}},
    .run = ecsctl::commands::workflow::run_deploy,
};

}  // namespace ecsctl::commands
