// The local load balancer's data plane: HttpCode matchers, the health state
// machine, real checks against loopback servers, listener port mapping, and
// Elbv2 with its runtime proxying to a real target.
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "local/elbv2.hpp"
#include "local/lb_proxy.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

// An HTTP server on a free loopback port: / answers "hello", /missing 404,
// /slow after 1.5 s.
struct TestServer {
  httplib::Server svr;
  int port = 0;
  std::thread thread;
  TestServer() {
    svr.Get("/", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("hello " + req.get_header_value("X-Forwarded-For"), "text/plain");
    });
    svr.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { svr.listen_after_bind(); });
  }
  ~TestServer() {
    svr.stop();
    thread.join();
  }
};

// A port nothing listens on (bound, then closed).
int closed_port() {
  auto [fd, port] = bind_listener_port(0);
  ::close(fd);
  return port;
}

}  // namespace

TEST_CASE("HttpCode matchers: single codes, lists and ranges") {
  CHECK(http_code_matches("200", 200));
  CHECK_FALSE(http_code_matches("200", 201));
  CHECK(http_code_matches("200,202", 202));
  CHECK(http_code_matches("200-299", 250));
  CHECK_FALSE(http_code_matches("200-299", 300));
  CHECK(http_code_matches("200, 301-302", 302));
  CHECK_FALSE(http_code_matches("abc", 200));
  CHECK_FALSE(http_code_matches("", 200));
}

TEST_CASE("health state: initial, thresholds, and the failure's reason") {
  LbTargetHealth h;
  CHECK(h.state == "initial");
  CHECK(h.reason == "Elb.RegistrationInProgress");
  LbCheckResult ok{true, "", ""};
  LbCheckResult refused{false, "Target.FailedHealthChecks", "Health checks failed"};
  LbCheckResult mismatch{false, "Target.ResponseCodeMismatch", "Health checks failed with these codes: [404]"};
  record_check(h, ok, 3, 2);
  CHECK(h.state == "initial");
  CHECK(h.reason == "Elb.InitialHealthChecking");
  record_check(h, ok, 3, 2);
  record_check(h, ok, 3, 2);
  CHECK(h.state == "healthy");
  CHECK(h.reason.empty());
  record_check(h, refused, 3, 2);
  CHECK(h.state == "healthy");  // one failure is below the unhealthy threshold
  record_check(h, mismatch, 3, 2);
  CHECK(h.state == "unhealthy");
  CHECK(h.reason == "Target.ResponseCodeMismatch");
  CHECK(h.description == "Health checks failed with these codes: [404]");
  record_check(h, ok, 3, 2);
  record_check(h, ok, 3, 2);
  CHECK(h.state == "unhealthy");
  record_check(h, ok, 3, 2);
  CHECK(h.state == "healthy");
}

TEST_CASE("real health checks against loopback servers") {
  TestServer server;
  CHECK(run_health_check("127.0.0.1", server.port, "HTTP", "/", "200", 2).ok);
  auto mismatch = run_health_check("127.0.0.1", server.port, "HTTP", "/missing", "200-299", 2);
  CHECK_FALSE(mismatch.ok);
  CHECK(mismatch.reason == "Target.ResponseCodeMismatch");
  CHECK(mismatch.description == "Health checks failed with these codes: [404]");
  CHECK(run_health_check("127.0.0.1", server.port, "HTTP", "/missing", "200,404", 2).ok);
  auto slow = run_health_check("127.0.0.1", server.port, "HTTP", "/slow", "200", 0.5);
  CHECK_FALSE(slow.ok);
  CHECK(slow.reason == "Target.Timeout");
  CHECK(run_health_check("127.0.0.1", server.port, "TCP", "", "", 2).ok);
  int closed = closed_port();
  auto refused = run_health_check("127.0.0.1", closed, "TCP", "", "", 2);
  CHECK_FALSE(refused.ok);
  CHECK(refused.reason == "Target.FailedHealthChecks");
  CHECK(run_health_check("127.0.0.1", closed, "HTTP", "/", "200", 2).reason == "Target.FailedHealthChecks");
}

TEST_CASE("listener ports: free ports as they are, taken ones mapped") {
  auto [first, port] = bind_listener_port(0);
  REQUIRE(first >= 0);
  auto [second, mapped] = bind_listener_port(port);
  REQUIRE(second >= 0);
  CHECK(mapped != port);
  ::close(second);
  ::close(first);
  auto [third, same] = bind_listener_port(port);
  CHECK(same == port);
  ::close(third);
}

TEST_CASE("which targets are real: loopback ip targets; tasks once tasks are reachable") {
  Store store{":memory:"};
  Elbv2 elb{store, "us-east-1", "123456789012", true};
  CHECK(elb.reachable_address("ip", "127.0.0.1", false) == "127.0.0.1");
  CHECK(elb.reachable_address("ip", "10.0.1.5", false).empty());
  CHECK(elb.reachable_address("ip", "10.0.1.5", true).empty());
  CHECK(elb.reachable_address("instance", "i-0123456789abcdef0", true).empty());
  elb.set_tasks_reachable(true);
  CHECK(elb.reachable_address("ip", "10.88.0.5", true) == "10.88.0.5");
  CHECK(elb.reachable_address("instance", "i-0123456789abcdef0", true) == "127.0.0.1");
  CHECK(elb.reachable_address("instance", "i-0123456789abcdef0", false).empty());
}

