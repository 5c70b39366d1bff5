// The simulated runtime, and choosing a runtime at start-up: the engine at a
// given socket, Docker's, or a Podman API service started for the plane.
#include "local/runtime_select.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "local/engine_api.hpp"

namespace fs = std::filesystem;

namespace ecsctl::local {

namespace {

class SimulatedRuntime : public Runtime {
 public:
  explicit SimulatedRuntime(std::string why) : m_why(std::move(why)) {}
  const char* name() const override { return "simulated"; }
  Json describe() const override {
    Json j = {{"runtime", "simulated"}};
    if (!m_why.empty()) j["runtimeReason"] = m_why;
    return j;
  }
  // Ecs's timers (local/ecs_engine.cpp) do everything: nothing runs.
  void start_task(const Json&, const Json&) override {}
  void stop_task(const std::string&) override {}
  void adopt(const Json&, const Json&) override {}
  void remove_strays(const std::vector<std::string>&) override {}
  std::vector<RuntimeEvent> take_events() override { return {}; }
  void shutdown() override {}

 private:
  std::string m_why;
};

// The project's podman settings (local/engine/containers.conf; the test
// it_local_engine checks that the two agree).
constexpr const char* k_containers_conf =
    "# The podman configuration ecsctl uses (passed through CONTAINERS_CONF by\n"
    "# `ecsctl local up`, scripts/local-image and the tests; the system's\n"
    "# /etc/containers is never changed). crun refuses this project's VMs' hybrid\n"
    "# cgroup layout and rlimits cannot be raised there, hence runc, cgroupfs and\n"
    "# no default ulimits.\n"
    "[containers]\n"
    "default_ulimits = []\n"
    "\n"
    "[engine]\n"
    "runtime = \"runc\"\n"
    "cgroup_manager = \"cgroupfs\"\n"
    "events_logger = \"file\"\n";

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string candidate = p.substr(start, end - start) + "/" + name;
    if (!candidate.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// The socket of the plane's Podman service (in the state directory, unless
// that path is too long for a Unix socket).
std::string podman_socket(const std::string& state_dir) {
  std::string s = state_dir + "/podman.sock";
  if (s.size() < 100) return s;
  uint32_t h = 2166136261u;
  for (char c : state_dir) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return "/tmp/ecsctl-podman-" + std::to_string(::getuid()) + "-" + std::to_string(h) + ".sock";
}

long read_pid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return pid;
}

// Starts `podman system service` on `socket`; returns its pid (0 on failure).
pid_t start_podman(const std::string& podman, const std::string& socket, const std::string& state_dir) {
  std::string conf = state_dir + "/containers.conf";
  {
    std::ofstream out(conf);
    out << k_containers_conf;
  }
  std::error_code ec;
  fs::remove(socket, ec);
  pid_t pid = ::fork();
  if (pid < 0) return 0;
  if (pid == 0) {
    ::setsid();  // survives a SIGKILL of the plane's process group; the next start reuses it
    const char* user_conf = std::getenv("CONTAINERS_CONF");
    if (!user_conf || !*user_conf) ::setenv("CONTAINERS_CONF", conf.c_str(), 1);
    int devnull = ::open("/dev/null", O_RDWR);
    int log = ::open((state_dir + "/podman.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(devnull, 0);
    ::dup2(log >= 0 ? log : devnull, 1);
    ::dup2(log >= 0 ? log : devnull, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::string uri = "unix://" + socket;
    // It exits 5 s after its last connection closes: the plane holds one open
    // (an events stream) while it runs, so a plane killed with SIGKILL leaves
    // no service behind; its containers run on (conmon) for the next start.
    ::execl(podman.c_str(), podman.c_str(), "system", "service", "--time=5", uri.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return pid;
}

}  // namespace

std::unique_ptr<Runtime> make_simulated_runtime(std::string why) {
  return std::make_unique<SimulatedRuntime>(std::move(why));
}

const char* containers_conf_text() { return k_containers_conf; }

EngineChoice choose_engine(const RuntimeSetup& setup, const std::function<void(const std::string&)>& log) {
  EngineChoice out;
  if (setup.mode == "simulated") {
    out.why = "--runtime simulated";
    return out;
  }
  bool required = setup.mode == "engine";
  auto none = [&](const std::string& why) {
    if (required) throw Error(Exit::config, "no container engine: " + why, {}, "install podman (scripts/install-deps), pass --engine-socket PATH, or use --runtime simulated");
    out.why = why;
    return out;
  };
  std::string given = setup.socket;
  if (given.empty()) {
    if (const char* dh = std::getenv("DOCKER_HOST"); dh && std::strncmp(dh, "unix://", 7) == 0) given = dh + 7;
  }
  if (!given.empty()) {
    if (EngineApi(given).ping()) {
      out.socket = given;
      return out;
    }
    return none("the engine socket " + given + " does not answer");
  }
  if (EngineApi("/var/run/docker.sock").ping(1)) {
    out.socket = "/var/run/docker.sock";
    return out;
  }
  std::string podman = find_in_path("podman");
  if (podman.empty()) return none("no Docker socket at /var/run/docker.sock and podman is not installed");
  std::string socket = podman_socket(setup.state_dir);
  std::string pid_file = setup.state_dir + "/podman.pid";
  // A service left by a plane that was killed: use it again.
  if (EngineApi(socket).ping(1)) {
    out.socket = socket;
    out.podman_pid = static_cast<pid_t>(read_pid(pid_file));
    log("using the running podman API service on " + socket);
    return out;
  }
  pid_t pid = start_podman(podman, socket, setup.state_dir);
  if (pid <= 0) return none("cannot start podman system service");
  {
    std::ofstream(pid_file) << pid << "\n";
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return none("podman system service exited at start (see " + setup.state_dir + "/podman.log)");
    if (EngineApi(socket).ping(0.5)) {
      out.socket = socket;
      out.podman_pid = pid;
      log("started the podman API service on " + socket + " (pid " + std::to_string(pid) + ")");
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGTERM);
  return none("podman system service did not answer on " + socket + " within 15 seconds");
}

void stop_podman(const EngineChoice& choice, const std::string& state_dir) {
  if (choice.podman_pid <= 0) return;
  // A pid from a file may since belong to another process: only podman is stopped.
  std::ifstream cmd("/proc/" + std::to_string(choice.podman_pid) + "/cmdline");
  std::string argv0;
  std::getline(cmd, argv0, '\0');
  if (argv0.find("podman") == std::string::npos) return;
  ::kill(choice.podman_pid, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    if (::waitpid(choice.podman_pid, nullptr, WNOHANG) == choice.podman_pid || ::kill(choice.podman_pid, 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::error_code ec;
  fs::remove(state_dir + "/podman.pid", ec);
  fs::remove(choice.socket, ec);
}

}  // namespace ecsctl::local
