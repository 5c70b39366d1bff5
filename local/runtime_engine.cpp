// The engine runtime: each task container is a container of a real engine
// (Docker Engine API over a Unix socket). One thread per task creates its
// containers, starts them in dependsOn order, runs their health checks and
// stops them; one thread per container follows its output (the engine's logs
// API) to the LogSink and sees it exit. See local/runtime.hpp.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "local/engine_api.hpp"
#include "local/engine_images.hpp"
#include "local/engine_oom.hpp"
#include "local/engine_stats.hpp"
#include "local/runtime.hpp"

namespace ecsctl::local {

namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "2026-12-07T12:40:51.816972855Z" -> milliseconds since the epoch (0 when unreadable).
long long parse_time_ms(std::string_view s) {
  std::tm tm{};
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return 0;
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  long long ms = static_cast<long long>(timegm(&tm)) * 1000;
  if (s.size() > 20 && s[19] == '.') {
    long long frac = 0;
    int digits = 0;
    for (size_t i = 20; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 3; ++i, ++digits)
      frac = frac * 10 + (s[i] - '0');
    while (digits++ < 3) frac *= 10;
    ms += frac;
  }
  return ms;
}

std::string sanitize(std::string_view s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '-';
  return out;
}

// "repo[:tag]" -> {repo, tag} (a ':' after the last '/' starts the tag; default latest).
std::pair<std::string, std::string> split_image(const std::string& image) {
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (image.find('@') != std::string::npos) return {image, ""};
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {image.substr(0, colon), image.substr(colon + 1)};
  return {image, "latest"};
}

// KEY=VALUE lines of an environment file (comments and blank lines skipped).
void read_env_file(const std::string& path, std::map<std::string, std::string>& env) {
  std::string p = path.rfind("file://", 0) == 0 ? path.substr(7) : path;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.emplace(line.substr(0, eq), line.substr(eq + 1));  // the definition's own values win
  }
}

struct ContainerRun {
  std::string name;
  Json def;  // the container definition with the task's overrides applied
  bool essential = true;
  std::string id;
  bool started = false, exited = false;
  int exit_code = -1;
  std::string health = "UNKNOWN";
  double next_check = 0;
  std::string log_group, log_stream;
  std::thread follower;
  // Resolved before the pull (values never logged): the secrets' NAME=VALUE,
  // the pull's X-Registry-Auth, and the engine image run (a local image for an ECR URI).
  std::vector<std::pair<std::string, std::string>> secret_env;
  std::string registry_auth, run_image;
  std::unique_ptr<OomWatch> oom;
};

struct TaskRun {
  std::string arn, task_id, mode;
  Json task, td;
  std::mutex m;
  std::condition_variable cv;
  bool stop = false, kill_now = false, done = false;
  bool reported_running = false;
  std::vector<ContainerRun> containers;
  std::string pause_id;
  std::vector<int> host_ports;  // dynamic host ports taken for it (EngineRuntime::host_port_for)
  std::thread thread;
};

