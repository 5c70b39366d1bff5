// `ecsctl run-task`: the RunTask operation with everything the AWS CLI takes,
// plus a task-definition file, network flags, --from-service, per-container
// overrides, waiting, and the container's exit code as the process's.
#include <algorithm>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"
#include "commands/poller.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_run.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::commands::workflow {
namespace {

void apply_service(Runtime& rt, Json& in, const std::string& service) {
  Json svc = describe_service(rt, in.value("cluster", ""), service);
  for (const char* k : {"networkConfiguration", "platformVersion"})
    if (!in.contains(k) && svc.contains(k)) in[k] = svc[k];
  if (!in.contains("launchType") && !in.contains("capacityProviderStrategy")) {
    if (svc.contains("capacityProviderStrategy") && !svc["capacityProviderStrategy"].empty())
      in["capacityProviderStrategy"] = svc["capacityProviderStrategy"];
    else if (svc.contains("launchType"))
      in["launchType"] = svc["launchType"];
  }
  if (!in.contains("taskDefinition")) in["taskDefinition"] = svc.value("taskDefinition", "");
}

void apply_network(Json& in, const Args& args) {
  auto subnets = args.values("--subnets"), groups = args.values("--security-groups");
  auto public_ip = args.value("--assign-public-ip");
  if (subnets.empty() && groups.empty() && !public_ip) return;
  Json& vpc = in["networkConfiguration"]["awsvpcConfiguration"];
  if (!subnets.empty()) vpc["subnets"] = split_ids(subnets);
  if (!groups.empty()) vpc["securityGroups"] = split_ids(groups);
  if (public_ip) vpc["assignPublicIp"] = *public_ip;
  if (!vpc.contains("subnets")) throw_usage("--security-groups/--assign-public-ip need --subnets (or --from-service)");
}

void apply_container_overrides(Json& in, const ContainerOverrides& o) {
  Json mine = run_task_container_overrides(o);
  if (mine.empty()) return;
  Json& list = in["overrides"]["containerOverrides"];
  if (!list.is_array()) list = Json::array();
  for (auto& m : mine) {
    Json* target = nullptr;
    for (auto& c : list)
      if (c.value("name", "") == m["name"]) target = &c;
    if (!target) list.push_back(m);
    else
      for (auto& [k, v] : m.items()) (*target)[k] = v;
  }
}

// Registers the task definition to run when it is new (a file, or an image
// override) and returns its definition, for the container names
// --exit-code-from needs. `file_def` is the loaded file, if any.
Json resolve_taskdef(Context& ctx, Runtime& rt, Json& in, const Json& file_def, const ContainerOverrides& o,
                     bool need_definition) {
  Json def;
  if (!file_def.is_null()) {
    def = file_def;
  } else if (!o.image.empty() || need_definition) {
    Json d = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", in["taskDefinition"]}, {"include", {"TAGS"}}});
    def = registration_input(d["taskDefinition"], d.value("tags", Json::array()));
    if (o.image.empty()) return d["taskDefinition"];
  } else {
    return Json::object();
  }
  ContainerOverrides images;
  images.image = o.image;
  apply_overrides(def, images);
  Registered r = register_or_reuse(rt, def);
  if (!ctx.opts.quiet) ctx.err << (r.reused ? "reusing " : "registered ") << taskdef_short(r.arn) << "\n";
  in["taskDefinition"] = r.arn;
  return def;
}

// The flags that make run-task more than the RunTask operation.
bool adds_to_operation(const Args& args, bool file) {
  if (file) return true;
  for (const auto& f : commands::run_task.flags)
    if (f.name != "--task-definition" && args.has(f.name)) return true;
  return false;
}

int run_task(Context& ctx, Args& args) {
  auto op = api::extended_operation(commands::run_task);
  if (!op) throw Error(Exit::other, "the run-task operation is missing from the ECS model");
  auto td = args.value("--task-definition");
  auto from_service = args.value("--from-service");
  const bool file = td && is_taskdef_file(*td);
  std::vector<std::string> words = args.rest;
  words.insert(words.end(), args.positionals().begin(), args.positionals().end());
  std::vector<std::string> later;
  if (td || from_service) later.push_back("taskDefinition");
  api::Request req = api::parse_request(ctx, *op, words, later);
  Json& in = req.input;
  if (td && !file) in["taskDefinition"] = *td;
  if (req.help || req.skeleton != api::Skeleton::none || !adds_to_operation(args, file))
    return api::send_request(ctx, *op, req);

  // Everything is checked before the first call: flags, overrides, durations, the file.
  ContainerOverrides o = parse_overrides(args.values("--image"), args.values("--command"), args.values("--env"));
  apply_network(in, args);
  apply_container_overrides(in, o);
  RunWait w;
  w.exit_code_from = args.value("--exit-code-from");
  w.follow = args.has("--follow");
  w.wait_until = args.value("--wait-until").value_or(w.exit_code_from || w.follow ? "stopped" : "none");
  w.timeout = args.has("--timeout") ? parse_duration(*args.value("--timeout"), "--timeout") : 0;
  w.poll = poll_interval(ctx, args.value("--poll-interval"));
  Json file_def;
  if (file) {
    std::optional<std::string> launch_type;
    if (in.contains("launchType") && in["launchType"].is_string()) launch_type = in["launchType"].get<std::string>();
    std::set<std::string> replaced;  // no :latest warning for an image --image replaces
    for (const auto& [name, image] : o.image) replaced.insert(name);
    file_def = taskdef_input::load(ctx, *td, taskdef_input::template_vars(ctx, args), launch_type, false, replaced);
  }

  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  if (from_service) apply_service(rt, in, *from_service);
  w.cluster = in.value("cluster", "");
  if (req.print_request) {
    if (file) in["taskDefinition"] = "(registered from " + *td + ")";
    ctx.out << Json({{"service", "ecs"}, {"operation", "RunTask"}, {"input", in}}).dump(4) << "\n";
    return 0;
  }
  w.definition = resolve_taskdef(ctx, rt, in, file_def, o, w.exit_code_from || w.follow);
  return run_and_wait(ctx, rt, in, w);
}

}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec run_task{
    .group = "",
    .name = "run-task",
    .summary = "run a task (API operation) and optionally wait for it, with file and overrides",
    .description =
        "Runs a task as the RunTask operation does (all of its options below are accepted), plus:\n"
        "a task-definition file (validated like `ecsctl validate`, templated, and registered unless\n"
        "an identical revision exists), the network of a service, per-container overrides, waiting\n"
        "for the task, its logs, and a container's exit code as ecsctl's own.\n"
        "--wait-until defaults to stopped with --exit-code-from or --follow, else none.\n\n"
        "Exit codes: 3 the file failed validation, 4 timed out, 5 the task failed to start or\n"
        "stopped before running, 130 Ctrl-C (the task is left running and reported); with\n"
        "--exit-code-from, the container's exit code.\n",
    .flags = flags_with(
        {
            {.name = "--task-definition", .metavar = "FILE|FAMILY[:REV]",
             .help = "a JSON/YAML file (registered or reused) or a registered revision or ARN",
             .complete = Completer::task_definition_or_file},
            {.name = "--from-service", .metavar = "SERVICE",
             .help = "take network, launch type, capacity providers, platform version (and the task "
                     "definition) from this service",
             .complete = Completer::service},
            {.name = "--subnets", .metavar = "ID", .help = "awsvpc subnets (space or comma separated)",
             .repeats = true},
            {.name = "--security-groups", .metavar = "ID", .help = "awsvpc security groups", .repeats = true},
            {.name = "--assign-public-ip", .metavar = "VALUE", .help = "give the task a public IP",
             .complete = Completer::choices, .choices = {"ENABLED", "DISABLED"}},
            {.name = "--image", .metavar = "CONTAINER=IMAGE",
             .help = "run with another image for CONTAINER (registers a revision)",
             .complete = Completer::container, .repeats = true},
            {.name = "--command", .metavar = "CONTAINER=CMD",
             .help = "override CONTAINER's command (shell words or a JSON list)",
             .complete = Completer::container, .repeats = true},
            {.name = "--env", .metavar = "CONTAINER:NAME=VALUE", .help = "set a variable in CONTAINER",
             .complete = Completer::container, .repeats = true},
            {.name = "--wait-until", .metavar = "STATE", .help = "wait until the task is running or stopped",
             .complete = Completer::choices, .choices = {"none", "running", "stopped"}},
            {.name = "--exit-code-from", .metavar = "CONTAINER|essential",
             .help = "exit with this container's exit code (essential: the first non-zero essential one)",
             .complete = Completer::container},
            {.name = "--follow", .help = "stream the container's CloudWatch Logs to stderr while waiting"},
            {.name = "--timeout", .metavar = "DURATION", .help = "give up waiting after this long (90s, 10m; exit 4)",
             .complete = Completer::duration},
            {.name = "--poll-interval", .metavar = "DURATION",
             .help = "first delay between polls (default 3s or ECSCTL_POLL_INTERVAL)",
             .complete = Completer::duration},
        },
        taskdef_input::template_flags()),
    .api_operation = "run-task",
    .run = ecsctl::commands::workflow::run_task,
};

}  // namespace ecsctl::commands
