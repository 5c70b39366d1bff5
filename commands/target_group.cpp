// Load-balancer helpers: `elbv2 create-target-group --for-task-definition FILE
// --container NAME` derives target type, port and protocol from the task
// definition; `elbv2 create-load-balancer --forward-to TG` also adds a listener.
// Without the extra flags both are the plain API operations.
#include <algorithm>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_target_group.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::workflow {
namespace {

Json parse_rest(Context& ctx, const char* command, const std::vector<std::string>& args) {
  auto op = api::find_operation("elbv2", command);
  if (!op) throw Error(Exit::other, std::string("the elbv2 model has no ") + command);
  return api::parse_request(ctx, *op, args).input;
}

int run_create_target_group(Context& ctx, std::vector<std::string>& args) {
  bool help = std::find(args.begin(), args.end(), "--help") != args.end();
  if (help)
    ctx.out << "ecsctl additions: --for-task-definition FILE|FAMILY[:REV] --container NAME [--container-port P]\n"
               "derive TargetType (ip for awsvpc, instance for bridge/host), Port and Protocol from the\n"
               "container's port mapping; a TargetType that cannot work for the network mode is refused.\n\n";
  auto source = take_value(args, "--for-task-definition");
  auto container = take_value(args, "--container");
  auto port = take_value(args, "--container-port");
  TemplateArgs templ = take_template_args(args);
  if (help || (!source && !container && !port)) return api::run_operation(ctx, "elbv2", "create-target-group", args);
  if (!source || !container) throw_usage("--for-task-definition and --container go together");
  Json def;
  if (is_taskdef_file(*source)) def = load_taskdef_file(ctx, *source, templ);
  else def = runtime(ctx).call("ecs", "DescribeTaskDefinition", {{"taskDefinition", *source}})["taskDefinition"];
  std::optional<long> want_port;
  if (port) want_port = parse_count(*port, "--container-port");
  Json in = parse_rest(ctx, "create-target-group", args);
  apply_target_group_settings(in, derive_target_group(def, *container, want_port));
  Json out = runtime(ctx).call("elbv2", "CreateTargetGroup", in);
  print_result(ctx, out, "CreateTargetGroup");
  return 0;
}

int run_create_load_balancer(Context& ctx, std::vector<std::string>& args) {
  bool help = std::find(args.begin(), args.end(), "--help") != args.end();
  if (help)
    ctx.out << "ecsctl additions: --forward-to TARGET_GROUP_NAME|ARN [--listener-port 80] [--listener-protocol P]\n"
               "also creates a listener that forwards to the target group (reused when the port already\n"
               "forwards there), as the ECS getting-started flow does.\n\n";
  auto forward = take_value(args, "--forward-to");
  auto lport = take_value(args, "--listener-port");
  auto lproto = take_value(args, "--listener-protocol");
  if (help || (!forward && !lport && !lproto)) return api::run_operation(ctx, "elbv2", "create-load-balancer", args);
  if (!forward) throw_usage("--listener-port/--listener-protocol need --forward-to TARGET_GROUP");
  Json in = parse_rest(ctx, "create-load-balancer", args);
  Runtime& rt = runtime(ctx);
  ListenerPlan plan;
  plan.target_group = *forward;
  plan.type = in.value("Type", "application");
  if (lport) plan.port = parse_count(*lport, "--listener-port");
  if (lproto) plan.protocol = *lproto;
  Journal journal;
  Json out = create_load_balancer_with_listener(rt, in, plan, journal);
  print_result(ctx, out, "CreateLoadBalancer");
  return 0;
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec elbv2_create_target_group{
    .group = "elbv2",
    .name = "create-target-group",
    .summary = "CreateTargetGroup, or derived from a task definition with --for-task-definition",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_create_target_group(ctx, args.rest); },
    .raw = true,
};

const CommandSpec elbv2_create_load_balancer{
    .group = "elbv2",
    .name = "create-load-balancer",
    .summary = "CreateLoadBalancer, plus a forwarding listener with --forward-to",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_create_load_balancer(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
