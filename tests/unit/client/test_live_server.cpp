// The real libcurl transport against tests/tools/sigv4_test_server on
// 127.0.0.1, which recomputes every request's SigV4 signature and injects the
// faults queued through its control endpoint.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "client/api.hpp"
#include "client/session.hpp"
#include "client_fixture.hpp"

extern char** environ;

using namespace ecsctl;
using namespace ecsctl::client;

namespace {

// Starts the server on a free port and stops it when destroyed.
class LiveServer {
 public:
  LiveServer() {
    std::string bin = std::string(ECSCTL_BINARY_DIR) + "/tests/sigv4_test_server";
    REQUIRE_MESSAGE(access(bin.c_str(), X_OK) == 0, "build the sigv4_test_server target: " << bin);
    std::string port_file = m_dir.path() + "/port";
    std::vector<std::string> args{bin, "--port-file", port_file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    REQUIRE(posix_spawn(&m_pid, bin.c_str(), &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 200 && m_port.empty(); ++i) {
      std::ifstream in(port_file);
      std::string p;
      if (in >> p) m_port = p;
      else std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    REQUIRE_FALSE(m_port.empty());
    m_control = make_curl_transport({});
  }
  ~LiveServer() {
    kill(m_pid, SIGTERM);
    waitpid(m_pid, nullptr, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + m_port; }
  void faults(const std::string& list) { m_control->send({"POST", url() + "/__control/faults", {}, list, 5.0}); }
  void clear() { m_control->send({"POST", url() + "/__control/clear", {}, "", 5.0}); }
  std::vector<Json> log() {
    auto r = m_control->send({"GET", url() + "/__control/log", {}, "", 5.0});
    std::vector<Json> out;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    return out;
  }

 private:
  testing::TempHome m_dir;
  pid_t m_pid = 0;
  std::string m_port;
  std::unique_ptr<Transport> m_control;
};

struct LiveClient {
  testing::TempHome home;
  std::ostringstream out, err;
  Context ctx;
  explicit LiveClient(const std::string& url, std::string secret = "test/secret+key")
      : ctx(out, err,
            Environment::isolated({{"HOME", home.path()},
                                   {"AWS_ACCESS_KEY_ID", "AKIDTEST"},
                                   {"AWS_SECRET_ACCESS_KEY", secret},
                                   {"AWS_REGION", "us-east-1"},
                                   {"AWS_EC2_METADATA_DISABLED", "true"},
                                   {"AWS_ENDPOINT_URL", url}})) {
    session(ctx).sleep = [](double) {};  // no real backoff waits in tests
  }
};

}  // namespace

TEST_SUITE("live server") {
  TEST_CASE("signed requests verify; keep-alive across calls; pagination") {
    LiveServer server;
    LiveClient c(server.url());
    auto out = call_paginated(c.ctx, "ecs", "ListClusters", {}, {});
    CHECK(out["clusterArns"].size() == 2);
    auto xml = call(c.ctx, "sts", "GetCallerIdentity", {});
    CHECK(xml["Account"] == "123456789012");
    auto log = server.log();
    REQUIRE(log.size() == 3);
    for (auto& l : log) CHECK(l["signed"] == true);
  }

  TEST_CASE("wrong secret and unknown key are rejected by the server, not retried") {
    LiveServer server;
    LiveClient c(server.url(), "not-the-secret");
    try {
      call(c.ctx, "ecs", "ListClusters", {});
      FAIL("expected a ServiceError");
    } catch (const ServiceError& e) {
      CHECK(e.error_code() == "InvalidSignatureException");
      CHECK(std::string(e.what()).find("not-the-secret") == std::string::npos);
    }
    CHECK(server.log().size() == 1);
  }

  TEST_CASE("throttling, 500, 503 and reset connections are retried") {
    LiveServer server;
    LiveClient c(server.url());
    c.ctx.env.set("AWS_MAX_ATTEMPTS", "5");
    server.faults("throttle,500,503,reset");
    auto out = call(c.ctx, "ecs", "ListClusters", {});
    CHECK(out["clusterArns"].size() == 1);
    auto log = server.log();
    CHECK(log.size() == 5);
  }

  TEST_CASE("a slow response hits the read timeout and is retried") {
    LiveServer server;
    LiveClient c(server.url());
    c.ctx.opts.read_timeout = 1;
    server.faults("slow:3");
    auto started = std::chrono::steady_clock::now();
    call(c.ctx, "ecs", "ListClusters", {});
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    CHECK(server.log().size() == 2);
  }

  TEST_CASE("gives up with the last error after max attempts; non-retryable fails at once") {
    LiveServer server;
    LiveClient c(server.url());
    server.faults("503,503,503,503");
    try {
      call(c.ctx, "ecs", "ListClusters", {});
      FAIL("expected a ServiceError");
    } catch (const ServiceError& e) {
      CHECK(e.http_status() == 503);
      CHECK(e.code() == Exit::service);
    }
    CHECK(server.log().size() == 3);
    server.clear();
    CHECK_THROWS_AS(call(c.ctx, "ecs", "DescribeServices", Json{{"services", {"x"}}}), ServiceError);
    CHECK(server.log().size() == 1);
  }

  TEST_CASE("nothing listening: a connection error (exit 255) after retries") {
    LiveClient c("http://127.0.0.1:1");
    try {
      call(c.ctx, "ecs", "ListClusters", {});
      FAIL("expected an error");
    } catch (const ServiceError&) {
      FAIL("not a service error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::other);
    }
  }
}
