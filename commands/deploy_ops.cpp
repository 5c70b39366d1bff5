// `ecsctl rollback`, `ecsctl scale` and `ecsctl restart`: one UpdateService
// each, then the same wait as deploy (exit 4 on timeout, 5 on failure).
#include <algorithm>
#include <cstdlib>
#include <tuple>
#include <ostream>

#include "commands/command.hpp"
#include "commands/deploy_bluegreen.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/journal.hpp"
#include "commands/poller.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_codedeploy.hpp"
#include "commands/workflow_deploy.hpp"

namespace ecsctl::commands::workflow {
namespace {

struct Common {
  std::string cluster, service;
  WaitOptions wait;
  bool no_wait = false;
};

// The service (SERVICE, or --service) and the wait flags.
Common take_common(Context& ctx, const Args& args, const char* command) {
  Common c;
  auto svc = args.value("--service");
  if (!svc) svc = args.positional(0);
  if (!svc) throw_usage(std::string(command) + " needs a SERVICE", "ecsctl " + std::string(command) + " --help");
  c.service = *svc;
  c.cluster = args.value("--cluster").value_or("");
  c.wait.timeout = parse_duration(args.value("--timeout").value_or("30m"), "--timeout");
  if (auto s = args.value("--stall-timeout")) c.wait.stall_timeout = parse_duration(*s, "--stall-timeout");
  c.wait.poll = poll_interval(ctx, args.value("--poll-interval"));
  open_events(ctx, args.value("--events"), c.wait);
  c.no_wait = args.has("--no-wait");
  return c;
}

// The positional words after SERVICE (all of them with --service).
std::vector<std::string> after_service(const Args& args) {
  const auto& p = args.positionals();
  if (args.has("--service") || p.empty()) return p;
  return {p.begin() + 1, p.end()};
}

void reject_extra(const std::vector<std::string>& words, std::size_t allowed, const char* command) {
  if (words.size() > allowed)
    throw_usage("Unknown options: " + words[allowed], "run `ecsctl " + std::string(command) + " --help` for its arguments");
}

int update_and_wait(Context& ctx, Common c, Json in, const std::string& target, const std::string& what) {
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  in["service"] = c.service;
  if (!c.cluster.empty()) in["cluster"] = c.cluster;
  // The events so far, so that the wait prints those that follow the update.
  if (!c.no_wait) c.wait.known_events = event_keys(describe_service(rt, c.cluster, c.service));
  rt.call("ecs", "UpdateService", in);
  Journal journal;
  journal.done(what);
  emit_event(c.wait, "updated", {{"service", c.service}, {"taskDefinition", target}, {"message", what}});
  if (text_progress(ctx, c.wait)) ctx.err << what << "\n";
  if (c.no_wait) {
    print_result(ctx, {{"service", describe_service(rt, c.cluster, c.service)}}, "UpdateService");
    return 0;
  }
  DeployPlan plan{c.cluster, c.service, target, "", false, c.wait};
  Json final_service = await_deployment(ctx, rt, plan, journal);
  emit_event(c.wait, "completed", {{"service", c.service}, {"taskDefinition", target}});
  print_result(ctx, {{"service", final_service}}, "UpdateService");
  return 0;
}

int run_scale(Context& ctx, Args& args) {
  Common c = take_common(ctx, args, "scale");
  auto rest = after_service(args);
  if (rest.empty()) throw_usage("scale needs a COUNT", "ecsctl scale SERVICE COUNT --cluster CLUSTER");
  reject_extra(rest, 1, "scale");
  long n = parse_count(rest[0], "COUNT");
  c.wait.steady_only = true;
  Json svc = describe_service(runtime(ctx), c.cluster, c.service);
  return update_and_wait(ctx, c, {{"desiredCount", n}}, svc.value("taskDefinition", ""),
                         "scaling " + c.service + " from " + std::to_string(svc.value("desiredCount", 0L)) + " to " +
                             std::to_string(n));
}

int run_restart(Context& ctx, Args& args) {
  Common c = take_common(ctx, args, "restart");
  reject_extra(after_service(args), 0, "restart");
  Json svc = describe_service(runtime(ctx), c.cluster, c.service);
  std::string td = svc.value("taskDefinition", "");
  return update_and_wait(ctx, c, {{"forceNewDeployment", true}}, td, "restarting " + c.service + " (" + taskdef_short(td) + ")");
}

// The newest ACTIVE revision of `family` below `below`.
std::string previous_revision(Runtime& rt, const std::string& family, long below) {
  Json list = rt.call("ecs", "ListTaskDefinitions",
                      {{"familyPrefix", family}, {"status", "ACTIVE"}, {"sort", "DESC"}, {"maxResults", 100}});
  for (const auto& a : list.value("taskDefinitionArns", Json::array())) {
    std::string s = taskdef_short(a.get<std::string>());
    auto colon = s.rfind(':');
    if (colon == std::string::npos || s.substr(0, colon) != family) continue;
    long rev = std::atol(s.c_str() + colon + 1);
    if (rev < below) return a.get<std::string>();
  }
  throw Error(Exit::usage, "no earlier ACTIVE revision of " + family + " than " + std::to_string(below), {},
              "give one with --to-revision N");
}

// The task definition the service last ran successfully, and how it was found:
//   1. while a deployment is in progress or failed (not rolled back), the
//      ACTIVE deployment that had completed (rolloutState COMPLETED) before it,
//      else the ACTIVE one that still runs tasks: what the service ran last;
//   2. ECS's deployment history (ListServiceDeployments, SUCCESSFUL, newest
//      first): the newest successful deployment of another task definition;
//   3. without that history (older endpoints, `ecsctl local`): the newest
//      ACTIVE revision of the family below the current one.
std::pair<std::string, std::string> last_good_revision(Context& ctx, Runtime& rt, const std::string& cluster,
                                                       const Json& svc) {
  const std::string current = svc.value("taskDefinition", "");
  const Json deployments = svc.value("deployments", Json::array());
  const Json* primary = nullptr;
  for (const auto& d : deployments)
    if (d.value("status", "") == "PRIMARY") primary = &d;
  if (primary && primary->value("rolloutState", "COMPLETED") != "COMPLETED") {
    for (const char* pass : {"completed", "running"})
      for (const auto& d : deployments) {
        if (d.value("status", "") != "ACTIVE" || taskdef_short(d.value("taskDefinition", "")) == taskdef_short(current))
          continue;
        bool ok = std::string(pass) == "completed" ? d.value("rolloutState", "") == "COMPLETED"
                                                   : d.value("runningCount", 0L) > 0;
        if (ok)
          return {d.value("taskDefinition", ""), std::string("the deployment that ") +
                                                     (std::string(pass) == "completed" ? "completed" : "ran tasks") +
                                                     " before the current " +
                                                     primary->value("rolloutState", "IN_PROGRESS") + " one"};
      }
  }
  try {
    Json in = {{"service", svc.value("serviceArn", svc.value("serviceName", ""))},
               {"status", Json::array({"SUCCESSFUL"})},
               {"maxResults", 20}};
    if (!cluster.empty()) in["cluster"] = cluster;
    Json list = rt.call("ecs", "ListServiceDeployments", in).value("serviceDeployments", Json::array());
    std::vector<Json> items(list.begin(), list.end());
    auto when = [](const Json& d) { return d.contains("startedAt") ? d["startedAt"] : d.value("createdAt", Json()); };
    std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
      Json x = when(a), y = when(b);
      return x.type() == y.type() && !x.is_null() && y < x;
    });
    for (const auto& d : items) {
      std::string rev = d.value("targetServiceRevisionArn", "");
      if (rev.empty()) continue;
      Json revs = rt.call("ecs", "DescribeServiceRevisions", {{"serviceRevisionArns", Json::array({rev})}});
      for (const auto& r : revs.value("serviceRevisions", Json::array())) {
        std::string td = r.value("taskDefinition", "");
        if (!td.empty() && taskdef_short(td) != taskdef_short(current))
          return {td, "the newest successful deployment in the service's deployment history"};
      }
    }
  } catch (const Error& e) {
    // No deployment history here (or no permission to read it): fall through
    // to the revision list.
    if (e.code() == Exit::interrupted || e.code() == Exit::terminated) throw;
  }
  std::string cur = taskdef_short(current);
  auto colon = cur.rfind(':');
  if (colon == std::string::npos) throw Error(Exit::other, "cannot read the revision of " + cur);
  if (!ctx.opts.quiet)
    ctx.err << "no deployment of the service ran another revision that ECS still lists; taking the previous "
               "ACTIVE revision\n";
  return {previous_revision(rt, cur.substr(0, colon), std::atol(cur.c_str() + colon + 1)),
          "the previous ACTIVE revision of the family"};
}

