// Listeners as real proxies on 127.0.0.1 and real target health checks.
#include "local/lb_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace ecsctl::local {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

bool parse_int(const std::string& s, int& out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoi(s);
  return true;
}

// Opens a TCP connection to host:port within `timeout` seconds: the socket, or
// -1 with `timed_out` telling a timeout from a refusal.
int connect_with_timeout(const std::string& host, long port, double timeout, bool& timed_out) {
  timed_out = false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return -1;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) {
      ::close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int r = ::poll(&p, 1, static_cast<int>(timeout * 1000));
    int err = 0;
    socklen_t len = sizeof err;
    if (r <= 0) {
      timed_out = r == 0;
      ::close(fd);
      return -1;
    }
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      ::close(fd);
      return -1;
    }
  }
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Copies bytes both ways between two connected sockets until both sides have
// closed (a half-close is passed on), then closes them.
void pump(int a, int b) {
  bool a_open = true, b_open = true;
  char buf[16384];
  while (a_open || b_open) {
    pollfd p[2] = {{a, static_cast<short>(a_open ? POLLIN : 0), 0}, {b, static_cast<short>(b_open ? POLLIN : 0), 0}};
    if (::poll(p, 2, 60000) <= 0) break;  // idle for 60 s, as NLB's idle timeout is longer; enough locally
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = i == 0 ? a : b, to = i == 0 ? b : a;
      ssize_t n = ::recv(from, buf, sizeof buf, 0);
      if (n <= 0) {
        (i == 0 ? a_open : b_open) = false;
        ::shutdown(to, SHUT_WR);
        if (n < 0) a_open = b_open = false;
        continue;
      }
      for (ssize_t sent = 0; sent < n;) {
        ssize_t w = ::send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) {
          a_open = b_open = false;
          break;
        }
        sent += w;
      }
    }
  }
  ::close(a);
  ::close(b);
}

std::string status_page(int status) {
  const char* text = status == 502 ? "502 Bad Gateway"
                     : status == 504 ? "504 Gateway Time-out"
                     : status == 501 ? "501 Not Implemented"
                                     : "503 Service Temporarily Unavailable";
  return std::string("<html>\r\n<head><title>") + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
         "</h1></center>\r\n</body>\r\n</html>\r\n";
}

bool hop_by_hop(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" || n == "proxy-authenticate" ||
         n == "proxy-authorization" || n == "te" || n == "trailer" || n == "transfer-encoding" || n == "upgrade" ||
         n == "content-length" || n == "accept-encoding" || n == "remote_addr" || n == "remote_port" ||
         n == "local_addr" || n == "local_port";
}

std::string trace_id() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static const char* k_hex = "0123456789abcdef";
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08lx", static_cast<unsigned long>(::time(nullptr)));
  std::string out = std::string("Root=1-") + epoch + "-";
  for (int i = 0; i < 24; ++i) out += k_hex[rng() & 15];
  return out;
}

bool ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

}  // namespace

bool http_code_matches(const std::string& matcher, int code) {
  for (const auto& part : split(matcher, ',')) {
    std::string p = trim(part);
    size_t dash = p.find('-');
    int lo = 0, hi = 0;
    if (dash == std::string::npos) {
      if (parse_int(p, lo) && lo == code) return true;
    } else if (parse_int(trim(p.substr(0, dash)), lo) && parse_int(trim(p.substr(dash + 1)), hi) && code >= lo &&
               code <= hi) {
      return true;
    }
  }
  return false;
}

void record_check(LbTargetHealth& h, const LbCheckResult& r, int healthy_threshold, int unhealthy_threshold) {
  if (r.ok) {
    ++h.successes;
    h.failures = 0;
    if (h.state != "healthy" && h.successes >= std::max(1, healthy_threshold)) {
      h.state = "healthy";
      h.reason.clear();
      h.description.clear();
    }
  } else {
    ++h.failures;
    h.successes = 0;
    if (h.failures >= std::max(1, unhealthy_threshold) || h.state == "unhealthy") {
      h.state = "unhealthy";
      h.reason = r.reason;
      h.description = r.description;
    }
  }
  if (h.state == "initial") {
    h.reason = "Elb.InitialHealthChecking";
    h.description = "Initial health checks in progress";
  }
}

