// `ecsctl logs SERVICE|--task ID`: a service's or task's container logs from
// CloudWatch Logs, found through the awslogs log configuration.
#include <algorithm>
#include <chrono>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "commands/poller.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_logs.hpp"

namespace ecsctl::commands::workflow {
namespace {

Json describe_td(Runtime& rt, const std::string& td) {
  return rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", td}})["taskDefinition"];
}

LogConfig config_or_throw(const Json& def, const std::string& container) {
  auto cfg = log_config(def, container);
  if (cfg) return *cfg;
  throw Error(Exit::usage,
              (container.empty() ? std::string("no container of ") : "container " + container + " of ") +
                  taskdef_short(def.value("taskDefinitionArn", def.value("family", ""))) +
                  (container.empty() ? " has" : " has no") + " awslogs log configuration with an awslogs-group",
              {}, "ecsctl logs reads CloudWatch Logs written by the awslogs log driver");
}

int run_logs(Context& ctx, Args& args) {
  std::string cluster = args.value("--cluster").value_or("");
  auto task = args.value("--task");
  std::string container = args.value("--container").value_or("");
  double since = parse_duration(args.value("--since").value_or("10m"), "--since");
  std::string pattern = args.value("--filter").value_or("");
  bool follow = args.has("--follow");
  double poll = poll_interval(ctx, args.value("--poll-interval"));
  auto service = args.positional(0);
  if (!task && !service) throw_usage("logs needs a SERVICE or --task ID", "ecsctl logs api --cluster web --since 1h");
  if (task && service) throw_usage("give a SERVICE or --task ID, not both");
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);

  LogConfig cfg;
  Json filter = Json::object();
  if (task) {
    Json in = {{"tasks", {*task}}};
    if (!cluster.empty()) in["cluster"] = cluster;
    Json out = rt.call("ecs", "DescribeTasks", in);
    if (!out.contains("tasks") || out["tasks"].empty())
      throw Error(Exit::usage, "task " + *task + " not found" + (cluster.empty() ? "" : " in cluster " + cluster));
    const Json& t = out["tasks"][0];
    cfg = config_or_throw(describe_td(rt, t.value("taskDefinitionArn", "")), container);
    filter["logStreamNames"] = {cfg.stream_of(t.value("taskArn", *task))};
  } else {
    Json svc = describe_service(rt, cluster, *service);
    cfg = config_or_throw(describe_td(rt, svc.value("taskDefinition", "")), container);
    if (!cfg.prefix.empty()) filter["logStreamNamePrefix"] = cfg.prefix + "/" + cfg.container + "/";
  }
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  LogFollower follower(rt, ctx.out, cfg, filter, static_cast<long long>(now_ms - since * 1000), pattern);
  follower.poll();
  if (!follow) return 0;
  Poller poller(rt, poll, std::max(poll, 5.0));
  for (;;) {
    bool got = follower.poll();
    poller.wait(got);
  }
}


}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec logs{
    .group = "",
    .name = "logs",
    .summary = "print or follow a service's or task's CloudWatch Logs",
    .description =
        "Prints the CloudWatch Logs events of a service's tasks (or one task) as\n"
        "`TIME STREAM MESSAGE` lines. The log group and stream prefix come from the container's\n"
        "awslogs logConfiguration (the first container that has one, or --container).\n"
        "--follow keeps polling for new events until Ctrl-C (exit 130).\n",
    .flags =
        {
            {.name = "--cluster", .metavar = "CLUSTER", .help = "the cluster (default: default)",
             .complete = Completer::cluster},
            {.name = "--task", .metavar = "ID", .help = "one task's logs instead of a service's",
             .complete = Completer::task},
            {.name = "--container", .metavar = "NAME", .help = "the container whose logs to read",
             .complete = Completer::container},
            {.name = "--since", .metavar = "DURATION", .help = "start this long ago (default 10m)",
             .complete = Completer::duration},
            {.name = "--filter", .metavar = "PATTERN", .help = "a CloudWatch Logs filter pattern"},
            {.name = "--follow", .help = "keep printing new events until Ctrl-C"},
            {.name = "--poll-interval", .metavar = "DURATION",
             .help = "first delay between polls with --follow (default 3s or ECSCTL_POLL_INTERVAL)",
             .complete = Completer::duration},
        },
    .positionals = {{.name = "SERVICE", .help = "the service (or give --task)", .complete = Completer::service,
                     .required = false}},
    .run = ecsctl::commands::workflow::run_logs,
};

}  // namespace ecsctl::commands
