// The built-in HTTP/1.1 client for loopback endpoints, against a scripted
// socket server in a thread on 127.0.0.1: framing (Content-Length, chunked,
// close-delimited, 1xx), keep-alive and reconnection, and the faults that must
// become one TransportError (refused, truncated, reset, read timeout).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "client/transport.hpp"

using namespace ecsctl::client;

namespace {

// Reads one request (headers and a Content-Length body) from `fd`; "" at EOF.
std::string read_request(int fd) {
  std::string in;
  char buf[4096];
  std::size_t need = std::string::npos;
  for (;;) {
    auto end = in.find("\r\n\r\n");
    if (end != std::string::npos && need == std::string::npos) {
      need = end + 4;
      auto cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) need += std::stoul(in.substr(cl + 16));
    }
    if (need != std::string::npos && in.size() >= need) return in.substr(0, need);
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    in.append(buf, static_cast<std::size_t>(n));
  }
}

void write_str(int fd, const std::string& s) { (void)!::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

// A server on 127.0.0.1 that hands each accepted connection to `handler`.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(int fd, int connection)> handler) : m_handler(std::move(handler)) {
    m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
    m_port = ntohs(a.sin_port);
    REQUIRE(::listen(m_listen, 8) == 0);
    m_thread = std::thread([this] {
      for (int i = 0;; ++i) {
        int fd = ::accept(m_listen, nullptr, nullptr);
        if (fd < 0 || m_stop) {
          if (fd >= 0) ::close(fd);
          return;
        }
        ++accepted;
        m_handler(fd, i);
        ::close(fd);
      }
    });
  }
  ~ScriptedServer() {
    m_stop = true;
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    m_thread.join();
  }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }
  std::atomic<int> accepted{0};
  std::vector<std::string> requests;  // written by the server thread; read after the exchange

 private:
  std::function<void(int, int)> m_handler;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

HttpRequest post(const std::string& url, std::string body = "{}") {
  HttpRequest r;
  r.url = url;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "Svc.Op"}};
  r.body = std::move(body);
  return r;
}

TransportOptions quick() {
  TransportOptions o;
  o.connect_timeout = 2;
  o.read_timeout = 2;
  return o;
}

}  // namespace

