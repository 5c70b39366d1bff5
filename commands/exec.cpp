// `ecsctl execute-command` (the API operation, handed to session-manager-plugin
// as the AWS CLI hands it) and `ecsctl exec SERVICE|TASK [-- CMD]` (picks a
// running task and opens a shell in it).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <ostream>

#include "client/api.hpp"
#include "client/session.hpp"
#include "commands/api.hpp"
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/project.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "core/error.hpp"
#include "core/pyformat.hpp"

extern char** environ;

namespace ecsctl::commands::workflow {
namespace {

constexpr const char* k_plugin = "session-manager-plugin";

enum class Stdout { inherit, to_stderr };

// Runs the plugin with `args` and waits for it. Returns its exit status, or -1
// when it is not on PATH. While it runs, ecsctl ignores SIGINT, SIGQUIT and
// SIGTSTP (the plugin gets them and forwards them to the session), as the AWS
// CLI does.
int run_plugin(const std::vector<std::string>& args, Stdout out) {
  std::vector<char*> argv;
  std::string name = k_plugin;
  argv.push_back(name.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  if (out == Stdout::to_stderr) posix_spawn_file_actions_adddup2(&files, 2, 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGQUIT, SIGTSTP, SIGTERM, SIGPIPE}) sigaddset(&defaults, s);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  struct sigaction ignore{}, old_int{}, old_quit{}, old_tstp{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  sigaction(SIGTSTP, &ignore, &old_tstp);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, k_plugin, &files, &attr, argv.data(), environ);
  int status = 0;
  if (rc == 0)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  sigaction(SIGTSTP, &old_tstp, nullptr);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT) return -1;
  if (rc != 0) throw Error(Exit::other, std::string("cannot run session-manager-plugin: ") + std::strerror(rc));
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void check_plugin_status(int status) {
  if (status == -1)
    throw Error(Exit::other,
                "SessionManagerPlugin is not found. Please refer to SessionManager Documentation here: "
                "http://docs.aws.amazon.com/console/systems-manager/session-manager-plugin-not-found",
                {},
                "install the Session Manager plugin and put session-manager-plugin on PATH: "
                "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html");
  if (status != 0)
    throw Error(Exit::other, "session-manager-plugin exited with status " + std::to_string(status));
}

// What the AWS CLI's execute-command does once it has the input: check that the
// plugin runs, call ExecuteCommand, find the container's runtime id, and start
// the plugin with the session, the region, "StartSession", the profile, the
// target and the endpoint URL.
int start_session(Context& ctx, const Json& input) {
  check_plugin_status(run_plugin({}, Stdout::to_stderr));
  Runtime& rt = runtime(ctx);
  Json response = rt.call("ecs", "ExecuteCommand", input);
  auto& session = client::session(ctx);
  if (response.contains("session") && response["session"].contains("tokenValue"))
    session.add_secret(response["session"]["tokenValue"].get<std::string>());
  std::string cluster = arn_tail(response.value("clusterArn", ""));
  std::string task_id = arn_tail(response.value("taskArn", ""));
  std::string container = response.value("containerName", "");
  Json tasks = rt.call("ecs", "DescribeTasks", {{"cluster", cluster}, {"tasks", {task_id}}});
  if (!tasks.contains("tasks") || tasks["tasks"].empty())
    throw Error(Exit::other, "The task provided in the request was not found.");
  std::string runtime_id = "None";  // what the AWS CLI writes when no container matches
  for (const auto& c : tasks["tasks"][0].value("containers", Json::array()))
    if (c.value("name", "") == container) runtime_id = c.value("runtimeId", "None");
  client::Endpoint ep = client::resolve_endpoint(ctx, "ecs");
  std::string profile = ctx.opts.profile.value_or(ctx.env.get_nonempty("AWS_DEFAULT_PROFILE").value_or(""));
  Json target = {{"Target", "ecs:" + cluster + "_" + task_id + "_" + runtime_id}};
  int status = run_plugin({pyfmt::json_dumps(response.value("session", Json::object())), ep.region, "StartSession", profile,
                           pyfmt::json_dumps(target), ep.url},
                          Stdout::inherit);
  check_plugin_status(status);
  return 0;
}

int run_execute_command(Context& ctx, Args& args) {
  auto op = api::extended_operation(commands::execute_command);
  if (!op) throw Error(Exit::other, "the execute-command operation is missing from the ECS model");
  std::vector<std::string> words = args.rest;
  words.insert(words.end(), args.positionals().begin(), args.positionals().end());
  api::Request req = api::parse_request(ctx, *op, words);
  if (req.help || req.skeleton != api::Skeleton::none || req.print_request) return api::send_request(ctx, *op, req);
  return start_session(ctx, req.input);
}

bool looks_like_task(const std::string& ref) {
  if (ref.find(":task/") != std::string::npos) return true;
  return ref.size() == 32 && ref.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A word as a POSIX shell reads it back.
std::string shell_quote(const std::string& w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") ==
                        std::string::npos)
    return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string task_line(const Json& t) {
  std::string ip;
  for (const auto& c : t.value("containers", Json::array()))
    for (const auto& n : c.value("networkInterfaces", Json::array()))
      if (ip.empty()) ip = n.value("privateIpv4Address", "");
  return arn_tail(t.value("taskArn", "")) + "  " + taskdef_short(t.value("taskDefinitionArn", "")) + "  " +
         t.value("availabilityZone", "-") + (ip.empty() ? "" : "  " + ip);
}

// The service's running tasks, newest first.
std::vector<Json> running_tasks(Runtime& rt, const std::string& cluster, const std::string& service) {
  Json in = {{"serviceName", service}, {"desiredStatus", "RUNNING"}};
  if (!cluster.empty()) in["cluster"] = cluster;
  Json arns = rt.call("ecs", "ListTasks", in).value("taskArns", Json::array());
  std::vector<Json> out;
  for (size_t i = 0; i < arns.size(); i += 100) {
    Json d = {{"tasks", Json(std::vector<Json>(arns.begin() + static_cast<long>(i),
                                               arns.begin() + static_cast<long>(std::min(arns.size(), i + 100))))}};
    if (!cluster.empty()) d["cluster"] = cluster;
    for (const auto& t : rt.call("ecs", "DescribeTasks", d).value("tasks", Json::array()))
      if (t.value("lastStatus", "") == "RUNNING") out.push_back(t);
  }
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a.value("startedAt", Json(0)).dump() > b.value("startedAt", Json(0)).dump();
  });
  return out;
}

Json pick_task(Context& ctx, Runtime& rt, const std::string& cluster, const std::string& service) {
  Json svc = describe_service(rt, cluster, service);
  std::string where = cluster.empty() ? "" : " --cluster " + cluster;
  if (!svc.value("enableExecuteCommand", false))
    throw Error(Exit::other, "service " + service + " does not have enableExecuteCommand turned on", {},
                "turn it on and start new tasks: ecsctl update-service" + where + " --service " + service +
                    " --enable-execute-command --force-new-deployment (the task role also needs the ssmmessages "
                    "permissions on AWS)");
  std::vector<Json> tasks = running_tasks(rt, cluster, service);
  if (tasks.empty()) throw Error(Exit::other, "service " + service + " has no running task");
  if (tasks.size() == 1) return tasks[0];
  if (isatty(0) && ctx.stderr_is_tty) {
    ctx.err << "service " << service << " runs " << tasks.size() << " tasks:\n";
    for (size_t i = 0; i < tasks.size(); ++i) ctx.err << "  " << (i + 1) << ") " << task_line(tasks[i]) << "\n";
    for (;;) {
      ctx.err << "which one? [1] " << std::flush;
      std::string line;
      if (!std::getline(std::cin, line)) throw Error(Exit::interrupted, "no task chosen");
      if (line.empty()) return tasks[0];
      char* end = nullptr;
      long n = std::strtol(line.c_str(), &end, 10);
      if (*end == 0 && n >= 1 && n <= static_cast<long>(tasks.size())) return tasks[static_cast<size_t>(n - 1)];
    }
  }
  if (!ctx.opts.quiet)
    ctx.err << "exec into task " << arn_tail(tasks[0].value("taskArn", "")) << ", the newest of " << tasks.size()
            << " running (give a task id to choose another)\n";
  return tasks[0];
}

int run_exec(Context& ctx, Args& args) {
  std::string cluster = args.value("--cluster").value_or("");
  std::vector<std::string> words = args.positionals();
  if (words.empty() && project::wanted(args, true)) {
    project::Project p = project::load(ctx, args, project::Need::names);
    if (cluster.empty()) cluster = p.cluster;
    words.push_back(p.service);
  }
  if (words.empty())
    throw_usage("exec needs a SERVICE or TASK (or an ecsctl.yaml naming a service)",
                "ecsctl exec web --cluster prod -- /bin/sh");
  std::string ref = words[0];
  std::string command;
  for (size_t i = 1; i < words.size(); ++i) command += (i > 1 ? " " : "") + shell_quote(words[i]);
  if (command.empty()) command = "/bin/sh";
  Runtime& rt = runtime(ctx);
  Json task;
  if (looks_like_task(ref)) {
    Json in = {{"tasks", {ref}}};
    if (!cluster.empty()) in["cluster"] = cluster;
    Json out = rt.call("ecs", "DescribeTasks", in);
    if (!out.contains("tasks") || out["tasks"].empty())
      throw Error(Exit::usage, "task " + ref + " not found" + (cluster.empty() ? "" : " in cluster " + cluster));
    task = out["tasks"][0];
    if (!task.value("enableExecuteCommand", false))
      throw Error(Exit::other, "task " + arn_tail(ref) + " was started without enableExecuteCommand", {},
                  "run tasks with --enable-execute-command (for a service: ecsctl update-service --service NAME "
                  "--enable-execute-command --force-new-deployment)");
  } else {
    task = pick_task(ctx, rt, cluster, ref);
  }
  std::string container = args.value("--container").value_or("");
  if (container.empty()) {
    Json cs = task.value("containers", Json::array());
    if (cs.size() > 1) {
      std::string names;
      for (const auto& c : cs) names += (names.empty() ? "" : ", ") + c.value("name", "");
      throw_usage("task " + arn_tail(task.value("taskArn", "")) + " has several containers (" + names +
                      "): choose one with --container",
                  "ecsctl exec " + ref + " --container " + cs[0].value("name", "") + " -- /bin/sh");
    }
  }
  Json input = {{"cluster", arn_tail(task.value("clusterArn", cluster))},
                {"task", task.value("taskArn", ref)},
                {"command", command},
                {"interactive", true}};
  if (!container.empty()) input["container"] = container;
  return start_session(ctx, input);
}

}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec execute_command{
    .group = "",
    .name = "execute-command",
    .summary = "run a command in a container through session-manager-plugin (API operation)",
    .description =
        "Calls ExecuteCommand and hands the session to session-manager-plugin with the arguments the\n"
        "AWS CLI passes (the session JSON, the region, StartSession, the profile, the target\n"
        "ecs:CLUSTER_TASK_RUNTIMEID and the endpoint URL), so the official plugin works unchanged.\n"
        "Before calling ExecuteCommand it runs the plugin once without arguments (its message goes to\n"
        "stderr); without the plugin on PATH it exits 255 and no session is started.\n"
        "Exit codes: 0 after the session, 254 the service refused, 255 no plugin or the plugin failed.\n",
    .flags = {},
    .api_operation = "execute-command",
    .run = ecsctl::commands::workflow::run_execute_command,
};