// Whether 127.0.0.1:port can be bound now (TCP or UDP).
bool port_free(int port, bool udp) {
  int fd = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return true;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class EngineRuntime : public Runtime {
 public:
  explicit EngineRuntime(EngineOptions o) : m_opt(std::move(o)), m_api(m_opt.socket) {
    EngineReply v = m_api.call("GET", "/version", Json(), 10);
    if (v.ok() && v.body.is_object()) {
      m_version = v.body.value("Version", "");
      for (const auto& c : v.body.value("Components", Json::array()))
        if (c.value("Name", "").find("Podman") != std::string::npos) m_podman = true;
    }
    // One connection held open while the plane runs (the plane's podman
    // service exits once no connection is left).
    m_keepalive = std::thread([this] {
      Json filters = {{"label", Json::array({std::string(k_label_plane) + "=" + m_opt.plane})}};
      while (!m_down) {
        m_api.stream("GET", "/events?filters=" + url_encode(filters.dump()), [this](std::string_view) { return !m_down.load(); });
        for (int i = 0; i < 10 && !m_down; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
    // Container statistics for CloudWatch (service tasks only).
    m_sampler = std::thread([this] {
      while (!m_down) {
        sample_stats();
        for (int i = 0; i < static_cast<int>(m_opt.stats_interval * 20) && !m_down; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  ~EngineRuntime() override { shutdown(); }

  std::optional<double> service_metric(const Json& service, const std::string& metric, double from,
                                       double to) const override {
    return m_stats.service_metric(service, metric, from, to);
  }

  const char* name() const override { return "engine"; }

  Json describe() const override {
    return {{"runtime", "engine"}, {"engine", {{"socket", m_opt.socket}, {"name", m_podman ? "podman" : "docker"}, {"version", m_version}}}};
  }

  void start_task(const Json& task, const Json& td) override { launch(task, td, false); }

  void adopt(const Json& task, const Json& td) override { launch(task, td, true); }

  void stop_task(const std::string& arn) override {
    std::lock_guard lock(m_mutex);
    auto it = m_tasks.find(arn);
    if (it == m_tasks.end()) {
      // Never started here (or already gone): nothing runs.
      m_events.push_back({arn, RuntimeEvent::Kind::task_stopped, "", Json::object()});
      return;
    }
    std::lock_guard tl(it->second->m);
    it->second->stop = true;
    it->second->cv.notify_all();
  }

  void remove_strays(const std::vector<std::string>& live) override {
    std::set<std::string> keep(live.begin(), live.end());
    for (const auto& c : list_plane_containers()) {
      std::string arn = c.value("Labels", Json::object()).value(k_label_task, "");
      if (keep.count(arn)) continue;
      m_api.call("DELETE", "/containers/" + c.value("Id", "") + "?force=true&v=true", Json(), 60);
      log("removed container " + c.value("Id", "").substr(0, 12) + " of a task no longer running");
    }
  }

  std::vector<RuntimeEvent> take_events() override {
    std::vector<std::shared_ptr<TaskRun>> finished;
    std::vector<RuntimeEvent> out;
    {
      std::lock_guard lock(m_mutex);
      out.swap(m_events);
      for (auto it = m_tasks.begin(); it != m_tasks.end();) {
        bool done;
        {
          std::lock_guard tl(it->second->m);
          done = it->second->done;
        }
        if (done) {
          finished.push_back(it->second);
          it = m_tasks.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& t : finished)
      if (t->thread.joinable()) t->thread.join();
    return out;
  }

  void shutdown() override {
    std::vector<std::shared_ptr<TaskRun>> all;
    {
      std::lock_guard lock(m_mutex);
      if (m_down) return;
      m_down = true;
      for (auto& [arn, t] : m_tasks) all.push_back(t);
      m_tasks.clear();
    }
    if (m_keepalive.joinable()) m_keepalive.join();
    if (m_sampler.joinable()) m_sampler.join();
    for (auto& t : all) {
      std::lock_guard tl(t->m);
      t->stop = t->kill_now = true;
      t->cv.notify_all();
    }
    // Killed at once, then removed, in parallel: a task thread waiting on a
    // stop (up to its stopTimeout) or a health check returns as its container goes.
    {
      Json containers = list_plane_containers();
      std::vector<std::thread> workers;
      for (const auto& c : containers)
        workers.emplace_back([this, id = c.value("Id", "")] { m_api.call("POST", "/containers/" + id + "/kill", Json(), 10); });
      for (auto& w : workers) w.join();
      workers.clear();
      for (const auto& c : containers)
        workers.emplace_back([this, id = c.value("Id", "")] { m_api.call("DELETE", "/containers/" + id + "?force=true&v=true"); });
      for (auto& w : workers) w.join();
    }
    for (auto& t : all)
      if (t->thread.joinable()) t->thread.join();
    // Anything left with the plane's label (a task that was being created).
    for (const auto& c : list_plane_containers()) m_api.call("DELETE", "/containers/" + c.value("Id", "") + "?force=true&v=true");
  }

 private:
  void log(const std::string& line) {
    if (m_opt.log) m_opt.log(line);
  }

  void emit(const std::string& arn, RuntimeEvent::Kind kind, const std::string& container = {}, Json data = Json::object()) {
    std::lock_guard lock(m_mutex);
    m_events.push_back({arn, kind, container, std::move(data)});
  }

  Json list_plane_containers() {
    Json filters = {{"label", Json::array({std::string(k_label_plane) + "=" + m_opt.plane})}};
    EngineReply r = m_api.call("GET", "/containers/json?all=true&filters=" + url_encode(filters.dump()));
    return r.ok() && r.body.is_array() ? r.body : Json::array();
  }

  void launch(const Json& task, const Json& td, bool adopting) {
    auto run = std::make_shared<TaskRun>();
    run->arn = task["taskArn"];
    run->task_id = run->arn.substr(run->arn.rfind('/') + 1);
    run->task = task;
    run->td = td;
    run->mode = td.value("networkMode", "bridge");
    Json overrides = task.value("overrides", Json::object()).value("containerOverrides", Json::array());
    for (const auto& d : td.value("containerDefinitions", Json::array())) {
      ContainerRun c;
      c.name = d["name"];
      c.def = d;
      for (const auto& o : overrides) {
        if (o.value("name", "") != c.name) continue;
        for (const char* k : {"command", "cpu", "memory", "memoryReservation"})
          if (o.contains(k)) c.def[k] = o[k];
        if (o.contains("environment")) {
          Json env = c.def.value("environment", Json::array());
          for (const auto& e : o["environment"]) env.push_back(e);
          c.def["environment"] = env;
        }
        if (o.contains("environmentFiles")) c.def["environmentFiles"] = o["environmentFiles"];
      }
      c.essential = d.value("essential", true);
      Json lc = d.value("logConfiguration", Json::object());
      if (lc.value("logDriver", "") == "awslogs") {
        Json opts = lc.value("options", Json::object());
        c.log_group = opts.value("awslogs-group", "");
        std::string prefix = opts.value("awslogs-stream-prefix", "");
        if (!prefix.empty()) c.log_stream = prefix + "/" + c.name + "/" + run->task_id;
      }
      run->containers.push_back(std::move(c));
    }
    std::lock_guard lock(m_mutex);
    if (m_down) return;
    if (run->containers.empty()) {
      m_events.push_back({run->arn, RuntimeEvent::Kind::task_failed, "", {{"reason", "TaskDefinition not found."}, {"stopCode", "TaskFailedToStart"}}});
      m_events.push_back({run->arn, RuntimeEvent::Kind::task_stopped, "", Json::object()});
      return;
    }
    m_tasks[run->arn] = run;
    run->thread = std::thread([this, run, adopting] { run_task(*run, adopting); });
  }

  // The whole life of one task's containers.
  void run_task(TaskRun& t, bool adopting) {
    std::string failure;
    if (adopting) {
      failure = find_existing(t);
    } else {
      failure = create_all(t);
    }
    if (!failure.empty()) {
      std::lock_guard tl(t.m);
      t.stop = true;
    }
    supervise(t);
    teardown(t);
    emit(t.arn, RuntimeEvent::Kind::task_stopped);
    std::lock_guard tl(t.m);
    t.done = true;
  }

  void fail(TaskRun& t, const std::string& reason, const std::string& stop_code, const std::string& container = {}) {
    emit(t.arn, RuntimeEvent::Kind::task_failed, container, {{"reason", reason}, {"stopCode", stop_code}});
  }

  // Pulls `image` when the engine lacks it; "" or the CannotPullContainerError
  // reason. `auth`: the X-Registry-Auth value ("" for none; never logged).
  // An ECR URI of which the engine has the local image localhost/REPO:TAG
  // (local/engine_images.hpp) runs that image: `run` is what to create.
  std::string ensure_image(const std::string& image, const std::string& auth, std::string& run) {
    run = image;
    EngineReply have = m_api.call("GET", "/images/" + image + "/json");
    if (have.ok()) return {};
    if (std::string local = local_name_of_ecr_image(image); !local.empty() && m_api.call("GET", "/images/" + local + "/json").ok()) {
      run = local;
      log("image " + image + " is the engine's local image " + local);
      return {};
    }
    auto [repo, tag] = split_image(image);
    log("pulling image " + image + (auth.empty() ? "" : " with the registry credentials of its repositoryCredentials"));
    std::vector<std::pair<std::string, std::string>> headers;
    if (!auth.empty()) headers.emplace_back("X-Registry-Auth", auth);
    std::string error, buffer, last_status;
    int status = m_api.stream("POST", "/images/create?fromImage=" + url_encode(repo) + (tag.empty() ? "" : "&tag=" + url_encode(tag)),
                              [&](std::string_view chunk) {
                                buffer.append(chunk);
                                for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
                                  Json j = Json::parse(buffer.substr(0, nl), nullptr, false);
                                  buffer.erase(0, nl + 1);
                                  if (!j.is_object()) continue;
                                  if (j.contains("error")) error = j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
                                  std::string s = j.value("status", "");
                                  if (!s.empty() && s != last_status) {
                                    last_status = s;
                                    log("pull " + image + ": " + s + (j.contains("progress") ? " " + j.value("progress", "") : ""));
                                  }
                                }
                                return !m_down.load();
                              },
                              headers);
    if (!buffer.empty()) {
      Json j = Json::parse(buffer, nullptr, false);
      if (j.is_object() && j.contains("error")) error = j.value("error", "");
      if (j.is_object() && j.contains("message") && status >= 400) error = j.value("message", "");
    }
    if (error.empty() && status != 200) error = status == 0 ? "the container engine did not answer" : "HTTP " + std::to_string(status);
    if (error.empty() && !m_api.call("GET", "/images/" + image + "/json").ok()) error = "image not found after pull";
    if (!error.empty()) {
      log("pull " + image + " failed: " + error);
      return "CannotPullContainerError: pull image " + image + ": " + error;
    }
    return {};
  }

  Json labels(const TaskRun& t, const std::string& container) {
    return {{k_label_plane, m_opt.plane}, {k_label_task, t.arn}, {k_label_container, container},
            {"com.amazonaws.ecs.task-arn", t.arn}, {"com.amazonaws.ecs.container-name", container},
            {"com.amazonaws.ecs.task-definition-family", t.td.value("family", "")}};
  }

  Json create_body(TaskRun& t, ContainerRun& c, size_t index) {
    const Json& d = c.def;
    Json body = {{"Image", c.run_image.empty() ? d.value("image", "") : c.run_image}, {"Labels", labels(t, c.name)}};
    if (d.contains("entryPoint")) body["Entrypoint"] = d["entryPoint"];
    if (d.contains("command")) body["Cmd"] = d["command"];
    if (d.contains("workingDirectory")) body["WorkingDir"] = d["workingDirectory"];
    if (d.contains("user")) body["User"] = d["user"];
    std::map<std::string, std::string> env;
    for (const auto& e : d.value("environment", Json::array())) env[e.value("name", "")] = e.value("value", "");
    for (const auto& f : d.value("environmentFiles", Json::array())) read_env_file(f.value("value", ""), env);
    for (const auto& [k, v] : c.secret_env) env[k] = v;
    Json env_list = Json::array();
    for (const auto& [k, v] : env) env_list.push_back(k + "=" + v);
    body["Env"] = env_list;
    if (d.contains("healthCheck")) {
      const Json& h = d["healthCheck"];
      auto ns = [](long s) { return s * 1000000000L; };
      body["Healthcheck"] = {{"Test", h.value("command", Json::array())}, {"Interval", ns(h.value("interval", 30L))},
                             {"Timeout", ns(h.value("timeout", 5L))}, {"Retries", h.value("retries", 3L)},
                             {"StartPeriod", ns(h.value("startPeriod", 0L))}};
    }
    if (d.contains("stopTimeout")) body["StopTimeout"] = d["stopTimeout"];
    Json host = Json::object();
    if (d.value("cpu", 0L) > 0) host["CpuShares"] = std::max(2L, d["cpu"].get<long>());
    if (d.value("memory", 0L) > 0) host["Memory"] = d["memory"].get<long>() * 1024 * 1024;
    if (d.value("memoryReservation", 0L) > 0) host["MemoryReservation"] = d["memoryReservation"].get<long>() * 1024 * 1024;
    if (t.mode == "host") {
      host["NetworkMode"] = "host";
    } else if (t.mode == "awsvpc" || t.mode == "none") {
      if (!t.pause_id.empty()) host["NetworkMode"] = "container:" + t.pause_id;
      else host["NetworkMode"] = "none";
    } else {
      // bridge: the host ports placement chose (the task's networkBindings), on 127.0.0.1;
      // a dynamic one taken on this host is moved up (see host_port_for).
      Json bindings = Json::object(), exposed = Json::object();
      const Json& tc = t.task["containers"][index];
      for (const auto& b : tc.value("networkBindings", Json::array())) {
        std::string proto = b.value("protocol", "tcp");
        std::string key = std::to_string(b.value("containerPort", 0)) + "/" + proto;
        bool dynamic = false;
        for (const auto& pm : d.value("portMappings", Json::array()))
          if (pm.value("containerPort", -1) == b.value("containerPort", 0) && pm.value("protocol", "tcp") == proto)
            dynamic = pm.value("hostPort", 0) == 0;
        int port = b.value("hostPort", 0);
        if (dynamic) t.host_ports.push_back(port = host_port_for(port, proto == "udp"));
        exposed[key] = Json::object();
        bindings[key] = Json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", std::to_string(port)}}});
      }
      if (!bindings.empty()) {
        host["PortBindings"] = bindings;
        body["ExposedPorts"] = exposed;
      }
    }
    body["HostConfig"] = host;
    return body;
  }

  // ECS's stop reason for a secret or registry credential it cannot read.
  static std::string secrets_failure(const std::string& what) {
    return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: " + what;
  }

  // The containers' secrets and registry credentials, from the plane's Secrets
  // Manager and SSM; "" or the ResourceInitializationError reason (which names
  // the secret, never a value).
  std::string resolve_secrets(TaskRun& t) {
    const std::string asm_missing = ": ResourceNotFoundException: Secrets Manager can't find the specified secret.";
    for (auto& c : t.containers) {
      std::vector<std::string> missing_params;
      for (const auto& sec : c.def.value("secrets", Json::array())) {
        std::string from = sec.value("valueFrom", "");
        std::optional<std::string> v = m_opt.resolve_secret ? m_opt.resolve_secret(from) : std::nullopt;
        if (v) {
          c.secret_env.emplace_back(sec.value("name", ""), *v);
          continue;
        }
        if (from.rfind("arn:", 0) == 0 && from.find(":secretsmanager:") != std::string::npos) {
          size_t pos = 0;
          for (int i = 0; i < 7 && pos != std::string::npos; ++i) pos = from.find(':', pos + 1);
          if (pos != std::string::npos && m_opt.resolve_secret && m_opt.resolve_secret(from.substr(0, pos)))
            return secrets_failure("unable to retrieve secret from asm: the secret " + from.substr(0, pos) +
                                   " has no JSON key, version stage or version id as " + from + " names");
          return secrets_failure("unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret " +
                                 from.substr(0, pos) + " from secrets manager" + asm_missing);
        }
        missing_params.push_back(from);
      }
      if (!missing_params.empty()) {
        std::string names;
        for (const auto& n : missing_params) names += (names.empty() ? "" : ", ") + n;
        return secrets_failure("unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: " + names);
      }
      std::string cred = c.def.value("repositoryCredentials", Json::object()).value("credentialsParameter", "");
      if (cred.empty()) continue;
      std::optional<std::string> v = m_opt.resolve_secret ? m_opt.resolve_secret(cred) : std::nullopt;
      if (!v)
        return secrets_failure("unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for " +
                               cred + asm_missing);
      Json doc = Json::parse(*v, nullptr, false);
      if (!doc.is_object() || !doc.contains("username") || !doc.contains("password") || !doc["username"].is_string() ||
          !doc["password"].is_string())
        return secrets_failure("unable to get registry auth from asm: asm fetching authorization data: the secret " + cred +
                               " is not a JSON object with string members username and password");
      c.registry_auth = registry_auth_header(doc["username"], doc["password"], registry_of(c.def.value("image", "")));
    }
    return {};
  }

  std::string create_all(TaskRun& t) {
    if (std::string why = resolve_secrets(t); !why.empty()) {
      fail(t, why, "TaskFailedToStart");
      log("task " + t.task_id + ": " + why);
      return why;
    }
    for (auto& c : t.containers) {
      std::string why = ensure_image(c.def.value("image", ""), c.registry_auth, c.run_image);
      if (!why.empty()) {
        fail(t, why, "TaskFailedToStart", c.name);
        return why;
      }
    }
    if (t.mode == "awsvpc") {
      // The task's network namespace: a container that only waits, whose
      // network the task's containers share.
      Json body = {{"Image", t.containers.front().run_image}, {"Labels", labels(t, "~pause")},
                   {"Entrypoint", Json::array({"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"})},
                   {"Cmd", Json::array()}, {"HostConfig", Json::object()}};
      EngineReply r = m_api.call("POST", "/containers/create?name=" + sanitize("ecsctl-" + t.task_id + "-pause"), body);
      if (r.ok()) {
        t.pause_id = r.body.value("Id", "");
        EngineReply s = m_api.call("POST", "/containers/" + t.pause_id + "/start");
        EngineReply in = m_api.call("GET", "/containers/" + t.pause_id + "/json");
        std::string ip = in.body.is_object() ? in.body["NetworkSettings"].value("IPAddress", "") : "";
        if (!s.ok() || ip.empty()) {
          std::string why = "CannotStartContainerError: the task's network namespace: " + (s.ok() ? std::string("no address") : s.message());
          fail(t, why, "TaskFailedToStart");
          return why;
        }
        emit(t.arn, RuntimeEvent::Kind::task_network, "", {{"privateIpv4Address", ip}});
      } else {
        std::string why = "CannotCreateContainerError: the task's network namespace: " + r.message();
        fail(t, why, "TaskFailedToStart");
        return why;
      }
    }
    for (size_t i = 0; i < t.containers.size(); ++i) {
      ContainerRun& c = t.containers[i];
      EngineReply r = m_api.call("POST", "/containers/create?name=" + sanitize("ecsctl-" + t.task_id + "-" + c.name), create_body(t, c, i));
      if (!r.ok()) {
        std::string why = "CannotCreateContainerError: " + r.message();
        fail(t, why, "TaskFailedToStart", c.name);
        return why;
      }
      c.id = r.body.value("Id", "");
      for (const auto& w : r.body.value("Warnings", Json::array()))
        if (w.is_string() && !m_limits_warned.exchange(true)) log("the container engine warns: " + w.get<std::string>());
    }
    return {};
  }

  // After a restart: the task's containers as the engine still has them.
  std::string find_existing(TaskRun& t) {
    Json filters = {{"label", Json::array({std::string(k_label_plane) + "=" + m_opt.plane, std::string(k_label_task) + "=" + t.arn})}};
    EngineReply r = m_api.call("GET", "/containers/json?all=true&filters=" + url_encode(filters.dump()));
    std::map<std::string, Json> by_name;
    if (r.ok() && r.body.is_array())
      for (const auto& c : r.body) by_name[c.value("Labels", Json::object()).value(k_label_container, "")] = c;
    if (by_name.count("~pause")) t.pause_id = by_name["~pause"].value("Id", "");
    bool any_running = false;
    for (auto& c : t.containers) {
      auto it = by_name.find(c.name);
      if (it == by_name.end()) continue;
      c.id = it->second.value("Id", "");
      std::string state = it->second.value("State", "");
      if (state == "running") {
        c.started = true;
        any_running = true;
        start_follower(t, c);
      } else if (state == "exited") {
        c.started = true;
        start_follower(t, c);  // reads what is left and reports the exit
      }
    }
    for (auto& c : t.containers)
      if (c.id.empty())
        emit(t.arn, RuntimeEvent::Kind::container_stopped, c.name,
             {{"essential", false}, {"reason", "The container is gone from the container engine"}});
    if (!any_running) {
      std::string why = "Task stopped because its containers were gone when the local control plane restarted";
      fail(t, why, "EssentialContainerExited");
      return why;
    }
    {
      std::lock_guard tl(t.m);
      t.reported_running = std::all_of(t.containers.begin(), t.containers.end(), [](const ContainerRun& c) { return c.started; });
    }
    log("adopted task " + t.task_id);
    return {};
  }

  // Whether `c`'s dependsOn conditions hold: 1 yes, 0 not yet, -1 never.
  int deps_met(TaskRun& t, const ContainerRun& c, std::string& why) {
    for (const auto& dep : c.def.value("dependsOn", Json::array())) {
      std::string name = dep.value("containerName", ""), cond = dep.value("condition", "START");
      auto it = std::find_if(t.containers.begin(), t.containers.end(), [&](const ContainerRun& x) { return x.name == name; });
      if (it == t.containers.end()) continue;
      const ContainerRun& d = *it;
      if (cond == "START") {
        if (!d.started) return 0;
      } else if (cond == "COMPLETE") {
        if (!d.exited) return 0;
      } else if (cond == "SUCCESS") {
        if (!d.exited) return 0;
        if (d.exit_code != 0) {
          why = "dependency " + name + " of container " + c.name + " exited with code " + std::to_string(d.exit_code) + " (condition SUCCESS)";
          return -1;
        }
      } else if (cond == "HEALTHY") {
        if (d.exited) {
          why = "dependency " + name + " of container " + c.name + " exited before it was healthy (condition HEALTHY)";
          return -1;
        }
        if (d.health != "HEALTHY") return 0;
      }
    }
    return 1;
  }

  bool start_container(TaskRun& t, ContainerRun& c) {
    EngineReply r = m_api.call("POST", "/containers/" + c.id + "/start");
    if (!r.ok() && r.status != 304) {
      fail(t, "CannotStartContainerError: " + r.message(), "TaskFailedToStart", c.name);
      return false;
    }
    Json data = {{"startedAt", wall_seconds()}, {"runtimeId", c.id}};
    EngineReply in = m_api.call("GET", "/containers/" + c.id + "/json");
    // The engine may not see an OOM kill on this host (podman/runc on cgroup v1): watch the cgroup too.
    if (in.ok() && in.body.is_object() && in.body.value("HostConfig", Json::object()).value("Memory", 0L) > 0)
      c.oom = std::make_unique<OomWatch>(in.body.value("State", Json::object()).value("Pid", 0));
    if (in.ok() && t.mode == "bridge") {
      Json bindings = Json::array();
      Json ports = in.body["NetworkSettings"].value("Ports", Json::object());
      for (auto it = ports.begin(); it != ports.end(); ++it) {
        if (!it.value().is_array()) continue;
        std::string key = it.key();
        int cport = std::atoi(key.c_str());
        std::string proto = key.find("/udp") != std::string::npos ? "udp" : "tcp";
        for (const auto& b : it.value())
          bindings.push_back({{"bindIP", b.value("HostIp", "127.0.0.1")}, {"containerPort", cport},
                              {"hostPort", std::atoi(b.value("HostPort", "0").c_str())}, {"protocol", proto}});
      }
      data["networkBindings"] = bindings;
    }
    bool all_started;
    {
      std::lock_guard tl(t.m);
      c.started = true;
      all_started = !t.reported_running &&
                    std::all_of(t.containers.begin(), t.containers.end(), [](const ContainerRun& x) { return x.started; });
      if (all_started) t.reported_running = true;
    }
    log("task " + t.task_id + ": container " + c.name + " started");
    emit(t.arn, RuntimeEvent::Kind::container_started, c.name, data);
    // RUNNING before any exit of these containers can be reported.
    if (all_started) emit(t.arn, RuntimeEvent::Kind::task_running);
    start_follower(t, c);
    return true;
  }

  // Follows the container's output until it exits, then reports its exit.
  void start_follower(TaskRun& t, ContainerRun& c) {
    c.follower = std::thread([this, &t, &c] {
      std::string buffer;
      long long since = 0;
      for (int attempt = 0; attempt < 100; ++attempt) {
        std::string path = "/containers/" + c.id + "/logs?follow=true&stdout=true&stderr=true&timestamps=true";
        if (since > 0) path += "&since=" + std::to_string(since / 1000 + 1);
        m_api.stream("GET", path, [&](std::string_view chunk) {
          buffer.append(chunk);
          // Frames: 1 byte stream, 3 zero bytes, 4 bytes big-endian length, payload.
          while (buffer.size() >= 8) {
            size_t n = (static_cast<unsigned char>(buffer[4]) << 24) | (static_cast<unsigned char>(buffer[5]) << 16) |
                       (static_cast<unsigned char>(buffer[6]) << 8) | static_cast<unsigned char>(buffer[7]);
            if (buffer.size() < 8 + n) break;
            std::string line = buffer.substr(8, n);
            buffer.erase(0, 8 + n);
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
            size_t sp = line.find(' ');
            long long ts = sp == std::string::npos ? 0 : parse_time_ms(line.substr(0, sp));
            std::string msg = ts ? line.substr(sp + 1) : line;
            if (!ts) ts = static_cast<long long>(wall_seconds() * 1000);
            since = ts;
            if (m_opt.sink && !c.log_group.empty())
              m_opt.sink->append(c.log_group, c.log_stream.empty() ? c.id : c.log_stream, ts, msg);
          }
          std::lock_guard tl(t.m);
          return !t.kill_now;
        });
        EngineReply in = m_api.call("GET", "/containers/" + c.id + "/json");
        {
          std::lock_guard tl(t.m);
          if (t.kill_now) break;
        }
        if (in.ok() && in.body["State"].value("Running", false)) {  // the stream broke: follow again
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        Json data = {{"essential", c.essential}};
        int code = in.ok() ? in.body["State"].value("ExitCode", -1) : -1;
        if (code >= 0) data["exitCode"] = code;
        if (in.ok() && (in.body["State"].value("OOMKilled", false) || (code == 137 && c.oom && c.oom->oom_killed(2))))
          data["reason"] = "OutOfMemoryError: Container killed due to memory usage";
        m_stats.forget(c.id);
        if (!in.ok()) data["reason"] = "The container is gone from the container engine";
        {
          std::lock_guard tl(t.m);
          c.exited = true;
          c.exit_code = code;
          t.cv.notify_all();
        }
        log("task " + t.task_id + ": container " + c.name + " exited (code " + std::to_string(code) + ")");
        emit(t.arn, RuntimeEvent::Kind::container_stopped, c.name, data);
        return;
      }
    });
  }

  // Runs a health check now (Podman runs them only on request, without
  // systemd) or reads the engine's verdict (Docker); returns HEALTHY,
  // UNHEALTHY or UNKNOWN.
  std::string health_of(const ContainerRun& c) {
    if (m_podman) m_api.libpod("GET", "/libpod/containers/" + c.id + "/healthcheck", 120);
    EngineReply in = m_api.call("GET", "/containers/" + c.id + "/json");
    std::string s = in.ok() ? in.body["State"].value("Health", Json::object()).value("Status", "") : "";
    if (s == "healthy") return "HEALTHY";
    if (s == "unhealthy") return "UNHEALTHY";
    return "UNKNOWN";
  }

  void supervise(TaskRun& t) {
    double started = wall_seconds();
    std::unique_lock tl(t.m);
    while (!t.stop) {
      // Start what may start.
      bool progressed = false;
      for (auto& c : t.containers) {
        if (c.started || c.id.empty()) continue;
        std::string why;
        int met = deps_met(t, c, why);
        if (met < 0) {
          tl.unlock();
          fail(t, "Essential container in task exited", "EssentialContainerExited", c.name);
          log("task " + t.task_id + ": " + why);
          tl.lock();
          t.stop = true;
          break;
        }
        if (met == 0) continue;
        tl.unlock();
        bool ok = start_container(t, c);
        tl.lock();
        if (!ok) {
          t.stop = true;
          break;
        }
        progressed = true;
      }
      if (t.stop) break;
      if (!t.reported_running &&
          std::all_of(t.containers.begin(), t.containers.end(), [](const ContainerRun& c) { return c.started; })) {
        t.reported_running = true;
        tl.unlock();
        emit(t.arn, RuntimeEvent::Kind::task_running);
        tl.lock();
      }
      // Health checks that are due.
      double now = wall_seconds();
      for (auto& c : t.containers) {
        if (!c.started || c.exited || !c.def.contains("healthCheck") || now < c.next_check) continue;
        const Json& h = c.def["healthCheck"];
        double interval = static_cast<double>(h.value("interval", 30L));
        c.next_check = now + (now - started < h.value("startPeriod", 0L) ? std::min(interval, 1.0) : interval);
        if (c.next_check - now > 1 && c.health == "UNKNOWN") c.next_check = now + 1;  // settle the first verdict early
        tl.unlock();
        std::string hs = health_of(c);
        tl.lock();
        if (hs != c.health && hs != "UNKNOWN") {
          c.health = hs;
          tl.unlock();
          emit(t.arn, RuntimeEvent::Kind::container_health, c.name, {{"healthStatus", hs}});
          tl.lock();
        }
      }
      if (!progressed) t.cv.wait_for(tl, std::chrono::milliseconds(200));
    }
  }

  // Stops (SIGTERM, then SIGKILL after stopTimeout) in reverse start order, then removes.
  void teardown(TaskRun& t) {
    bool kill_now;
    {
      std::lock_guard tl(t.m);
      kill_now = t.kill_now;
    }
    for (auto it = t.containers.rbegin(); it != t.containers.rend(); ++it) {
      ContainerRun& c = *it;
      bool running;
      {
        std::lock_guard tl(t.m);
        running = c.started && !c.exited;
      }
      if (!running || kill_now) continue;
      long timeout = c.def.value("stopTimeout", 30L);
      m_api.call("POST", "/containers/" + c.id + "/stop?t=" + std::to_string(timeout), Json(), static_cast<double>(timeout) + 60);
    }
    if (kill_now) {
      std::lock_guard tl(t.m);
      t.cv.notify_all();
    }
    for (auto& c : t.containers) {
      if (kill_now && !c.id.empty()) m_api.call("DELETE", "/containers/" + c.id + "?force=true&v=true");
      if (c.follower.joinable()) c.follower.join();
    }
    for (auto& c : t.containers)
      if (!c.id.empty() && !kill_now) m_api.call("DELETE", "/containers/" + c.id + "?force=true&v=true");
    if (!t.pause_id.empty()) m_api.call("DELETE", "/containers/" + t.pause_id + "?force=true&v=true");
    std::lock_guard lock(m_ports_mutex);
    for (int p : t.host_ports) m_ports_taken.erase(p);
  }

  // The host port for a dynamic port mapping. Placement keeps ports per
  // container instance, but every simulated instance is this one host (and
  // other programs use ports too): two tasks on two instances may both have
  // been given 49153. The placement's port when no task of this runtime has
  // it and it can be bound, else the next such port of the range (the
  // container's networkBindings then report the port really used).
  int host_port_for(int wanted, bool udp) {
    std::lock_guard lock(m_ports_mutex);
    for (int p = std::max(wanted, 1); p <= 65535; ++p) {
      if (m_ports_taken.count(p) || !port_free(p, udp)) continue;
      m_ports_taken.insert(p);
      return p;
    }
    return wanted;
  }

  // One sample of each running container of a service's tasks (Docker API stats).
  void sample_stats() {
    struct Item {
      std::string cluster, group;
      Json td;
      std::vector<std::string> ids;
    };
    std::vector<Item> items;
    {
      std::lock_guard lock(m_mutex);
      for (auto& [arn, t] : m_tasks) {
        std::lock_guard tl(t->m);
        std::string group = t->task.value("group", "");
        if (!t->reported_running || t->stop || group.rfind("service:", 0) != 0) continue;
        Item item{t->task.value("clusterArn", ""), group, t->td, {}};
        for (const auto& c : t->containers)
          if (c.started && !c.exited && !c.id.empty()) item.ids.push_back(c.id);
        if (!item.ids.empty()) items.push_back(std::move(item));
      }
    }
    for (const auto& item : items) {
      EngineStats::Sample s;
      s.cpu_reserved = EngineStats::reserved_cpu_units(item.td);
      s.mem_reserved = EngineStats::reserved_memory_mib(item.td);
      double limit = 0;
      bool complete = true;
      for (const auto& id : item.ids) {
        if (m_down) return;
        EngineReply r = m_api.call("GET", "/containers/" + id + "/stats?stream=false", Json(), 10);
        double now = wall_seconds();
        std::optional<double> cpu = r.ok() ? m_stats.cpu_units(id, r.body, now) : std::nullopt;
        if (!cpu) {
          complete = false;  // a first reading (or none): no figure yet
          continue;
        }
        s.time = now;
        s.cpu_used += *cpu;
        s.mem_used += EngineStats::memory_mib(r.body);
        limit += r.body.value("memory_stats", Json::object()).value("limit", 0.0) / (1024.0 * 1024.0);
      }
      if (!complete) continue;
      if (s.mem_reserved <= 0) s.mem_reserved = limit;
      m_stats.add(item.cluster, item.group, s);
    }
  }

  EngineOptions m_opt;
  EngineApi m_api;
  EngineStats m_stats;
  std::thread m_sampler;
  std::string m_version;
  bool m_podman = false;
  std::atomic<bool> m_down{false};
  std::atomic<bool> m_limits_warned{false};
  std::thread m_keepalive;
  std::mutex m_mutex;
  std::vector<RuntimeEvent> m_events;
  std::map<std::string, std::shared_ptr<TaskRun>> m_tasks;
  std::mutex m_ports_mutex;
  std::set<int> m_ports_taken;  // dynamic host ports of this runtime's running tasks
};

}  // namespace

std::unique_ptr<Runtime> make_engine_runtime(EngineOptions options) {
  return std::make_unique<EngineRuntime>(std::move(options));
}

}  // namespace ecsctl::local