LbCheckResult run_health_check(const std::string& host, long port, const std::string& protocol,
                               const std::string& path, const std::string& matcher, double timeout) {
  auto failed = [](const char* reason, std::string description) {
    return LbCheckResult{false, reason, std::move(description)};
  };
  auto start = Clock::now();
  bool timed_out = false;
  int fd = connect_with_timeout(host, port, timeout, timed_out);
  if (fd < 0) return timed_out ? failed("Target.Timeout", "Request timed out") : failed("Target.FailedHealthChecks", "Health checks failed");
  if (protocol != "HTTP" && protocol != "HTTPS") {
    ::close(fd);
    return {true, "", ""};
  }
  ::close(fd);
  double left = std::max(0.05, timeout - seconds_since(start));
  auto usec = [](double s) { return static_cast<time_t>((s - static_cast<double>(static_cast<time_t>(s))) * 1e6); };
  std::unique_ptr<httplib::ClientImpl> cli;
  if (protocol == "HTTPS") {
    auto ssl = std::make_unique<httplib::SSLClient>(host, static_cast<int>(port));
    ssl->enable_server_certificate_verification(false);  // as ELBv2: targets' certificates are not checked
    cli = std::move(ssl);
  } else {
    cli = std::make_unique<httplib::ClientImpl>(host, static_cast<int>(port));
  }
  cli->set_connection_timeout(static_cast<time_t>(left), usec(left));
  cli->set_read_timeout(static_cast<time_t>(left), usec(left));
  cli->set_write_timeout(static_cast<time_t>(left), usec(left));
  cli->set_keep_alive(false);
  cli->set_decompress(false);
  httplib::Headers headers = {{"User-Agent", "ELB-HealthChecker/2.0"}, {"Accept-Encoding", "identity"}};
  auto res = cli->Get(path.empty() ? "/" : path, headers);
  if (!res) {
    if (seconds_since(start) >= timeout * 0.9) return failed("Target.Timeout", "Request timed out");
    return failed("Target.FailedHealthChecks", "Health checks failed");
  }
  if (!http_code_matches(matcher.empty() ? "200" : matcher, res->status))
    return failed("Target.ResponseCodeMismatch", "Health checks failed with these codes: [" + std::to_string(res->status) + "]");
  return {true, "", ""};
}

std::pair<int, int> bind_listener_port(int port) {
  std::vector<int> candidates = {port};
  if (port < 1024) candidates.push_back(port + 8000);
  candidates.push_back(0);
  for (int c : candidates) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {-1, 0};
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(c));
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 128) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      return {fd, ntohs(addr.sin_port)};
    ::close(fd);
  }
  return {-1, 0};
}

