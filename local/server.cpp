// The ecsctl-local server: HTTP front end (cpp-httplib), request
// authentication, logging, control endpoints and the engine thread.
#include "local/server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "client/sigv4.hpp"
#include "core/error.hpp"
#include "core/state_lock.hpp"
#include "local/cloudwatch.hpp"
#include "local/engine_images.hpp"
#include "local/ecs_shared.hpp"
#include "local/account.hpp"
#include "local/events_services.hpp"
#include "local/router.hpp"
#include "local/logs_ecs.hpp"
#include "local/logs.hpp"
#include "local/runtime_select.hpp"
#include "local/store.hpp"
#include "local/tls_certs.hpp"

namespace fs = std::filesystem;

namespace ecsctl::local {

namespace {

std::string random_string(const char* alphabet, size_t n) {
  std::random_device rd;
  std::string a(alphabet), out;
  std::uniform_int_distribution<size_t> pick(0, a.size() - 1);
  for (size_t i = 0; i < n; ++i) out += a[pick(rd)];
  return out;
}


void write_private(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n <= 0) { ::close(fd); throw std::runtime_error("cannot write " + path); }
    off += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0600);
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class Log {
 public:
  explicit Log(const std::string& path) : m_file(std::fopen(path.c_str(), "a")) {}
  ~Log() { if (m_file) std::fclose(m_file); }
  void line(const std::string& text) {
    if (!m_file) return;
    std::lock_guard lock(m_mutex);
    std::fprintf(m_file, "%s %s\n", iso_now().c_str(), text.c_str());
    std::fflush(m_file);
  }

 private:
  std::FILE* m_file;
  std::mutex m_mutex;
};

HttpRequest from_httplib(const httplib::Request& r) {
  HttpRequest out;
  out.method = r.method;
  out.target = r.target;
  out.path = r.target.substr(0, r.target.find('?'));
  // The query from the target: httplib also puts form-encoded POST bodies in r.params,
  // which SigV4 must not see as query parameters.
  if (auto q = r.target.find('?'); q != std::string::npos) {
    httplib::Params params;
    httplib::detail::parse_query_text(r.target.substr(q + 1), params);
    for (const auto& [k, v] : params) out.query.emplace_back(k, v);
  }
  for (const auto& [k, v] : r.headers) out.headers.emplace_back(k, v);
  out.body = r.body;
  return out;
}

// The region of the Authorization header's credential scope
// ("Credential=AK/date/REGION/service/aws4_request"), or "" when absent.
std::string signing_region(std::string_view auth) {
  std::size_t c = auth.find("Credential=");
  if (c == std::string_view::npos) return {};
  std::string_view cred = auth.substr(c + 11);
  cred = cred.substr(0, cred.find_first_of(", "));
  for (int skip = 0; skip < 2; ++skip) {
    std::size_t slash = cred.find('/');
    if (slash == std::string_view::npos) return {};
    cred.remove_prefix(slash + 1);
  }
  return std::string(cred.substr(0, cred.find('/')));
}

// Verifies the signature, and that it is scoped to the region this server
// serves: like an AWS regional endpoint, the plane keeps one region's state
// and refuses requests signed for another, with the error AWS gives then
// (InvalidSignatureException for JSON protocols, SignatureDoesNotMatch for
// the query protocol), never answering with another region's ARNs.
std::optional<HttpResponse> authenticate(const HttpRequest& req, const LocalKeys& keys, const std::string& region) {
  bool query = req.header("X-Amz-Target").empty();
  auto refuse = [&](int status, const std::string& code, const std::string& msg) {
    if (!query) return json_error(status, code, msg);
    HttpResponse r;
    r.status = status;
    r.content_type = "text/xml";
    r.body = "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + msg +
             "</Message></Error><RequestId>" + random_string("0123456789abcdef", 32) + "</RequestId></ErrorResponse>";
    // The EC2 protocol's errors are <Response><Errors><Error>.
    if (req.body.find("Version=2016-11-15") != std::string::npos)
      r.body = "<Response><Errors><Error><Code>" + code + "</Code><Message>" + msg + "</Message></Error></Errors><RequestID>" +
               random_string("0123456789abcdef", 32) + "</RequestID></Response>";
    return r;
  };
  std::string auth = req.header("Authorization");
  if (auth.empty()) return refuse(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  sigv4::Request sr{req.method, req.path, req.query, req.headers, req.body};
  auto v = sigv4::verify(sr, [&](std::string_view key) -> std::optional<std::string> {
    if (key == keys.access_key_id) return keys.secret_access_key;
    return std::nullopt;
  }, std::chrono::system_clock::now());
  if (v.ok) {
    std::string scoped = signing_region(auth);
    if (scoped == region) return std::nullopt;
    // IAM is global: its endpoint takes requests signed for us-east-1 whatever
    // the plane's region.
    if (scoped == "us-east-1" && auth.find("/us-east-1/iam/aws4_request") != std::string::npos) return std::nullopt;
    return refuse(403, query ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                  "Credential should be scoped to a valid region, not '" + scoped + "'. ");
  }
  if (v.error_code.empty())  // every refusal of sigv4::verify names its error; never accept without one
    return refuse(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
  return refuse(v.http_status, v.error_code, v.message);
}

// Takes the state directory's lock for the life of the process (the descriptor
// is never closed; O_CLOEXEC keeps it out of child processes).
void lock_state_dir(const std::string& dir) {
  std::string path = dir + "/" + k_state_lock_file;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(Exit::config, "cannot open " + path + ": " + std::strerror(errno));
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &fl) == 0) return;
  int err = errno;
  ::close(fd);
  if (err != EAGAIN && err != EACCES) throw Error(Exit::config, "cannot lock " + path + ": " + std::strerror(err));
  long pid = state_lock_holder(dir);
  throw Error(Exit::config,
              "another ecsctl-local" + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                  " already serves the state directory " + dir,
              {}, "stop it with 'ecsctl local down --state " + dir + "', or give another --state");
}

}  // namespace

