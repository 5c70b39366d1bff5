// `ecsctl create-service`: the CreateService operation with everything the AWS
// CLI takes, plus --target-group NAME|ARN --container NAME [--container-port P],
// checked against the task definition before the service is created.
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_target_group.hpp"

namespace ecsctl::commands::workflow {
namespace {

int run_create_service(Context& ctx, Args& args) {
  auto op = api::extended_operation(commands::create_service);
  if (!op) throw Error(Exit::other, "the ECS model has no create-service");
  std::vector<std::string> words = args.rest;
  words.insert(words.end(), args.positionals().begin(), args.positionals().end());
  api::Request req = api::parse_request(ctx, *op, words);
  auto tg = args.value("--target-group");
  auto container = args.value("--container");
  auto port = args.value("--container-port");
  if (req.help || req.skeleton != api::Skeleton::none || (!tg && !container && !port))
    return api::send_request(ctx, *op, req);
  if (!tg || !container) throw_usage("--target-group and --container go together");
  std::optional<long> p;
  if (port) p = parse_count(*port, "--container-port");
  Json& in = req.input;
  if (!in.contains("taskDefinition")) throw_usage("--target-group needs --task-definition to check the container against");
  Runtime& rt = runtime(ctx);
  Json def = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", in["taskDefinition"]}})["taskDefinition"];
  if (!in.contains("loadBalancers")) in["loadBalancers"] = Json::array();
  in["loadBalancers"].push_back(service_load_balancer(rt, def, *tg, *container, p));
  if (req.print_request) return api::send_request(ctx, *op, req);
  print_result(ctx, rt.call("ecs", "CreateService", in), "CreateService");
  return 0;
}

}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec create_service{
    .group = "",
    .name = "create-service",
    .summary = "CreateService, plus --target-group with the container checked",
    .description =
        "Creates a service as the CreateService operation does (all of its options below are\n"
        "accepted). With --target-group and --container, the service is put behind the target group;\n"
        "the container must exist in --task-definition and map the port (checked before the service\n"
        "is created).\n",
    .flags =
        {
            {.name = "--target-group", .metavar = "NAME|ARN", .help = "put the service behind this target group",
             .complete = Completer::target_group},
            {.name = "--container", .metavar = "NAME", .help = "the container the target group sends traffic to",
             .complete = Completer::container},
            {.name = "--container-port", .metavar = "PORT",
             .help = "the container port (default: its first port mapping)"},
        },
    .api_operation = "create-service",
    .run = ecsctl::commands::workflow::run_create_service,
};

}  // namespace ecsctl::commands
