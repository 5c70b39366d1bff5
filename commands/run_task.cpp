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
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_run.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::workflow {
namespace {

const char* const k_placeholder = "ecsctl-placeholder:1";

const char* const k_help =
    "ecsctl additions to run-task (all of the API operation's options follow):\n"
    "  --task-definition FILE       a JSON/YAML file: validated, templated (--var K=V, --var-file F,\n"
    "                               --env-file F) and registered, or an identical revision reused\n"
    "  --subnets ID ...             awsvpc subnets; --security-groups ID ...; --assign-public-ip ENABLED|DISABLED\n"
    "  --from-service SERVICE       network, launch type, capacity providers and platform version of a service\n"
    "  --image C=IMG                run with another image for container C (registers a revision)\n"
    "  --command C='cmd args'       override container C's command; --env C:K=V sets a variable\n"
    "  --wait-until none|running|stopped   (default none; stopped with --exit-code-from or --follow)\n"
    "  --exit-code-from C|essential exit with that container's exit code\n"
    "  --follow                     stream the container's CloudWatch Logs while waiting\n"
    "  --timeout D                  give up waiting after D (90s, 10m; exit 4); --poll-interval D\n"
    "Exit codes: 3 the file failed validation, 4 timed out, 5 the task failed to start or\n"
    "stopped before running, 130 Ctrl-C (the task is left running and reported).\n\n";

struct Extras {
  std::optional<std::string> file, from_service, assign_public_ip, wait_until, exit_code_from, timeout, poll;
  std::vector<std::string> subnets, security_groups, images, commands, envs;
  TemplateArgs templ;
  bool follow = false;
  bool any() const {
    return file || from_service || assign_public_ip || wait_until || exit_code_from || timeout || poll ||
           !subnets.empty() || !security_groups.empty() || !images.empty() || !commands.empty() || !envs.empty() ||
           !templ.vars.empty() || !templ.var_files.empty() || !templ.env_files.empty() || follow;
  }
};

Extras take_extras(std::vector<std::string>& args) {
  Extras x;
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--task-definition" && is_taskdef_file(args[i + 1])) {
      x.file = args[i + 1];
      args[i + 1] = k_placeholder;
    }
  x.from_service = take_value(args, "--from-service");
  x.assign_public_ip = take_value(args, "--assign-public-ip");
  x.wait_until = take_value(args, "--wait-until");
  x.exit_code_from = take_value(args, "--exit-code-from");
  x.timeout = take_value(args, "--timeout");
  x.poll = take_value(args, "--poll-interval");
  x.subnets = take_list(args, "--subnets");
  x.security_groups = take_list(args, "--security-groups");
  x.images = take_list(args, "--image");
  x.commands = take_list(args, "--command");
  x.envs = take_list(args, "--env");
  x.templ = take_template_args(args);
  x.follow = take_flag(args, "--follow");
  if (x.from_service && std::find(args.begin(), args.end(), "--task-definition") == args.end())
    args.insert(args.end(), {"--task-definition", k_placeholder});
  return x;
}

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
  if (in["taskDefinition"] == k_placeholder) in["taskDefinition"] = svc.value("taskDefinition", "");
}

void apply_network(Json& in, const Extras& x) {
  if (x.subnets.empty() && x.security_groups.empty() && !x.assign_public_ip) return;
  Json& vpc = in["networkConfiguration"]["awsvpcConfiguration"];
  auto split = [](const std::vector<std::string>& words) {
    Json out = Json::array();
    for (const auto& w : words)
      for (std::size_t s = 0; s <= w.size();) {
        auto e = w.find(',', s);
        if (e == std::string::npos) e = w.size();
        if (e > s) out.push_back(w.substr(s, e - s));
        s = e + 1;
      }
    return out;
  };
  if (!x.subnets.empty()) vpc["subnets"] = split(x.subnets);
  if (!x.security_groups.empty()) vpc["securityGroups"] = split(x.security_groups);
  if (x.assign_public_ip) {
    if (*x.assign_public_ip != "ENABLED" && *x.assign_public_ip != "DISABLED")
      throw_usage("argument --assign-public-ip: expected ENABLED or DISABLED, got '" + *x.assign_public_ip + "'");
    vpc["assignPublicIp"] = *x.assign_public_ip;
  }
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

// Resolves the task definition to run (file or image override) and returns its
// definition, for the container names --exit-code-from needs.
Json resolve_taskdef(Context& ctx, Runtime& rt, Json& in, const Extras& x, const ContainerOverrides& o) {
  Json def;
  if (x.file) {
    def = load_taskdef_file(ctx, *x.file, x.templ, in.contains("launchType") ? in["launchType"].get<std::string>() : std::optional<std::string>());
  } else if (!o.image.empty() || x.exit_code_from || x.follow) {
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

int run_task(Context& ctx, std::vector<std::string>& args) {
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    ctx.out << k_help;
    return api::run_operation(ctx, "ecs", "run-task", args);
  }
  Extras x = take_extras(args);
  if (!x.any()) return api::run_operation(ctx, "ecs", "run-task", args);
  auto op = api::find_operation("ecs", "run-task");
  if (!op) throw Error(Exit::other, "the run-task operation is missing from the ECS model");
  api::Request req = api::parse_request(ctx, *op, args);
  if (req.skeleton != api::Skeleton::none || req.help)
    return api::run_operation(ctx, "ecs", "run-task", args);
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  Json& in = req.input;
  ContainerOverrides o = parse_overrides(x.images, x.commands, x.envs);
  if (x.from_service) apply_service(rt, in, *x.from_service);
  apply_network(in, x);
  apply_container_overrides(in, o);
  RunWait w;
  w.cluster = in.value("cluster", "");
  w.wait_until = x.wait_until.value_or(x.exit_code_from || x.follow ? "stopped" : "none");
  if (w.wait_until != "none" && w.wait_until != "running" && w.wait_until != "stopped")
    throw_usage("argument --wait-until: expected none, running or stopped, got '" + w.wait_until + "'");
  w.exit_code_from = x.exit_code_from;
  w.follow = x.follow;
  w.timeout = x.timeout ? parse_duration(*x.timeout, "--timeout") : 0;
  w.poll = poll_interval(ctx, x.poll);
  if (req.print_request) {
    if (x.file) in["taskDefinition"] = "(registered from " + *x.file + ")";
    ctx.out << Json({{"service", "ecs"}, {"operation", "RunTask"}, {"input", in}}).dump(4) << "\n";
    return 0;
  }
  w.definition = resolve_taskdef(ctx, rt, in, x, o);
  return run_and_wait(ctx, rt, in, w);
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec run_task{
    .group = "",
    .name = "run-task",
    .summary = "run a task (API operation) and optionally wait for it, with file and overrides",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_task(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