LocalKeys load_or_create_keys(const std::string& dir) {
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  std::string path = dir + "/credentials.json";
  std::ifstream in(path);
  if (in) {
    Json j = Json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("accessKeyId") && j.contains("secretAccessKey") && j.contains("controlToken"))
      return {j["accessKeyId"], j["secretAccessKey"], j["controlToken"]};
  }
  LocalKeys k;
  k.access_key_id = "AKIA" + random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  k.secret_access_key = random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
  k.control_token = random_string("0123456789abcdef", 40);
  write_private(path, Json{{"accessKeyId", k.access_key_id}, {"secretAccessKey", k.secret_access_key},
                           {"controlToken", k.control_token}}.dump(2) + "\n");
  return k;
}

void write_ini_section(const std::string& path, const std::string& header,
                       const std::vector<std::pair<std::string, std::string>>& body) {
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  auto is_header = [](const std::string& l) {
    size_t i = l.find_first_not_of(" \t");
    return i != std::string::npos && l[i] == '[';
  };
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  std::vector<std::string> section{"[" + header + "]"};
  for (const auto& [k, v] : body) section.push_back(k + " = " + v);
  std::vector<std::string> out;
  bool replaced = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]) == "[" + header + "]") {
      size_t j = i + 1;
      while (j < lines.size() && !is_header(lines[j])) ++j;
      if (!replaced) out.insert(out.end(), section.begin(), section.end());
      if (j < lines.size()) out.push_back("");
      replaced = true;
      i = j - 1;
      continue;
    }
    out.push_back(lines[i]);
  }
  if (!replaced) {
    if (!out.empty() && !trim(out.back()).empty()) out.push_back("");
    out.insert(out.end(), section.begin(), section.end());
  }
  std::string text;
  for (const auto& l : out) text += l + "\n";
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  write_private(path, text);
}