int run_rollback(Context& ctx, Args& args) {
  Common c = take_common(ctx, args, "rollback");
  reject_extra(after_service(args), 0, "rollback");
  std::optional<long> to;
  if (auto t = args.value("--to-revision")) to = parse_count(*t, "--to-revision");
  Runtime& rt = runtime(ctx);
  Json svc = describe_service(rt, c.cluster, c.service);
  const bool codedeploy = codedeploy::uses_codedeploy(svc);
  if (codedeploy && !to) {
    // A running CodeDeploy deployment is stopped, and CodeDeploy moves the
    // traffic back to the original task set.
    install_interrupt_handler();
    codedeploy::Options opts{codedeploy::names_for(args, svc), c.wait, false, c.no_wait};
    Journal journal;
    if (auto info = codedeploy::stop_running(ctx, rt, opts, journal)) {
      print_result(ctx, {{"deployment", *info}, {"service", describe_service(rt, c.cluster, c.service)}}, "Rollback");
      return 0;
    }
  }
  // During a blue/green deployment, ECS itself rolls back (StopServiceDeployment).
  if (!to && !codedeploy)
    if (auto rc = rollback_blue_green(ctx, rt, c.cluster, c.service, svc, c.wait, c.no_wait)) return *rc;
  std::string cur = taskdef_short(svc.value("taskDefinition", ""));
  auto colon = cur.rfind(':');
  if (colon == std::string::npos) throw Error(Exit::other, "cannot read the revision of " + cur);
  std::string family = cur.substr(0, colon);
  std::string target, why;
  if (to) target = family + ":" + std::to_string(*to), why = "--to-revision";
  else std::tie(target, why) = last_good_revision(ctx, rt, c.cluster, svc);
  if (taskdef_short(target) == cur) throw_usage("the service already runs " + cur);
  if (codedeploy) {
    // No deployment to stop: the last good revision goes out through CodeDeploy.
    install_interrupt_handler();
    if (text_progress(ctx, c.wait))
      ctx.err << "rolling " << c.service << " back from " << cur << " to " << taskdef_short(target) << " (" << why
              << ")\n";
    // The AppSpec names the revision by its ARN.
    if (target.rfind("arn:", 0) != 0)
      target = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", target}})["taskDefinition"].value(
          "taskDefinitionArn", target);
    codedeploy::Deployment d{svc, svc, Json(), false, target};
    return codedeploy::run_deploy(ctx, rt, args, d, {{}, c.wait, false, c.no_wait});
  }
  return update_and_wait(ctx, c, {{"taskDefinition", target}}, target,
                         "rolling " + c.service + " back from " + cur + " to " + taskdef_short(target) + " (" + why + ")");
}


}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {
namespace {

// --cluster, --service and the wait flags.
std::vector<FlagSpec> service_flags(std::vector<FlagSpec> own = {}) {
  std::vector<FlagSpec> flags = {
      {.name = "--cluster", .metavar = "CLUSTER", .help = "the service's cluster (default: default)",
       .complete = Completer::cluster},
      {.name = "--service", .metavar = "SERVICE", .help = "the service (instead of SERVICE)",
       .complete = Completer::service},
  };
  flags.insert(flags.end(), own.begin(), own.end());
  return flags_with(flags, workflow::deployment_wait_flags());
}

const PositionalSpec k_service{.name = "SERVICE", .help = "the service", .complete = Completer::service,
                               .required = false};

}  // namespace

const CommandSpec scale{
    .group = "",
    .name = "scale",
    .summary = "set a service's desired count and wait until it runs",
    .description = "Sets the desired count and waits until that many tasks run.\n\n"
                   "Exit codes: 0 done, 4 timed out or stalled, 5 the deployment failed or was rolled back, "
                   "130 Ctrl-C.\n",
    .flags = service_flags(),
    .positionals = {k_service, {.name = "COUNT", .help = "the new desired count", .required = false}},
    .run = ecsctl::commands::workflow::run_scale,
};

const CommandSpec restart{
    .group = "",
    .name = "restart",
    .summary = "start a fresh deployment of a service's tasks and wait",
    .description = "Starts a new deployment of the same revision (forceNewDeployment) and waits for it.\n\n"
                   "Exit codes: 0 done, 4 timed out or stalled, 5 the deployment failed or was rolled back, "
                   "130 Ctrl-C.\n",
    .flags = service_flags(),
    .positionals = {k_service},
    .run = ecsctl::commands::workflow::run_restart,
};

const CommandSpec rollback{
    .group = "",
    .name = "rollback",
    .summary = "deploy the revision a service last ran successfully and wait",
    .description = "Deploys the task definition the service last ran successfully (or --to-revision N) and\n"
                   "waits for it: while a deployment is in progress or failed, the deployment that completed\n"
                   "before it; otherwise the newest SUCCESSFUL deployment of another revision in ECS's\n"
                   "deployment history (ListServiceDeployments); without that history, the previous ACTIVE\n"
                   "revision of the family. While a blue/green deployment (strategy BLUE_GREEN) is in progress,\n"
                   "it asks ECS to roll it back (StopServiceDeployment ROLLBACK: production traffic returns to\n"
                   "the blue target group, the green tasks stop) and waits for ROLLBACK_SUCCESSFUL.\n\n"
                   "On a service whose deployment controller is CODE_DEPLOY, a running CodeDeploy deployment is\n"
                   "stopped with autoRollbackEnabled (StopDeployment) and the rollback awaited; without one, the\n"
                   "revision goes out through a new CodeDeploy deployment.\n\n"
                   "Exit codes: 0 done, 4 timed out or stalled, 5 the deployment failed or was rolled back, "
                   "130 Ctrl-C.\n",
    .flags = service_flags(flags_with({{.name = "--to-revision", .metavar = "N",
                                        .help = "the revision of the service's family to deploy (default: the last one that ran successfully)"}},
                                      workflow::codedeploy::flags())),
    .positionals = {k_service},
    .run = ecsctl::commands::workflow::run_rollback,
};

}  // namespace ecsctl::commands
