// Load-balancer helpers: `elbv2 create-target-group --for-task-definition FILE
// --container NAME` derives target type, port and protocol from the task
// definition; `elbv2 create-load-balancer --forward-to TG` also adds a listener.
// Without the extra flags both are the plain API operations.
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_target_group.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::commands::workflow {
namespace {

// The extended operation's request from the words parse_command_line left it.
api::Request parse_rest(Context& ctx, const api::Operation& op, const Args& args) {
  std::vector<std::string> words = args.rest;
  words.insert(words.end(), args.positionals().begin(), args.positionals().end());
  return api::parse_request(ctx, op, words);
}

api::Operation operation_of(const CommandSpec& spec) {
  auto op = api::extended_operation(spec);
  if (!op) throw Error(Exit::other, "the elbv2 model has no " + std::string(spec.api_operation));
  return *op;
}

int run_create_target_group(Context& ctx, Args& args) {
  api::Operation op = operation_of(commands::elbv2_create_target_group);
  api::Request req = parse_rest(ctx, op, args);
  auto source = args.value("--for-task-definition");
  auto container = args.value("--container");
  auto port = args.value("--container-port");
  if (req.help || req.skeleton != api::Skeleton::none || (!source && !container && !port))
    return api::send_request(ctx, op, req);
  if (!source || !container) throw_usage("--for-task-definition and --container go together");
  std::optional<long> want_port;
  if (port) want_port = parse_count(*port, "--container-port");
  Json def;
  if (is_taskdef_file(*source)) def = taskdef_input::load(ctx, *source, taskdef_input::template_vars(ctx, args));
  else def = runtime(ctx).call("ecs", "DescribeTaskDefinition", {{"taskDefinition", *source}})["taskDefinition"];
  apply_target_group_settings(req.input, derive_target_group(def, *container, want_port));
  if (req.print_request) return api::send_request(ctx, op, req);
  Json out = runtime(ctx).call("elbv2", "CreateTargetGroup", req.input);
  print_result(ctx, out, "CreateTargetGroup");
  return 0;
}

int run_create_load_balancer(Context& ctx, Args& args) {
  api::Operation op = operation_of(commands::elbv2_create_load_balancer);
  api::Request req = parse_rest(ctx, op, args);
  auto forward = args.value("--forward-to");
  auto lport = args.value("--listener-port");
  auto lproto = args.value("--listener-protocol");
  if (req.help || req.skeleton != api::Skeleton::none || (!forward && !lport && !lproto))
    return api::send_request(ctx, op, req);
  if (!forward) throw_usage("--listener-port/--listener-protocol need --forward-to TARGET_GROUP");
  ListenerPlan plan;
  plan.target_group = *forward;
  plan.type = req.input.value("Type", "application");
  if (lport) plan.port = parse_count(*lport, "--listener-port");
  if (lproto) plan.protocol = *lproto;
  if (req.print_request) return api::send_request(ctx, op, req);
  Runtime& rt = runtime(ctx);
  Journal journal;
  Json out = create_load_balancer_with_listener(rt, req.input, plan, journal);
  print_result(ctx, out, "CreateLoadBalancer");
  return 0;
}

}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec elbv2_create_target_group{
    .group = "elbv2",
    .name = "create-target-group",
    .summary = "CreateTargetGroup, or derived from a task definition with --for-task-definition",
    .description =
        "Creates a target group as the CreateTargetGroup operation does (all of its options below\n"
        "are accepted). With --for-task-definition and --container, TargetType (ip for awsvpc,\n"
        "instance for bridge/host), Port and Protocol come from the container's port mapping; a\n"
        "TargetType that cannot work for the network mode is refused. A file is validated as\n"
        "`ecsctl validate` does (exit 3 when it fails).\n",
    .flags = flags_with(
        {
            {.name = "--for-task-definition", .metavar = "FILE|FAMILY[:REV]",
             .help = "derive type, port and protocol from this task definition (a file or a revision)",
             .complete = Completer::task_definition_or_file},
            {.name = "--container", .metavar = "NAME", .help = "the container whose port mapping is used",
             .complete = Completer::container},
            {.name = "--container-port", .metavar = "PORT",
             .help = "the container port (default: its first port mapping)"},
        },
        taskdef_input::template_flags()),
    .api_operation = "create-target-group",
    .run = ecsctl::commands::workflow::run_create_target_group,
};

const CommandSpec elbv2_create_load_balancer{
    .group = "elbv2",
    .name = "create-load-balancer",
    .summary = "CreateLoadBalancer, plus a forwarding listener with --forward-to",
    .description =
        "Creates a load balancer as the CreateLoadBalancer operation does (all of its options below\n"
        "are accepted). With --forward-to, also creates a listener that forwards to the target group\n"
        "(reused when the port already forwards there), as the ECS getting-started flow does.\n",
    .flags =
        {
            {.name = "--forward-to", .metavar = "TARGET_GROUP",
             .help = "add a listener forwarding to this target group (name or ARN)",
             .complete = Completer::target_group},
            {.name = "--listener-port", .metavar = "PORT", .help = "the listener's port (default 80)"},
            {.name = "--listener-protocol", .metavar = "PROTOCOL",
             .help = "the listener's protocol (default HTTP, or TCP for a network load balancer)",
             .complete = Completer::choices,
             .choices = {"HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"}},
        },
    .api_operation = "create-load-balancer",
    .run = ecsctl::commands::workflow::run_create_load_balancer,
};

}  // namespace ecsctl::commands