namespace {

struct Listener {
  std::string arn, protocol;
  long port = 0;
  int bound = 0;
  int fd = -1;  // TCP listeners
  std::unique_ptr<httplib::Server> http;
  std::atomic<bool> stop{false}, done{false};
  std::thread thread;
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

struct Prober {
  std::atomic<bool> stop{false}, done{false};
  std::thread thread;
};

}  // namespace

struct LbRuntime::Shared {
  bool fast = false;
  double factor = 1;
  std::function<void(const std::string&)> log;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool changed = false;
  Json config = Json::object();
  std::map<std::string, LbTargetHealth> health;
  std::map<std::string, unsigned long> turn;  // round-robin position per listener / target group
  std::map<std::string, std::shared_ptr<Listener>> listeners;
  std::map<std::string, std::shared_ptr<Prober>> probers;
};

namespace {

using SharedPtr = std::shared_ptr<LbRuntime::Shared>;

// Where a request or connection of a listener goes: host:port, or an HTTP
// status to answer with (503 no target, 502 no address, 501 an action not
// served), or a fixed response.
struct Pick {
  std::string host;
  long port = 0;
  int status = 0;
  Json fixed;  // a fixed-response action's FixedResponseConfig
};

// ELBv2's wildcard match: `*` any run of characters, `?` one; case-insensitive for hosts.
bool wildcard_match(const std::string& pattern, const std::string& text, bool fold) {
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  auto eq = [fold](char a, char b) { return fold ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b; };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || eq(pattern[p], text[t]))) ++p, ++t;
    else if (p < pattern.size() && pattern[p] == '*') star = p++, mark = t;
    else if (star != std::string::npos) p = star + 1, t = ++mark;
    else return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Whether a listener rule's conditions all hold for the request. Only
// path-pattern and host-header are evaluated; a rule with another condition
// never matches (the plane does not route by it).
bool rule_matches(const Json& conditions, const std::string& host, const std::string& path) {
  for (const auto& c : conditions) {
    std::string field = c.value("Field", "");
    if (field != "path-pattern" && field != "host-header") return false;
    std::string subject = field == "path-pattern" ? path : host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
    bool any = false;
    for (const auto& v : c.value("Values", Json::array()))
      any |= v.is_string() && wildcard_match(v.get<std::string>(), subject, field == "host-header");
    if (!any) return false;
  }
  return true;
}

Pick pick(const SharedPtr& sh, const std::string& listener_arn, const std::string* host = nullptr,
          const std::string* path = nullptr) {
  std::lock_guard lock(sh->mu);
  Pick p;
  p.status = 503;
  static const Json k_none = Json::array();
  auto member = [](const Json& j, const char* name) -> const Json& {
    auto it = j.find(name);
    return it == j.end() ? k_none : *it;
  };
  const Json& config = sh->config;
  const Json* listener = nullptr;
  for (const auto& l : member(config, "listeners"))
    if (l.value("arn", "") == listener_arn) listener = &l;
  if (!listener) return p;
  // The first rule (by priority) whose conditions hold, else the default
  // actions; of those, the first by Order (ELBv2 runs the lowest first).
  const Json* actions = &member(*listener, "actions");
  if (host && path)
    for (const auto& r : member(*listener, "rules"))
      if (rule_matches(member(r, "conditions"), *host, *path)) {
        actions = &member(r, "actions");
        break;
      }
  const Json* action = nullptr;
  for (const auto& a : *actions)
    if (!action || a.value("Order", 50000L) < action->value("Order", 50000L)) action = &a;
  if (!action) return p;
  std::string type = action->value("Type", "");
  if (type == "fixed-response") {
    p.status = 0;
    p.fixed = action->value("FixedResponseConfig", Json::object());
    return p;
  }
  if (type != "forward") {
    p.status = 501;  // redirect and authentication actions are not served locally
    return p;
  }
  // The target group: by weight when the action forwards to several.
  std::vector<std::pair<std::string, long>> groups;
  for (const auto& g : action->value("ForwardConfig", Json::object()).value("TargetGroups", Json::array()))
    groups.emplace_back(g.value("TargetGroupArn", ""), g.value("Weight", 1L));
  if (groups.empty() && action->contains("TargetGroupArn")) groups.emplace_back(action->value("TargetGroupArn", ""), 1L);
  long total = 0;
  for (const auto& g : groups) total += std::max(0L, g.second);
  if (groups.empty() || total == 0) return p;
  long slot = static_cast<long>(sh->turn[listener_arn]++ % static_cast<unsigned long>(total));
  std::string tg_arn;
  for (const auto& g : groups) {
    slot -= std::max(0L, g.second);
    if (slot < 0) {
      tg_arn = g.first;
      break;
    }
  }
  auto gs = config.find("groups");
  if (gs == config.end()) return p;
  auto gi = gs->find(tg_arn);
  if (gi == gs->end()) return p;
  const Json& g = *gi;
  std::vector<const Json*> live, healthy;
  for (const auto& t : member(g, "targets")) {
    if (t.value("draining", false)) continue;
    live.push_back(&t);
    std::string state = t.value("state", "");
    if (!t.value("address", "").empty()) {
      auto h = sh->health.find(t.value("key", ""));
      state = h == sh->health.end() ? "initial" : h->second.state;
      if (!g.value("checks", false)) state = "healthy";
    }
    if (state == "healthy") healthy.push_back(&t);
  }
  if (live.empty()) return p;  // 503: no registered target
  // Fail open as ELBv2 does: with no healthy target, every registered one gets traffic.
  const auto& pool = healthy.empty() ? live : healthy;
  const Json& t = *pool[sh->turn[tg_arn]++ % pool.size()];
  p.host = t.value("address", "");
  if (p.host.empty() && ipv4(t.value("id", ""))) p.host = t.value("id", "");
  p.port = t.value("port", 0L);
  p.status = p.host.empty() ? 502 : 0;
  return p;
}

void probe(const SharedPtr& sh, const std::string& key, const std::shared_ptr<Prober>& self) {
  while (true) {
    std::string host, protocol, path, matcher;
    long port = 0;
    double interval = 30, timeout = 5;
    int healthy = 5, unhealthy = 2;
    {
      std::lock_guard lock(sh->mu);
      if (sh->stop || self->stop) break;
      bool found = false;
      const Json groups = sh->config.value("groups", Json::object());
      for (const auto& [arn, g] : groups.items()) {
        for (const auto& t : g.value("targets", Json::array())) {
          if (t.value("key", "") != key) continue;
          found = true;
          host = t.value("address", "");
          port = t.value("port", 0L);
          std::string hc_port = g.value("hcPort", "traffic-port");
          if (hc_port != "traffic-port") port = std::atol(hc_port.c_str());
          protocol = g.value("hcProtocol", "HTTP");
          path = g.value("hcPath", "/");
          matcher = g.value("matcher", "200");
          interval = g.value("interval", 30.0);
          timeout = g.value("timeout", 5.0);
          healthy = g.value("healthy", 5);
          unhealthy = g.value("unhealthy", 2);
        }
      }
      if (!found) break;
    }
    if (sh->fast) {
      interval = std::max(interval / sh->factor, 0.25);
      timeout = std::min(timeout, std::max(timeout / sh->factor, 1.0));
    }
    LbCheckResult r = run_health_check(host, port, protocol, path, matcher, timeout);
    std::unique_lock lock(sh->mu);
    if (sh->stop || self->stop) break;
    record_check(sh->health[key], r, healthy, unhealthy);
    sh->cv.wait_for(lock, std::chrono::duration<double>(interval), [&] { return sh->stop || self->stop.load(); });
  }
  self->done = true;
}

void serve_http(const SharedPtr& sh, const std::shared_ptr<Listener>& l) {
  l->http = std::make_unique<httplib::Server>();
  httplib::Server& svr = *l->http;
  svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
  // Only SO_REUSEADDR: httplib's default adds SO_REUSEPORT, with which two
  // planes could both bind the same listener port.
  svr.set_socket_options([](socket_t sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  svr.set_keep_alive_timeout(60);
  svr.set_payload_max_length(64 * 1024 * 1024);
  std::string arn = l->arn;
  long port = l->port;
  auto handler = [sh, arn, port](const httplib::Request& req, httplib::Response& res) {
    const std::string host = req.get_header_value("Host");
    Pick p = pick(sh, arn, &host, &req.path);
    res.set_header("Server", "awselb/2.0");
    if (p.fixed.is_object()) {
      res.status = std::atoi(p.fixed.value("StatusCode", "200").c_str());
      res.set_content(p.fixed.value("MessageBody", ""), p.fixed.value("ContentType", "text/plain").c_str());
      return;
    }
    if (p.status) {
      res.status = p.status;
      res.set_content(status_page(p.status), "text/html");
      return;
    }
    httplib::Client cli(p.host, static_cast<int>(p.port));
    cli.set_connection_timeout(10, 0);
    cli.set_read_timeout(60, 0);
    cli.set_write_timeout(60, 0);
    cli.set_keep_alive(false);
    cli.set_decompress(false);
    httplib::Request out;
    out.method = req.method;
    out.path = req.target.empty() ? req.path : req.target;
    std::string forwarded_for;
    for (const auto& [k, v] : req.headers) {
      if (hop_by_hop(k)) continue;
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "x-forwarded-for") {
        forwarded_for = v;
        continue;
      }
      if (lower == "x-forwarded-proto" || lower == "x-forwarded-port" || lower == "x-amzn-trace-id") continue;
      out.headers.emplace(k, v);
    }
    out.headers.emplace("X-Forwarded-For", forwarded_for.empty() ? req.remote_addr : forwarded_for + ", " + req.remote_addr);
    out.headers.emplace("X-Forwarded-Proto", "http");
    out.headers.emplace("X-Forwarded-Port", std::to_string(port));
    out.headers.emplace("X-Amzn-Trace-Id", trace_id());
    out.body = req.body;
    if (!req.body.empty() && !out.has_header("Content-Type")) out.headers.emplace("Content-Type", "application/octet-stream");
    auto start = Clock::now();
    auto r = cli.send(out);
    if (!r) {
      int status = r.error() == httplib::Error::Read && seconds_since(start) >= 59 ? 504 : 502;
      res.status = status;
      res.set_content(status_page(status), "text/html");
      return;
    }
    res.status = r->status;
    res.headers.erase("Server");
    for (const auto& [k, v] : r->headers)
      if (!hop_by_hop(k)) res.headers.emplace(k, v);
    res.body = std::move(r->body);
  };
  svr.Get(".*", handler);
  svr.Post(".*", handler);
  svr.Put(".*", handler);
  svr.Delete(".*", handler);
  svr.Patch(".*", handler);
  svr.Options(".*", handler);
  std::vector<int> candidates = {static_cast<int>(l->port)};
  if (l->port < 1024) candidates.push_back(static_cast<int>(l->port) + 8000);
  for (int c : candidates)
    if (svr.bind_to_port("127.0.0.1", c)) {
      l->bound = c;
      break;
    }
  if (l->bound <= 0) l->bound = svr.bind_to_any_port("127.0.0.1");
  if (l->bound <= 0) return;
  l->thread = std::thread([l] {
    l->http->listen_after_bind();
    l->done = true;
  });
}

void serve_tcp(const SharedPtr& sh, const std::shared_ptr<Listener>& l) {
  auto [fd, bound] = bind_listener_port(static_cast<int>(l->port));
  if (fd < 0) return;
  l->fd = fd;
  l->bound = bound;
  l->thread = std::thread([sh, l] {
    while (!l->stop) {
      pollfd p{l->fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      int client = ::accept4(l->fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      Pick pk = pick(sh, l->arn);
      if (pk.status || pk.host.empty()) {
        ::close(client);  // no target: the connection is reset, as NLB does
        continue;
      }
      std::string host = pk.host;
      long port = pk.port;
      std::thread([client, host, port] {
        bool timed_out = false;
        int upstream = connect_with_timeout(host, port, 10.0, timed_out);
        if (upstream < 0) {
          ::close(client);
          return;
        }
        pump(client, upstream);
      }).detach();
    }
    l->done = true;
  });
}

// Stops a listener; waits for its thread only when `join` (else it is left to end).
void close_listener(const std::shared_ptr<Listener>& l, bool join) {
  l->stop = true;
  if (l->http) l->http->stop();
  if (!l->thread.joinable()) return;
  if (join) l->thread.join();
  else l->thread.detach();
}

}  // namespace

LbRuntime::LbRuntime(bool fast, double fast_factor, std::function<void(const std::string&)> log)
    : m_shared(std::make_shared<Shared>()) {
  m_shared->fast = fast;
  m_shared->factor = fast_factor;
  m_shared->log = std::move(log);
  m_manager = std::thread([this] { manage(); });
}

LbRuntime::~LbRuntime() {
  auto& sh = m_shared;
  {
    std::lock_guard lock(sh->mu);
    sh->stop = true;
  }
  sh->cv.notify_all();
  m_manager.join();
  std::map<std::string, std::shared_ptr<Listener>> listeners;
  std::map<std::string, std::shared_ptr<Prober>> probers;
  {
    std::lock_guard lock(sh->mu);
    listeners.swap(sh->listeners);
    probers.swap(sh->probers);
  }
  for (auto& [arn, l] : listeners) {
    l->stop = true;
    if (l->http) l->http->stop();
  }
  // Give checks and proxied requests in flight a second to end; leave the
  // rest to finish on their own (they hold what they use).
  auto deadline = Clock::now() + std::chrono::seconds(1);
  auto finished = [&] {
    for (auto& [k, l] : listeners)
      if (l->thread.joinable() && !l->done) return false;
    for (auto& [k, p] : probers)
      if (p->thread.joinable() && !p->done) return false;
    return true;
  };
  while (!finished() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (auto& [k, l] : listeners) close_listener(l, l->done);
  for (auto& [k, p] : probers) {
    if (!p->thread.joinable()) continue;
    if (p->done) p->thread.join();
    else p->thread.detach();
  }
}

void LbRuntime::update(Json snapshot) {
  {
    std::lock_guard lock(m_shared->mu);
    if (snapshot == m_shared->config) return;
    m_shared->config = std::move(snapshot);
    m_shared->changed = true;
  }
  m_shared->cv.notify_all();
}

std::optional<LbTargetHealth> LbRuntime::health(const std::string& key) const {
  std::lock_guard lock(m_shared->mu);
  auto it = m_shared->health.find(key);
  if (it == m_shared->health.end()) return std::nullopt;
  return it->second;
}

Json LbRuntime::endpoints() const {
  std::lock_guard lock(m_shared->mu);
  Json out = Json::array();
  for (const auto& [arn, l] : m_shared->listeners)
    out.push_back({{"ListenerArn", arn}, {"Port", l->port}, {"Protocol", l->protocol},
                   {"Address", "127.0.0.1:" + std::to_string(l->bound)}});
  return out;
}

void LbRuntime::manage() {
  auto& sh = m_shared;
  std::unique_lock lock(sh->mu);
  while (!sh->stop) {
    sh->cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return sh->stop || sh->changed; });
    if (sh->stop) break;
    sh->changed = false;
    lock.unlock();
    try {
      reconcile();
    } catch (const std::exception& e) {
      if (sh->log) sh->log(std::string("load balancer runtime: ") + e.what());
    }
    lock.lock();
  }
}

void LbRuntime::reconcile() {
  auto& sh = m_shared;
  std::map<std::string, Json> want_listeners;
  std::set<std::string> want_probes, keys;
  std::vector<std::shared_ptr<Listener>> closing;
  std::vector<std::shared_ptr<Prober>> finished;
  {
    std::lock_guard lock(sh->mu);
    for (const auto& l : sh->config.value("listeners", Json::array())) want_listeners[l.value("arn", "")] = l;
    const Json groups = sh->config.value("groups", Json::object());
    for (const auto& [arn, g] : groups.items()) {
      for (const auto& t : g.value("targets", Json::array())) {
        std::string key = t.value("key", "");
        keys.insert(key);
        if (g.value("checks", false) && !t.value("address", "").empty() && !t.value("draining", false))
          want_probes.insert(key);
      }
    }
    for (auto it = sh->health.begin(); it != sh->health.end();)
      it = keys.count(it->first) ? std::next(it) : sh->health.erase(it);
    for (auto it = sh->listeners.begin(); it != sh->listeners.end();) {
      auto want = want_listeners.find(it->first);
      if (want != want_listeners.end() && want->second.value("port", 0L) == it->second->port &&
          want->second.value("protocol", "") == it->second->protocol) {
        ++it;
        continue;
      }
      closing.push_back(it->second);
      it = sh->listeners.erase(it);
    }
    for (auto it = sh->probers.begin(); it != sh->probers.end();) {
      if (!want_probes.count(it->first)) it->second->stop = true;
      if (it->second->done) {
        finished.push_back(it->second);
        it = sh->probers.erase(it);
      } else {
        ++it;
      }
    }
  }
  sh->cv.notify_all();
  for (auto& l : closing) {
    // An HTTP listener's socket closes at once; requests in flight (up to the
    // 60 s read timeout) finish on their own. A TCP accept loop ends within 0.2 s.
    close_listener(l, l->http == nullptr);
    if (sh->log) sh->log("listener " + l->arn + " closed (127.0.0.1:" + std::to_string(l->bound) + ")");
  }
  for (auto& p : finished)
    if (p->thread.joinable()) p->thread.join();

  for (const auto& [arn, spec] : want_listeners) {
    {
      std::lock_guard lock(sh->mu);
      if (sh->listeners.count(arn)) continue;
    }
    auto l = std::make_shared<Listener>();
    l->arn = arn;
    l->port = spec.value("port", 0L);
    l->protocol = spec.value("protocol", "HTTP");
    if (l->protocol == "HTTP" || l->protocol == "HTTPS") serve_http(sh, l);
    else serve_tcp(sh, l);
    if (l->bound <= 0) {
      if (sh->log) sh->log("listener " + arn + ": cannot listen on 127.0.0.1 for port " + std::to_string(l->port));
      continue;
    }
    if (sh->log)
      sh->log("listener " + arn + " (" + l->protocol + " " + std::to_string(l->port) + ") listens on 127.0.0.1:" +
              std::to_string(l->bound));
    std::lock_guard lock(sh->mu);
    sh->listeners[arn] = l;
  }

  std::lock_guard lock(sh->mu);
  for (const auto& key : want_probes) {
    if (sh->probers.count(key)) continue;
    auto p = std::make_shared<Prober>();
    sh->probers[key] = p;
    p->thread = std::thread([sh = m_shared, key, p] { probe(sh, key, p); });
  }
}

}  // namespace ecsctl::local
