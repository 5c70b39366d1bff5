// `ecsctl local up|down|status|reset|env|add-instances`: runs and manages the
// local control plane, a separate executable (ecsctl-local) so that ecsctl
// itself never loads the HTTP server or SQLite.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "client/protocols.hpp"
#include "core/error.hpp"
#include "core/state_lock.hpp"
#include "output/render.hpp"
#include "schemas/model.hpp"

namespace fs = std::filesystem;

namespace ecsctl::commands {

namespace {

constexpr int k_default_port = 4510;

long parse_long(const std::string& opt, const std::string& v, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || errno || n < lo || n > hi)
    throw_usage(opt + " must be a whole number between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not '" + v + "'");
  return n;
}

long long_flag(const Args& args, const std::string& flag, long fallback, long lo, long hi) {
  auto v = args.value(flag);
  return v ? parse_long(flag, *v, lo, hi) : fallback;
}

int port_of(const Args& args, int fallback) {
  return static_cast<int>(long_flag(args, "--port", fallback, 1, 65535));
}

std::string home(Context& ctx) {
  auto h = ctx.env.get_nonempty("HOME");
  if (!h) throw_config("HOME is not set", {}, "set HOME or pass --state DIR");
  return *h;
}

std::string state_dir(Context& ctx, const Args& args) {
  if (auto s = args.value("--state"); s && !s->empty()) return fs::absolute(*s).lexically_normal().string();
  if (auto x = ctx.env.get_nonempty("XDG_STATE_HOME")) return *x + "/ecsctl/local";
  return home(ctx) + "/.local/state/ecsctl/local";
}

std::string server_binary(Context& ctx) {
  if (auto b = ctx.env.get_nonempty("ECSCTL_LOCAL_BIN")) return *b;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / "ecsctl-local";
    if (fs::exists(beside)) return beside.string();
    fs::path libexec = self.parent_path() / ".." / "libexec" / "ecsctl" / "ecsctl-local";
    if (fs::exists(libexec)) return libexec.lexically_normal().string();
  }
  throw Error(Exit::config, "cannot find the local control plane executable 'ecsctl-local'", {},
              "install it beside ecsctl, or set ECSCTL_LOCAL_BIN");
}

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Json();
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// The running server's server.json, or null when none runs there. A server
// still starting (locked, server.json not yet its own) is waited for a while.
Json running_server(const std::string& dir) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    long pid = state_lock_holder(dir);
    if (pid == 0) return Json();
    Json s = read_json(dir + "/server.json");
    if (s.is_object() && (pid < 0 || s.value("pid", 0L) == pid)) return s;
    if (std::chrono::steady_clock::now() > deadline) return Json{{"pid", pid}};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool lock_released(const std::string& dir) { return state_lock_holder(dir) == 0; }

bool port_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::vector<std::string> server_argv(Context& ctx, const Args& args, const std::string& dir) {
  std::vector<std::string> argv = {server_binary(ctx), "serve", "--state", dir, "--port",
                                   std::to_string(port_of(args, k_default_port)), "--pace",
                                   args.value("--pace").value_or("fast")};
  std::string h = ctx.env.get_nonempty("HOME").value_or("");
  std::string config = ctx.env.get_nonempty("AWS_CONFIG_FILE").value_or(h.empty() ? "" : h + "/.aws/config");
  std::string creds = ctx.env.get_nonempty("AWS_SHARED_CREDENTIALS_FILE").value_or(h.empty() ? "" : h + "/.aws/credentials");
  if (!config.empty()) argv.insert(argv.end(), {"--config-file", config});
  if (!creds.empty()) argv.insert(argv.end(), {"--credentials-file", creds});
  if (ctx.opts.region) argv.insert(argv.end(), {"--region", *ctx.opts.region});
  if (args.has("--tls")) argv.push_back("--tls");
  if (auto ttl = args.value("--stopped-task-ttl"))
    if (parse_duration(*ttl, "--stopped-task-ttl") >= 0) argv.insert(argv.end(), {"--stopped-task-ttl", *ttl});
  // The runtime: --runtime, else ECSCTL_LOCAL_RUNTIME, else auto (an engine if one answers).
  std::string runtime = args.value("--runtime").value_or(ctx.env.get_nonempty("ECSCTL_LOCAL_RUNTIME").value_or("auto"));
  if (runtime != "auto" && runtime != "engine" && runtime != "simulated")
    throw_usage("--runtime must be auto, engine or simulated, not '" + runtime + "'");
  argv.insert(argv.end(), {"--runtime", runtime});
  if (auto s = args.value("--engine-socket"); s && !s->empty()) argv.insert(argv.end(), {"--engine-socket", *s});
  return argv;
}