TEST_CASE("Elbv2 with its runtime: real checks drive health, the listener proxies") {
  TestServer server;
  Store store{":memory:"};
  Elbv2 elb{store, "us-east-1", "123456789012", true};
  elb.start_runtime();
  std::string lb = elb.call("CreateLoadBalancer", {{"Name", "front"}, {"Subnets", {"subnet-a", "subnet-b"}}})
                       ["LoadBalancers"][0]["LoadBalancerArn"];
  std::string tg = elb.call("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-0local"},
                                                  {"TargetType", "ip"}, {"HealthyThresholdCount", 2}})
                       ["TargetGroups"][0]["TargetGroupArn"];
  int listen_port = closed_port();
  std::string listener = elb.call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", listen_port},
                                                     {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}})
                             ["Listeners"][0]["ListenerArn"];
  int dead = closed_port();
  elb.call("RegisterTargets", {{"TargetGroupArn", tg},
                               {"Targets", {{{"Id", "127.0.0.1"}, {"Port", server.port}}, {{"Id", "127.0.0.1"}, {"Port", dead}}}}});
  auto states = [&] {
    std::map<long, std::string> out;
    Json described = elb.call("DescribeTargetHealth", {{"TargetGroupArn", tg}});
    for (const auto& d : described["TargetHealthDescriptions"])
      out[d["Target"]["Port"].get<long>()] = d["TargetHealth"]["State"].get<std::string>() + " " +
                                              d["TargetHealth"].value("Reason", "");
    return out;
  };
  auto first = states();
  CHECK(first[server.port].rfind("initial", 0) == 0);
  for (int i = 0; i < 100 && (states()[server.port] != "healthy " || states()[dead].rfind("unhealthy", 0) != 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    elb.tick();
  }
  auto now = states();
  CHECK(now[server.port] == "healthy ");
  CHECK(now[dead] == "unhealthy Target.FailedHealthChecks");
  Json endpoints = elb.listener_endpoints();
  REQUIRE(endpoints.size() == 1);
  CHECK(endpoints[0]["ListenerArn"] == listener);
  CHECK(endpoints[0]["Address"] == "127.0.0.1:" + std::to_string(listen_port));
  httplib::Client cli("127.0.0.1", listen_port);
  for (int i = 0; i < 3; ++i) {  // only the healthy target gets requests
    auto res = cli.Get("/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "hello 127.0.0.1");
  }
}

TEST_CASE("ModifyTargetGroupAttributes: the deregistration delay, bounds, and other keys kept") {
  Store store{":memory:"};
  Elbv2 elb{store, "us-east-1", "123456789012", false};
  std::string tg = elb.call("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-0local"}})
                       ["TargetGroups"][0]["TargetGroupArn"];
  auto attribute = [&](const std::string& key) {
    Json attrs = elb.call("DescribeTargetGroupAttributes", {{"TargetGroupArn", tg}})["Attributes"];
    for (const auto& a : attrs)
      if (a["Key"] == key) return a["Value"].get<std::string>();
    return std::string("(none)");
  };
  CHECK(attribute("deregistration_delay.timeout_seconds") == "300");
  Json out = elb.call("ModifyTargetGroupAttributes",
                      {{"TargetGroupArn", tg},
                       {"Attributes", {{{"Key", "deregistration_delay.timeout_seconds"}, {"Value", "5"}},
                                       {{"Key", "stickiness.enabled"}, {"Value", "true"}}}}});
  CHECK(out["Attributes"].size() >= 2);
  CHECK(attribute("deregistration_delay.timeout_seconds") == "5");
  CHECK(attribute("stickiness.enabled") == "true");
  for (const char* bad : {"3601", "-1", "x"}) {
    std::string code;
    try {
      elb.call("ModifyTargetGroupAttributes",
               {{"TargetGroupArn", tg}, {"Attributes", {{{"Key", "deregistration_delay.timeout_seconds"}, {"Value", bad}}}}});
    } catch (const ApiError& e) {
      code = e.code;
    }
    CHECK(code == "ValidationError");
  }
  CHECK(attribute("deregistration_delay.timeout_seconds") == "5");
}

TEST_CASE("listener actions: fixed-response answers itself, an empty target group 503") {
  Store store{":memory:"};
  Elbv2 elb{store, "us-east-1", "123456789012", true};
  elb.start_runtime();
  std::string lb = elb.call("CreateLoadBalancer", {{"Name", "front"}, {"Subnets", {"subnet-a", "subnet-b"}}})
                       ["LoadBalancers"][0]["LoadBalancerArn"];
  std::string tg = elb.call("CreateTargetGroup", {{"Name", "none"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-0local"},
                                                  {"TargetType", "ip"}})["TargetGroups"][0]["TargetGroupArn"];
  int fixed_port = closed_port(), empty_port = closed_port();
  elb.call("CreateListener",
           {{"LoadBalancerArn", lb}, {"Port", fixed_port},
            {"DefaultActions", {{{"Type", "fixed-response"},
                                 {"FixedResponseConfig", {{"StatusCode", "418"}, {"ContentType", "text/plain"}, {"MessageBody", "teapot"}}}}}}});
  elb.call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", empty_port},
                              {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}});
  for (int i = 0; i < 50 && elb.listener_endpoints().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    elb.tick();
  }
  REQUIRE(elb.listener_endpoints().size() == 2);
  auto fixed = httplib::Client("127.0.0.1", fixed_port).Get("/anything");
  REQUIRE(fixed);
  CHECK(fixed->status == 418);
  CHECK(fixed->body == "teapot");
  auto empty = httplib::Client("127.0.0.1", empty_port).Get("/");
  REQUIRE(empty);
  CHECK(empty->status == 503);
  CHECK(empty->get_header_value("Server") == "awselb/2.0");
}