// The engine runtime's container output, one CloudWatch Logs event per line,
// into the group and stream the awslogs driver would use (the group is
// created when missing, as with awslogs-create-group).
struct CloudWatchLogSink : LogSink {
  LogWriter writer;
  CloudWatchLogSink(Logs& logs, Store& store, std::mutex& state_mutex) : writer(logs, store, state_mutex) {}
  void append(const std::string& group, const std::string& stream, long long timestamp_ms,
              const std::string& message) override {
    writer.write(group, stream, {Logs::Event{timestamp_ms, message}}, true);
  }
};

int run_server(const ServerOptions& opt) {
  // Block the stop signals in every thread; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  LocalKeys keys = load_or_create_keys(opt.state_dir);
  lock_state_dir(opt.state_dir);
  Log log(opt.state_dir + "/server.log");
  Store store(opt.state_dir + "/state.db");
  Ecs ecs(store, opt.region, k_local_account, opt.pace);
  ecs.set_stopped_task_ttl(opt.stopped_task_ttl);
  Router router;
  router.set_transaction([&] { return store.stage(); }, [&] { store.rollback(); }, [&](long n) { store.flush(n); });
  ecs.register_operations(router);
  ExtraServices extra(store, ecs, router, opt.region, k_local_account, opt.pace);  // ELBv2, EventBridge, Scheduler
  AccountServices account(store, router, opt.region, k_local_account);  // Secrets Manager, SSM, IAM, EC2, ECR

  // The runtime: a container engine if one answers (or is required), else simulated.
  auto log_line = [&log](const std::string& l) { log.line(l); };
  EngineChoice engine_choice = choose_engine({opt.runtime, opt.engine_socket, opt.state_dir}, log_line);
  // Containers' awslogs output goes into the plane's CloudWatch Logs (local/logs.hpp); the
  // simulated runtime writes a line there when a container starts and stops instead.
  CloudWatchLogSink log_sink(extra.logs(), store, router.state_mutex());
  EngineOptions engine_options{engine_choice.socket, opt.state_dir, &log_sink, log_line};
  // Task secrets and registry credentials from the plane's Secrets Manager and SSM.
  engine_options.resolve_secret = [&account, &router](const std::string& value_from) {
    std::lock_guard lock(router.state_mutex());
    return resolve_secret_value(account.context(), value_from);
  };
  std::unique_ptr<Runtime> runtime = engine_choice.socket.empty() ? make_simulated_runtime(engine_choice.why)
                                                                  : make_engine_runtime(std::move(engine_options));
  if (runtime->is_engine()) {
    // ECR also finds the engine's images named localhost/REPO:TAG.
    account.context().engine_images = [api = EngineApi(engine_choice.socket), &account](const std::string& repo) {
      return engine_ecr_images(api, repo, account.context().account);
    };
  }
  ecs.set_runtime(runtime.get());
  if (runtime->is_engine()) extra.elbv2().set_tasks_reachable(true);  // real addresses: real health checks
  else connect_simulated_logs(ecs, store, extra.logs());
  {
    std::lock_guard lock(router.state_mutex());
    ecs.adopt_tasks();
    store.commit();
  }
  CloudWatch cloudwatch(store);  // GetMetricData
  if (runtime->is_engine())  // the engine's container statistics, not flat figures
    cloudwatch.set_stats([rt = runtime.get()](const Json& service, const std::string& metric, double from, double to) {
      return rt->service_metric(service, metric, from, to);
    }, /*flat_fallback=*/false);
  cloudwatch.register_operations(router);

  // With --tls: HTTPS with the state directory's CA and server certificate.
  std::unique_ptr<httplib::Server> server;
  std::string ca_bundle;
  if (opt.tls) {
    TlsFiles files = ensure_tls_files(opt.state_dir);
    auto ssl = std::make_unique<httplib::SSLServer>(files.server_cert.c_str(), files.server_key.c_str());
    if (!ssl->is_valid())
      throw Error(Exit::config, "cannot serve HTTPS with " + files.server_cert + " and " + files.server_key,
                  {}, "remove them to have new ones made, or check that the key matches the certificate");
    server = std::move(ssl);
    ca_bundle = fs::absolute(files.ca_cert).lexically_normal().string();
  } else {
    server = std::make_unique<httplib::Server>();
  }
  httplib::Server& svr = *server;
  svr.new_task_queue = [] { return new httplib::ThreadPool(8); };
  svr.set_keep_alive_max_count(1000000);
  // httplib writes a response's headers and body in separate sends; without
  // TCP_NODELAY, Nagle's algorithm holds the body until the client's delayed ACK
  // (40 ms on Linux), which capped keep-alive clients at ~25 requests/s each.
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_timeout(60);
  svr.set_payload_max_length(16 * 1024 * 1024);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, with which a
  // second server could bind a port another one is listening on.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  std::atomic<bool> running{true};

  auto control = [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Ecsctl-Control") != keys.control_token) {
      res.status = 403;
      res.set_content(Json{{"__type", "AccessDeniedException"}, {"message", "Invalid control token"}}.dump(), "application/json");
      return;
    }
    std::string action = req.path.substr(std::string("/_ecsctl/local/").size());
    Json body = Json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (!body.is_object()) body = Json::object();
    Json out;
    try {
      std::lock_guard lock(router.state_mutex());
      if (action == "status") {
        out = {{"endpoint", std::string(opt.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(opt.port)}, {"pid", getpid()}, {"stateDir", opt.state_dir},
               {"region", opt.region}, {"pace", opt.pace == Pace::fast ? "fast" : "real"}, {"counts", ecs.counts()},
               {"loadBalancerListeners", extra.elbv2().listener_endpoints()}};
        Json rt = runtime->describe();
        for (auto it = rt.begin(); it != rt.end(); ++it) out[it.key()] = it.value();
      } else if (action == "reset") {
        store.clear();
        store.commit();
        out = {{"reset", true}};
      } else if (action == "add-instances") {
        out = {{"containerInstances", Json::array()}};
        Json in = {{"cluster", body.value("cluster", "default")}};
        Json attrs = Json::array();
        const Json given = body.value("attributes", Json::object());
        for (auto it = given.begin(); it != given.end(); ++it)
          attrs.push_back({{"name", it.key()}, {"value", it.value()}});
        in["attributes"] = attrs;
        in["totalResources"] = {{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", body.value("cpu", 2048)}},
                                {{"name", "MEMORY"}, {"type", "INTEGER"}, {"integerValue", body.value("memory", 3943)}}};
        long count = body.value("count", 1L);
        Json zones = body.value("zones", Json::array());
        for (long i = 0; i < count; ++i) {
          Json doc = {{"instanceType", body.value("instanceType", "t3.medium")}};
          if (!zones.empty()) doc["availabilityZone"] = zones[static_cast<size_t>(i) % zones.size()];
          else doc["availabilityZone"] = opt.region + static_cast<char>('a' + i % 3);
          in["instanceIdentityDocument"] = doc.dump();
          out["containerInstances"].push_back(ecs.register_container_instance(in)["containerInstance"]);
        }
        store.commit();
      } else {
        res.status = 404;
        res.set_content(Json{{"__type", "UnknownOperationException"},
                             {"message", "ecsctl-local has no control action '" + action + "'"}}
                            .dump(-1, ' ', false, Json::error_handler_t::replace),
                        "application/json");
        return;
      }
    } catch (const ApiError& e) {
      store.rollback();
      res.status = e.status;
      res.set_content(Json{{"__type", e.code}, {"message", e.what()}}.dump(), "application/json");
      return;
    } catch (const std::exception& e) {
      store.rollback();
      res.status = 400;
      res.set_content(Json{{"__type", "InvalidParameterException"}, {"message", e.what()}}.dump(), "application/json");
      return;
    }
    res.set_content(out.dump(), "application/json");
  };
  svr.Post(R"(/_ecsctl/local/.*)", control);

  auto handle = [&](const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    HttpRequest r = from_httplib(req);
    std::string id = request_id();
    auto refused = authenticate(r, keys, opt.region);
    HttpResponse out = refused ? *refused : router.dispatch(r);
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    res.set_header("x-amzn-RequestId", id);
    res.set_content(out.body, out.content_type);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::ostringstream line;
    // The operation comes from the client's headers: only printable ASCII reaches the log.
    std::string op = Router::operation_of(r);
    for (auto& c : op)
      if (c < 0x20 || c > 0x7e) c = '?';
    if (op.size() > 200) op.resize(200);
    line << op << " " << out.status << " " << std::fixed;
    line.precision(2);
    line << ms << "ms";
    log.line(line.str());
  };
  svr.Post(".*", handle);
  svr.Get(".*", handle);
  svr.Put(".*", handle);
  svr.Delete(".*", handle);
  svr.Patch(".*", handle);

  if (!svr.bind_to_port("127.0.0.1", opt.port))
    throw Error(Exit::config, "cannot listen on 127.0.0.1:" + std::to_string(opt.port) + ": the port is in use", {},
                "choose another one with --port");
  std::string endpoint = std::string(opt.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(opt.port);
  if (!opt.config_file.empty()) {
    std::vector<std::pair<std::string, std::string>> profile = {
        {"region", opt.region}, {"endpoint_url", endpoint}, {"output", "json"}};
    if (!ca_bundle.empty()) profile.emplace_back("ca_bundle", ca_bundle);
    write_ini_section(opt.config_file, "profile local", profile);
  }
  if (!opt.credentials_file.empty())
    write_ini_section(opt.credentials_file, "local", {{"aws_access_key_id", keys.access_key_id},
                                                      {"aws_secret_access_key", keys.secret_access_key}});
  Json server_json{{"pid", getpid()}, {"port", opt.port}, {"endpoint", endpoint}, {"region", opt.region}};
  if (!ca_bundle.empty()) server_json["caBundle"] = ca_bundle;
  write_private(opt.state_dir + "/server.json", server_json.dump() + "\n");
  log.line("listening on " + endpoint + " (pace " + (opt.pace == Pace::fast ? "fast" : "real") + ", runtime " +
           runtime->name() + (engine_choice.socket.empty() ? ": " + engine_choice.why : " at " + engine_choice.socket) + ")");
  std::fprintf(stderr, "ecsctl-local: listening on %s (pid %ld, state directory %s); Ctrl-C or 'ecsctl local down' stops it\n",
               endpoint.c_str(), static_cast<long>(getpid()), opt.state_dir.c_str());
  std::fflush(stderr);
  // ELBv2 listeners as real proxies, and real health checks (local/lb_proxy.hpp).
  extra.elbv2().start_runtime([&log](const std::string& line) { log.line(line); });

  std::thread engine([&] {
    auto period = std::chrono::milliseconds(opt.pace == Pace::fast ? 2 : 100);
    while (running) {
      std::this_thread::sleep_for(period);
      try {
        long batch = 0;
        {
          std::lock_guard lock(router.state_mutex());
          try {
            ecs.tick();
            extra.tick();
            batch = store.stage();
          } catch (...) {
            store.rollback();
            throw;
          }
        }
        store.flush(batch);
      } catch (const std::exception& e) {
        log.line(std::string("engine error: ") + e.what());
      }
    }
  });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    running = false;
    svr.stop();
  });
  svr.listen_after_bind();
  running = false;
  engine.join();
  // Wake the signal thread if the server stopped for another reason.
  if (waiter.joinable()) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  // `local down`: every container of the plane is stopped and removed.
  runtime->shutdown();
  ecs.set_runtime(nullptr);
  stop_podman(engine_choice, opt.state_dir);
  std::error_code ec;
  fs::remove(opt.state_dir + "/server.json", ec);
  log.line("stopped");
  return static_cast<int>(Exit::ok);
}

}  // namespace ecsctl::local
