// `ecsctl create-service`: the CreateService operation with everything the AWS
// CLI takes, plus --target-group NAME|ARN --container NAME [--container-port P],
// checked against the task definition before the service is created.
#include <algorithm>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_target_group.hpp"

namespace ecsctl::workflow {
namespace {

int run_create_service(Context& ctx, std::vector<std::string>& args) {
  bool help = std::find(args.begin(), args.end(), "--help") != args.end();
  if (help)
    ctx.out << "ecsctl additions: --target-group NAME|ARN --container NAME [--container-port P]\n"
               "puts the service behind the target group; the container must exist in the task\n"
               "definition and map the port (checked before the service is created).\n\n";
  auto tg = take_value(args, "--target-group");
  auto container = take_value(args, "--container");
  auto port = take_value(args, "--container-port");
  if (help || (!tg && !container && !port)) return api::run_operation(ctx, "ecs", "create-service", args);
  if (!tg || !container) throw_usage("--target-group and --container go together");
  auto op = api::find_operation("ecs", "create-service");
  if (!op) throw Error(Exit::other, "the ECS model has no create-service");
  api::Request req = api::parse_request(ctx, *op, args);
  Json& in = req.input;
  if (!in.contains("taskDefinition")) throw_usage("--target-group needs --task-definition to check the container against");
  Runtime& rt = runtime(ctx);
  Json def = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", in["taskDefinition"]}})["taskDefinition"];
  std::optional<long> p;
  if (port) p = parse_count(*port, "--container-port");
  if (!in.contains("loadBalancers")) in["loadBalancers"] = Json::array();
  in["loadBalancers"].push_back(service_load_balancer(rt, def, *tg, *container, p));
  print_result(ctx, rt.call("ecs", "CreateService", in), "CreateService");
  return 0;
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec create_service{
    .group = "",
    .name = "create-service",
    .summary = "CreateService, plus --target-group with the container checked",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_create_service(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