[[noreturn]] void exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> raw;
  for (const auto& s : argv) raw.push_back(const_cast<char*>(s.c_str()));
  raw.push_back(nullptr);
  ::execv(raw[0], raw.data());
  std::fprintf(stderr, "ecsctl: cannot run %s: %s\n", raw[0], std::strerror(errno));
  std::_Exit(255);
}

// Runs argv with `input` on stdin; returns its exit code and stdout.
std::pair<int, std::string> run_capture(const std::vector<std::string>& argv, const std::string& input) {
  int out_pipe[2], in_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(in_pipe) != 0) throw Error(Exit::other, "cannot create a pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw Error(Exit::other, "cannot fork");
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    exec_argv(argv);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  (void)!::write(in_pipe[1], input.data(), input.size());
  ::close(in_pipe[1]);
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(out_pipe[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(out_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 255, out};
}

Json control(Context& ctx, const std::string& dir, const std::string& action, const Json& body) {
  auto [code, out] = run_capture({server_binary(ctx), action, "--state", dir}, body.dump());
  if (code != 0) throw Error(code == 254 ? Exit::service : Exit::other, "the local control plane refused '" + action + "'", dir,
                             "see the message above");
  Json j = Json::parse(out, nullptr, false);
  if (j.is_discarded()) throw Error(Exit::other, "the local control plane answered with invalid JSON");
  return j;
}

int cmd_up(Context& ctx, Args& args) {
  const int port = port_of(args, k_default_port);
  std::string dir = state_dir(ctx, args);
  auto argv = server_argv(ctx, args, dir);  // checks the flags first
  // Already running: say where, as a fresh start would.
  if (Json s = running_server(dir); !s.is_null()) {
    std::string endpoint = s.value("endpoint", std::string());
    if (!ctx.opts.quiet) {
      ctx.err << "ecsctl local: already running on " << endpoint << " (pid " << s.value("pid", 0L) << ", " << dir << ")\n";
      if (args.value("--port") && s.value("port", 0) != port)
        ctx.err << "ecsctl local: warning: it listens on port " << s.value("port", 0) << ", not " << port
                << "; 'ecsctl local down' first to move it\n";
    }
    print_result(ctx, Json{{"endpoint", endpoint}, {"pid", s.value("pid", 0L)}, {"stateDir", dir}}, "LocalUp");
    return 0;
  }
  fs::create_directories(dir);
  if (!args.has("--detach")) exec_argv(argv);
  pid_t pid = ::fork();
  if (pid < 0) throw Error(Exit::other, "cannot fork");
  if (pid == 0) {
    ::setsid();
    int devnull = ::open("/dev/null", O_RDWR);
    int err = ::open((dir + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(err >= 0 ? err : devnull, 2);
    exec_argv(argv);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      // Its own message (port in use, state directory taken) is the last line it wrote.
      std::string last;
      std::ifstream log(dir + "/stderr.log");
      for (std::string l; std::getline(log, l);)
        if (l.rfind("ecsctl-local: ", 0) == 0) last = l.substr(14);
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
      // Another `local up` started a plane on the directory first: that one is where it runs.
      if (Json other = running_server(dir); !other.is_null() && other.value("pid", 0L) != pid) {
        if (!ctx.opts.quiet) ctx.err << "ecsctl local: already running on " << other.value("endpoint", std::string()) << "\n";
        print_result(ctx, Json{{"endpoint", other.value("endpoint", std::string())}, {"pid", other.value("pid", 0L)}, {"stateDir", dir}},
                     "LocalUp");
        return 0;
      }
      throw Error(code == static_cast<int>(Exit::config) ? Exit::config : Exit::other,
                  "the local control plane exited during start-up (code " + std::to_string(code) + ")" +
                      (last.empty() ? std::string() : ": " + last),
                  dir + "/stderr.log", "is port " + std::to_string(port) + " in use? try --port");
    }
    Json s = read_json(dir + "/server.json");
    if (s.is_object() && s.value("pid", 0L) == pid && port_answers(port)) {
      if (!ctx.opts.quiet) ctx.err << "ecsctl local: listening on " << s["endpoint"].get<std::string>() << " (pid " << pid << ")\n";
      print_result(ctx, Json{{"endpoint", s["endpoint"]}, {"pid", pid}, {"stateDir", dir}}, "LocalUp");
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGTERM);
  throw Error(Exit::other, "the local control plane did not answer within 20 seconds", dir + "/stderr.log");
}

int cmd_down(Context& ctx, Args& args) {
  std::string dir = state_dir(ctx, args);
  Json s = running_server(dir);
  if (s.is_null()) {
    if (!ctx.opts.quiet) ctx.err << "ecsctl local: not running (" << dir << ")\n";
    return 0;
  }
  // The pid comes from the lock, so it is the server's, never a reused one.
  pid_t pid = static_cast<pid_t>(s.value("pid", 0L));
  if (pid <= 0) throw Error(Exit::other, "the local control plane's pid is not visible from here", dir, "stop it where it was started");
  ::kill(pid, SIGTERM);
  // 30 s: with the engine runtime the plane first removes its containers.
  for (int i = 0; i < 1500 && !lock_released(dir); ++i) {
    ::waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!lock_released(dir)) ::kill(pid, SIGKILL);
  if (!ctx.opts.quiet) ctx.err << "ecsctl local: stopped (pid " << pid << ")\n";
  return 0;
}

int cmd_status(Context& ctx, Args& args) {
  std::string dir = state_dir(ctx, args);
  if (running_server(dir).is_null()) {
    print_result(ctx, Json{{"running", false}, {"stateDir", dir}}, "LocalStatus");
    return 0;
  }
  Json st = control(ctx, dir, "status", Json::object());
  Json out = {{"running", true}};
  for (auto it = st.begin(); it != st.end(); ++it) out[it.key()] = it.value();
  print_result(ctx, out, "LocalStatus");
  return 0;
}

int cmd_reset(Context& ctx, Args& args) {
  std::string dir = state_dir(ctx, args);
  if (!running_server(dir).is_null()) {
    control(ctx, dir, "reset", Json::object());
  } else {
    std::error_code ec;
    for (const char* f : {"state.db", "state.db-wal", "state.db-shm"}) fs::remove(dir + "/" + f, ec);
  }
  if (!ctx.opts.quiet) ctx.err << "ecsctl local: state cleared (" << dir << ")\n";
  return 0;
}

int cmd_env(Context& ctx, Args& args) {
  std::string dir = state_dir(ctx, args);
  Json creds = read_json(dir + "/credentials.json");
  if (!creds.is_object())
    throw Error(Exit::config, "no local credentials yet", dir, "start the control plane once with 'ecsctl local up'");
  Json s = running_server(dir);
  int port = port_of(args, s.is_object() ? s.value("port", k_default_port) : k_default_port);
  std::string region = ctx.opts.region.value_or(s.is_object() ? s.value("region", std::string("us-east-1")) : "us-east-1");
  // A server started with --tls: https, and its CA for ecsctl, the AWS CLI and the SDKs.
  std::string ca = s.is_object() ? s.value("caBundle", std::string()) : std::string();
  ctx.out << "export AWS_ENDPOINT_URL=" << (ca.empty() ? "http" : "https") << "://127.0.0.1:" << port << "\n";
  if (!ca.empty()) ctx.out << "export AWS_CA_BUNDLE=" << ca << "\n";
  ctx.out
          << "export AWS_ACCESS_KEY_ID=" << creds.value("accessKeyId", "") << "\n"
          << "export AWS_SECRET_ACCESS_KEY=" << creds.value("secretAccessKey", "") << "\n"
          << "export AWS_REGION=" << region << "\n"
          // The AWS CLI v1 and older SDKs read only AWS_DEFAULT_REGION.
          << "export AWS_DEFAULT_REGION=" << region << "\n";
  return 0;
}

int cmd_add_instances(Context& ctx, Args& args) {
  // Checked before anything is asked of the server.
  Json attrs = Json::object();
  for (const auto& kv : args.values("--attribute")) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw_usage("--attribute takes name=value, not '" + kv + "'");
    attrs[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  Json body = {{"cluster", args.value("--cluster").value_or("default")},
               {"count", long_flag(args, "--count", 1, 1, 10000)},
               {"cpu", long_flag(args, "--cpu", 2048, 128, 1048576)},
               {"memory", long_flag(args, "--memory", 3943, 128, 16777216)},
               {"instanceType", args.value("--instance-type").value_or("t3.medium")},
               {"attributes", attrs},
               {"zones", args.values("--zone")}};
  std::string dir = state_dir(ctx, args);
  if (running_server(dir).is_null())
    throw Error(Exit::other, "the local control plane is not running", dir, "start it with 'ecsctl local up --detach'");
  // The server answers with its stored documents (registeredAt in epoch seconds);
  // printed as DescribeContainerInstances prints them, through the ECS model, so
  // timestamps come out in ISO 8601 as from every other command.
  client::HttpResponse response;
  response.status = 200;
  response.body = control(ctx, dir, "add-instances", body).dump();
  print_result(ctx, client::parse_output(model::service("ecs"), "DescribeContainerInstances", response),
               "AddInstances");
  return 0;
}

}  // namespace

}  // namespace ecsctl::commands

namespace ecsctl::commands {
namespace {

const FlagSpec k_state{.name = "--state", .metavar = "DIR",
                       .help = "the state directory (default: $XDG_STATE_HOME/ecsctl/local or ~/.local/state/ecsctl/local)",
                       .complete = Completer::directory};

}  // namespace

const CommandSpec local_up{
    .group = "local",
    .name = "up",
    .summary = "Start the local control plane (--port N --state DIR --detach --pace fast|real)",
    .description =
        "Runs ecsctl-local, an ECS-compatible control plane (ECS, ELBv2, EventBridge and\n"
        "Scheduler) on 127.0.0.1, in the foreground until Ctrl-C, or in the background with\n"
        "--detach (it then prints the endpoint, pid and state directory, and logs to\n"
        "DIR/stderr.log). Its state (SQLite) and credentials live in the state directory;\n"
        "`eval \"$(ecsctl local env)\"` points ecsctl and the AWS CLI at it.\n\n"
        "--pace fast runs tasks and deployments through their states at once; real waits as\n"
        "long as ECS would.\n\n"
        "If a plane already serves the state directory, prints where it is and leaves it\n"
        "running. A plane serves a directory while it holds the lock on DIR/server.lock.\n\n"
        "--stopped-task-ttl sets how long stopped tasks are kept (DescribeTasks then answers\n"
        "MISSING, as ECS does an hour after a task stopped).\n\n"
        "--tls serves HTTPS with a CA and a certificate for localhost/127.0.0.1 made in the\n"
        "state directory (ca.pem, server.pem; kept across restarts), and writes ca_bundle\n"
        "into the `local` profile so that ecsctl and the AWS CLI verify it.\n\n"
        "--runtime engine runs each task's containers in a real container engine through\n"
        "the Docker Engine API: --engine-socket PATH, DOCKER_HOST=unix://PATH,\n"
        "/var/run/docker.sock, or a podman API service that the plane starts (socket in the\n"
        "state directory) and stops with `local down`. --runtime simulated runs nothing:\n"
        "tasks change state on timers. auto (the default, or $ECSCTL_LOCAL_RUNTIME) takes\n"
        "an engine when one answers; `ecsctl local status` says which runtime runs.\n",
    .flags = {{.name = "--port", .metavar = "N", .help = "the port to listen on, on 127.0.0.1 (default 4510)"},
              k_state,
              {.name = "--detach", .help = "run in the background and return once it answers"},
              {.name = "--tls", .help = "serve HTTPS with a CA made in the state directory (ca.pem)"},
              {.name = "--pace", .metavar = "PACE", .help = "how fast tasks and deployments move (default fast)",
               .complete = Completer::choices, .choices = {"fast", "real"}},
              {.name = "--stopped-task-ttl", .metavar = "DURATION",
               .help = "how long stopped tasks stay visible (default 1h, as in ECS; e.g. 90s, 10m)"},
              {.name = "--runtime", .metavar = "RUNTIME", .help = "what runs the tasks' containers (default auto)",
               .complete = Completer::choices, .choices = {"auto", "engine", "simulated"}},
              {.name = "--engine-socket", .metavar = "PATH", .help = "the container engine's Docker API socket",
               .complete = Completer::file}},
    .run = cmd_up,
};

const CommandSpec local_down{
    .group = "local",
    .name = "down",
    .summary = "Stop the local control plane",
    .description = "Stops the control plane running on the state directory (SIGTERM, then SIGKILL after\n"
                   "30 seconds). With the engine runtime it first stops and removes every container it\n"
                   "started. Its state is kept; `ecsctl local reset` clears it.\n",
    .flags = {k_state},
    .run = cmd_down,
};

const CommandSpec local_status{
    .group = "local",
    .name = "status",
    .summary = "Show the endpoint, pid, state directory and counts as JSON",
    .description = "Prints {\"running\": false, ...} when no control plane runs on the state directory.\n",
    .flags = {k_state},
    .run = cmd_status,
};

const CommandSpec local_reset{
    .group = "local",
    .name = "reset",
    .summary = "Delete every resource of the local control plane",
    .description = "Clears the state of the running control plane, or deletes the state database when\n"
                   "none runs. The credentials are kept.\n",
    .flags = {k_state},
    .run = cmd_reset,
};

const CommandSpec local_env{
    .group = "local",
    .name = "env",
    .summary = "Print the environment variables that point ecsctl and the AWS CLI at it",
    .description = "Prints export lines for AWS_ENDPOINT_URL, the local credentials and the region:\n"
                   "  eval \"$(ecsctl local env)\"\n",
    .flags = {k_state, {.name = "--port", .metavar = "N", .help = "the port (default: the running server's, else 4510)"}},
    .run = cmd_env,
};

const CommandSpec local_add_instances{
    .group = "local",
    .name = "add-instances",
    .summary = "Register simulated EC2 container instances (--cluster --count --cpu --memory --attribute k=v --zone z)",
    .description = "Registers container instances in a cluster of the running control plane, so that\n"
                   "EC2-launch-type tasks and services can be placed. Prints the new instances as\n"
                   "DescribeContainerInstances does. With several --zone values the instances are spread\n"
                   "over them in turn.\n",
    .flags = {k_state,
              {.name = "--cluster", .metavar = "NAME", .help = "the cluster (default: default)", .complete = Completer::cluster},
              {.name = "--count", .metavar = "N", .help = "how many instances (1..10000, default 1)"},
              {.name = "--cpu", .metavar = "UNITS", .help = "CPU units of each (default 2048)"},
              {.name = "--memory", .metavar = "MIB", .help = "memory of each in MiB (default 3943)"},
              {.name = "--attribute", .metavar = "NAME=VALUE", .help = "a custom attribute of each", .repeats = true},
              {.name = "--zone", .metavar = "ZONE", .help = "an availability zone (default: REGIONa, b, c in turn)",
               .repeats = true},
              {.name = "--instance-type", .metavar = "TYPE", .help = "the EC2 instance type (default t3.medium)"}},
    .run = cmd_add_instances,
};

}  // namespace ecsctl::commands
