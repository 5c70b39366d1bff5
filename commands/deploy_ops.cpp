// `ecsctl rollback`, `ecsctl scale` and `ecsctl restart`: one UpdateService
// each, then the same wait as deploy (exit 4 on timeout, 5 on failure).
#include <cstdlib>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"

namespace ecsctl::workflow {
namespace {

struct Common {
  std::string cluster, service;
  WaitOptions wait;
  bool no_wait = false;
};

Common take_common(Context& ctx, std::vector<std::string>& args, const char* command) {
  Common c;
  c.cluster = take_value(args, "--cluster").value_or("");
  c.wait.timeout = parse_duration(take_value(args, "--timeout").value_or("30m"), "--timeout");
  if (auto s = take_value(args, "--stall-timeout")) c.wait.stall_timeout = parse_duration(*s, "--stall-timeout");
  c.wait.poll = poll_interval(ctx, take_value(args, "--poll-interval"));
  c.no_wait = take_flag(args, "--no-wait");
  auto svc = take_value(args, "--service");
  if (!svc) svc = take_positional(args);
  if (!svc) throw_usage(std::string(command) + " needs a SERVICE", "ecsctl " + std::string(command) + " --help");
  c.service = *svc;
  return c;
}

int update_and_wait(Context& ctx, const Common& c, Json in, const std::string& target, const std::string& what) {
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  in["service"] = c.service;
  if (!c.cluster.empty()) in["cluster"] = c.cluster;
  rt.call("ecs", "UpdateService", in);
  Journal journal;
  journal.done(what);
  bool ndjson = ndjson_events(ctx);
  if (!ctx.opts.quiet && !ndjson) ctx.err << what << "\n";
  if (c.no_wait) {
    print_result(ctx, {{"service", describe_service(rt, c.cluster, c.service)}}, "UpdateService");
    return 0;
  }
  DeployPlan plan{c.cluster, c.service, target, "", false, c.wait, ndjson};
  Json final_service = await_deployment(ctx, rt, plan, journal);
  if (ndjson) emit_event(ctx, "completed", {{"service", c.service}, {"taskDefinition", target}});
  else print_result(ctx, {{"service", final_service}}, "UpdateService");
  return 0;
}

const char* const k_wait_flags =
    "  --cluster C  --timeout D (30m)  --stall-timeout D  --poll-interval D  --no-wait\n"
    "Exit codes: 0 done, 4 timed out or stalled, 5 the deployment failed or was rolled back, 130 Ctrl-C.\n";

bool wants_help(Context& ctx, std::vector<std::string>& args, const char* usage) {
  if (!take_flag(args, "--help") && !take_flag(args, "-h")) return false;
  ctx.out << usage << k_wait_flags;
  return true;
}

int run_scale(Context& ctx, std::vector<std::string>& args) {
  if (wants_help(ctx, args, "Usage: ecsctl scale SERVICE COUNT [options]\nSets the desired count and waits until that many tasks run.\n"))
    return 0;
  Common c = take_common(ctx, args, "scale");
  auto count = take_positional(args);
  if (!count) throw_usage("scale needs a COUNT", "ecsctl scale SERVICE COUNT --cluster CLUSTER");
  long n = parse_count(*count, "COUNT");
  reject_leftovers(args, "scale");
  c.wait.steady_only = true;
  Json svc = describe_service(runtime(ctx), c.cluster, c.service);
  return update_and_wait(ctx, c, {{"desiredCount", n}}, svc.value("taskDefinition", ""),
                         "scaling " + c.service + " from " + std::to_string(svc.value("desiredCount", 0L)) + " to " +
                             std::to_string(n));
}

int run_restart(Context& ctx, std::vector<std::string>& args) {
  if (wants_help(ctx, args, "Usage: ecsctl restart SERVICE [options]\nStarts a new deployment of the same revision (forceNewDeployment) and waits for it.\n"))
    return 0;
  Common c = take_common(ctx, args, "restart");
  reject_leftovers(args, "restart");
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

int run_rollback(Context& ctx, std::vector<std::string>& args) {
  if (wants_help(ctx, args, "Usage: ecsctl rollback SERVICE [--to-revision N] [options]\n"
                            "Deploys the previous ACTIVE revision of the service's family (or revision N) and waits.\n"))
    return 0;
  auto to = take_value(args, "--to-revision");
  Common c = take_common(ctx, args, "rollback");
  reject_leftovers(args, "rollback");
  Runtime& rt = runtime(ctx);
  Json svc = describe_service(rt, c.cluster, c.service);
  std::string cur = taskdef_short(svc.value("taskDefinition", ""));
  auto colon = cur.rfind(':');
  if (colon == std::string::npos) throw Error(Exit::other, "cannot read the revision of " + cur);
  std::string family = cur.substr(0, colon);
  long rev = std::atol(cur.c_str() + colon + 1);
  std::string target = to ? family + ":" + std::to_string(parse_count(*to, "--to-revision")) : previous_revision(rt, family, rev);
  if (taskdef_short(target) == cur) throw_usage("the service already runs " + cur);
  return update_and_wait(ctx, c, {{"taskDefinition", target}}, target,
                         "rolling " + c.service + " back from " + cur + " to " + taskdef_short(target));
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec scale{
    .group = "",
    .name = "scale",
    .summary = "set a service's desired count and wait until it runs",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_scale(ctx, args.rest); },
    .raw = true,
};

const CommandSpec restart{
    .group = "",
    .name = "restart",
    .summary = "start a fresh deployment of a service's tasks and wait",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_restart(ctx, args.rest); },
    .raw = true,
};

const CommandSpec rollback{
    .group = "",
    .name = "rollback",
    .summary = "deploy a service's previous task-definition revision and wait",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_rollback(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