const CommandSpec exec{
    .group = "",
    .name = "exec",
    .summary = "open a shell (or run CMD) in a running task of a service, or in a task",
    .description =
        "Picks a running task of SERVICE (on a terminal, asks when there are several; otherwise the\n"
        "newest), or takes the TASK id or ARN given, and starts an interactive ExecuteCommand session\n"
        "through session-manager-plugin (as `execute-command`). CMD defaults to /bin/sh; its words are\n"
        "quoted for the shell. A task with several containers needs --container. A service without\n"
        "enableExecuteCommand is refused with the command that turns it on. With no SERVICE or TASK,\n"
        "the service and cluster named by the project file (ecsctl.yaml, or --config).\n",
    .flags = flags_with(
        {
            {.name = "--cluster", .metavar = "CLUSTER", .help = "the cluster (default: default)",
             .complete = Completer::cluster},
            {.name = "--container", .metavar = "NAME", .help = "the container (needed when the task has several)",
             .complete = Completer::container},
        },
        project::config_flag()),
    .positionals = {{.name = "SERVICE|TASK", .help = "a service, or a task id or ARN (default: the project file's service)",
                     .complete = Completer::service, .required = false},
                    {.name = "CMD", .help = "the command after --", .required = false, .many = true}},
    .run = ecsctl::commands::workflow::run_exec,
};

}  // namespace ecsctl::commands