TEST_SUITE("loopback transport") {
  TEST_CASE("only plain http to loopback addresses is built-in") {
    CHECK(is_loopback_http("http://127.0.0.1:4566/"));
    CHECK(is_loopback_http("http://127.1.2.3"));
    CHECK(is_loopback_http("http://localhost:8080/x?y=1"));
    CHECK(is_loopback_http("HTTP://LOCALHOST:8080"));
    CHECK(is_loopback_http("http://[::1]:9000/"));
    CHECK_FALSE(is_loopback_http("https://127.0.0.1:4566/"));
    CHECK_FALSE(is_loopback_http("http://10.0.0.1/"));
    CHECK_FALSE(is_loopback_http("http://169.254.169.254/latest/api/token"));
    CHECK_FALSE(is_loopback_http("http://ecs.us-east-1.amazonaws.com/"));
    CHECK_FALSE(is_loopback_http("http://127.0.0.1:99999/"));
    CHECK_FALSE(is_loopback_http("http://user@127.0.0.1/"));
    auto t = make_loopback_transport(quick());
    CHECK_THROWS_AS(t->send(post("https://ecs.us-east-1.amazonaws.com/")), TransportError);
  }

  TEST_CASE("the request goes out as sent; Content-Length framing; keep-alive reuses the connection") {
    ScriptedServer server([&](int fd, int) {
      for (;;) {
        std::string req = read_request(fd);
        if (req.empty()) return;
        server.requests.push_back(req);
        write_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-amzn-RequestId: r1\r\n"
                      "Content-Length: 14\r\n\r\n{\"clusters\":1}");
      }
    });
    auto t = make_transport(quick());
    HttpResponse a = t->send(post(server.url("/"), R"({"clusters":["web"]})"));
    CHECK(a.status == 200);
    CHECK(a.body == "{\"clusters\":1}");
    CHECK(a.header("x-amzn-requestid") == "r1");
    HttpRequest get;
    get.method = "GET";
    get.url = server.url("/schedules?MaxResults=5");
    HttpResponse b = t->send(get);
    CHECK(b.status == 200);
    t.reset();
    CHECK(server.accepted == 1);
    REQUIRE(server.requests.size() == 2);
    const std::string& first = server.requests[0];
    CHECK(first.rfind("POST / HTTP/1.1\r\n", 0) == 0);
    CHECK(first.find("\r\nX-Amz-Target: Svc.Op\r\n") != std::string::npos);
    CHECK(first.find("\r\nHost: 127.0.0.1:") != std::string::npos);
    CHECK(first.find("\r\nContent-Length: 20\r\n") != std::string::npos);
    CHECK(first.substr(first.size() - 20) == R"({"clusters":["web"]})");
    CHECK(server.requests[1].rfind("GET /schedules?MaxResults=5 HTTP/1.1\r\n", 0) == 0);
    CHECK(server.requests[1].find("Content-Length") == std::string::npos);
  }

  TEST_CASE("chunked bodies with extensions and trailers; 100 Continue is skipped") {
    ScriptedServer server([&](int fd, int) {
      for (;;) {
        if (read_request(fd).empty()) return;
        write_str(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;ext=1\r\nhello\r\n18\r\n, a chunk of twenty-five\r\n0\r\nX-Trailer: t\r\n\r\n");
      }
    });
    auto t = make_transport(quick());
    for (int i = 0; i < 2; ++i) {
      HttpResponse r = t->send(post(server.url()));
      CHECK(r.status == 200);
      CHECK(r.body == "hello, a chunk of twenty-five");
    }
    t.reset();
    CHECK(server.accepted == 1);
  }

  TEST_CASE("a body delimited by the end of the connection, and Connection: close") {
    ScriptedServer server([&](int fd, int) {
      if (read_request(fd).empty()) return;
      write_str(fd, "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n{\"__type\":\"ServerException\"}");
    });
    auto t = make_transport(quick());
    HttpResponse r = t->send(post(server.url()));
    CHECK(r.status == 500);
    CHECK(r.body == R"({"__type":"ServerException"})");
    HttpResponse r2 = t->send(post(server.url()));
    CHECK(r2.status == 500);
    t.reset();
    CHECK(server.accepted == 2);
  }

  TEST_CASE("a kept-alive connection closed by the server while idle is reopened once") {
    ScriptedServer server([&](int fd, int) {
      if (read_request(fd).empty()) return;
      write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      // closes without Connection: close, as an idle timeout does
    });
    auto t = make_transport(quick());
    CHECK(t->send(post(server.url())).status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(t->send(post(server.url())).status == 200);
    t.reset();
    CHECK(server.accepted == 2);
  }

  TEST_CASE("localhost falls back to ::1 when nothing listens on 127.0.0.1") {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    int one = 1;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
      MESSAGE("no IPv6 loopback here; skipped");
      if (fd >= 0) ::close(fd);
      return;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin6_port);
    std::thread server([fd] {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) return;
      if (!read_request(c).empty()) write_str(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6");
      ::close(c);
    });
    auto t = make_transport(quick());
    HttpResponse r = t->send(post("http://localhost:" + std::to_string(port) + "/"));
    CHECK(r.body == "v6");
    server.join();
    ::close(fd);
  }

  TEST_CASE("faults become one TransportError") {
    SUBCASE("connection refused") {
      int port;
      {
        ScriptedServer s([](int, int) {});
        port = std::stoi(s.url().substr(17));
      }
      auto t = make_transport(quick());
      try {
        t->send(post("http://127.0.0.1:" + std::to_string(port) + "/"));
        FAIL("no error");
      } catch (const TransportError& e) {
        CHECK(std::string(e.what()).find("could not connect to the endpoint URL") != std::string::npos);
        CHECK_FALSE(e.timeout());
      }
    }
    SUBCASE("a body cut short") {
      ScriptedServer server([&](int fd, int) {
        if (read_request(fd).empty()) return;
        write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
      });
      auto t = make_transport(quick());
      try {
        t->send(post(server.url()));
        FAIL("no error");
      } catch (const TransportError& e) {
        CHECK(std::string(e.what()).find("ended 89 bytes early") != std::string::npos);
        CHECK_FALSE(e.timeout());
      }
    }
    SUBCASE("a chunked body cut short, and garbage instead of HTTP") {
      ScriptedServer server([&](int fd, int n) {
        if (read_request(fd).empty()) return;
        write_str(fd, n == 0 ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc" : "SSH-2.0-OpenSSH\r\n\r\n");
      });
      auto t = make_transport(quick());
      CHECK_THROWS_AS(t->send(post(server.url())), TransportError);
      CHECK_THROWS_WITH_AS(t->send(post(server.url())), doctest::Contains("not an HTTP/1.x response"), TransportError);
    }
    SUBCASE("no response within the read timeout") {
      ScriptedServer server([&](int fd, int) {
        if (read_request(fd).empty()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
      });
      TransportOptions o = quick();
      o.read_timeout = 0.2;
      auto t = make_transport(o);
      auto start = std::chrono::steady_clock::now();
      try {
        t->send(post(server.url()));
        FAIL("no error");
      } catch (const TransportError& e) {
        CHECK(e.timeout());
        CHECK(std::string(e.what()).find("read timeout") != std::string::npos);
      }
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(550));
    }
    SUBCASE("a request's own time limit") {
      ScriptedServer server([&](int fd, int) {
        if (read_request(fd).empty()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
      });
      auto t = make_transport(quick());
      HttpRequest r = post(server.url());
      r.timeout = 0.2;
      CHECK_THROWS_AS(t->send(r), TransportError);
    }
  }
}

TEST_SUITE("proxy selection") {
  TEST_CASE("a request goes to libcurl only when its scheme's proxy variable applies and no_proxy does not exclude it") {
    TransportOptions o;
    CHECK_FALSE(uses_proxy(o, "https://ecs.us-east-1.amazonaws.com/"));
    o.https_proxy = "http://127.0.0.1:3128";
    CHECK(uses_proxy(o, "https://ecs.us-east-1.amazonaws.com/"));
    CHECK(uses_proxy(o, "https://127.0.0.1:4510/"));      // as the AWS CLI: loopback is not exempt by itself
    CHECK_FALSE(uses_proxy(o, "http://127.0.0.1:4510/"));  // http has its own variable
    o.no_proxy = " .amazonaws.com , localhost";
    CHECK_FALSE(uses_proxy(o, "https://ecs.us-east-1.amazonaws.com/"));
    CHECK_FALSE(uses_proxy(o, "https://LOCALHOST:4510/"));
    CHECK(uses_proxy(o, "https://amazonaws.com.evil.example/"));
    CHECK(uses_proxy(o, "https://notamazonaws.com/"));
    o.no_proxy = "127.0.0.1:4511";
    CHECK(uses_proxy(o, "https://127.0.0.1:4510/"));
    CHECK_FALSE(uses_proxy(o, "https://127.0.0.1:4511/"));
    o.no_proxy = "*";
    CHECK_FALSE(uses_proxy(o, "https://ecs.us-east-1.amazonaws.com/"));
    TransportOptions all;
    all.all_proxy = "socks5://127.0.0.1:1080";
    CHECK(uses_proxy(all, "http://127.0.0.1:4510/"));
    CHECK(uses_proxy(all, "https://ecs.us-east-1.amazonaws.com/"));
  }
}
