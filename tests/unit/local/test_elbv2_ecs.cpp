// Service tasks as ELBv2 targets, and CreateService's target-group checks.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "local/elbv2_ecs.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Fixture {
  Store store{":memory:"};
  double now = 1700000000.0;
  Elbv2 elb{store, "us-east-1", "123456789012", false, [this] { return now; }};
  std::string tg(const std::string& name, const std::string& type) {
    return elb.call("CreateTargetGroup", {{"Name", name}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-1"},
                                          {"TargetType", type}})["TargetGroups"][0]["TargetGroupArn"];
  }
  void attach(const std::string& tg_arn) {
    std::string lb = elb.call("CreateLoadBalancer", {{"Name", "lb" + std::to_string(++m_lbs)}, {"Subnets", {"a", "b"}}})
        ["LoadBalancers"][0]["LoadBalancerArn"];
    elb.call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", 80},
                                {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg_arn}}}}});
  }
  std::string error_of(const Json& in, const Json& td) {
    try {
      check_service_load_balancers(elb, in, td);
    } catch (const ApiError& e) {
      return e.code + ": " + e.what();
    }
    return "(none)";
  }
  int m_lbs = 0;
};

Json lbs(const std::string& tg, const char* container = "web", long port = 80) {
  return {{"loadBalancers", {{{"targetGroupArn", tg}, {"containerName", container}, {"containerPort", port}}}}};
}

const Json k_bridge = {{"networkMode", "bridge"},
                       {"containerDefinitions", {{{"name", "web"}, {"portMappings", {{{"containerPort", 80}, {"hostPort", 0}}}}}}}};
const Json k_awsvpc = {{"networkMode", "awsvpc"},
                       {"containerDefinitions", {{{"name", "web"}, {"portMappings", {{{"containerPort", 80}}}}}}}};

}  // namespace

TEST_SUITE("elbv2_ecs") {
  TEST_CASE("bridge tasks are (ec2 instance id, host port); awsvpc tasks are (ENI ip, container port)") {
    Fixture f;
    std::string inst = f.tg("inst", "instance"), ip = f.tg("ips", "ip");
    f.store.put("instances", "arn:ci/1", {{"ec2InstanceId", "i-0123456789abcdef0"}});
    f.store.put("services", "c/web", {{"loadBalancers", {{{"targetGroupArn", inst}, {"containerName", "web"}, {"containerPort", 80}},
                                                         {{"targetGroupArn", ip}, {"containerName", "web"}, {"containerPort", 80}}}}});
    Json bridge = {{"taskArn", "arn:task/1"}, {"containerInstanceArn", "arn:ci/1"}, {"_", {{"service", "c/web"}}},
                   {"containers", {{{"name", "web"}, {"networkBindings", {{{"containerPort", 80}, {"hostPort", 49153}}}}}}}};
    auto t = task_targets(f.store, f.elb, bridge);
    REQUIRE(t.size() == 1);  // no ENI: nothing for the ip group
    CHECK(t[0] == std::make_tuple(inst, std::string("i-0123456789abcdef0"), 49153L));
    Json vpc = {{"taskArn", "arn:task/2"}, {"_", {{"service", "c/web"}}},
                {"attachments", {{{"details", {{{"name", "privateIPv4Address"}, {"value", "10.0.1.7"}}}}}}}};
    t = task_targets(f.store, f.elb, vpc);
    REQUIRE(t.size() == 1);
    CHECK(t[0] == std::make_tuple(ip, std::string("10.0.1.7"), 80L));
    CHECK(task_targets(f.store, f.elb, Json{{"taskArn", "arn:task/3"}, {"_", Json::object()}}).empty());
  }

  TEST_CASE("CreateService checks target groups as ECS does") {
    Fixture f;
    std::string inst = f.tg("inst", "instance"), ip = f.tg("ips", "ip");
    CHECK(f.error_of(lbs(inst), k_bridge).find("does not have an associated load balancer") != std::string::npos);
    f.attach(inst);
    f.attach(ip);
    CHECK(f.error_of(lbs(inst), k_bridge) == "(none)");
    CHECK(f.error_of(lbs(ip), k_awsvpc) == "(none)");
    CHECK(f.error_of(lbs(inst), k_awsvpc) ==
          "InvalidParameterException: The provided target group " + inst +
              " has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.");
    CHECK(f.error_of(lbs(ip), k_bridge).find("has target type ip, which is incompatible with the bridge network mode") !=
          std::string::npos);
    CHECK(f.error_of(lbs(inst, "web", 8080), k_bridge).find("did not have a container port 8080 defined") != std::string::npos);
    CHECK(f.error_of(lbs(inst, "db"), k_bridge).find("The container db does not exist") != std::string::npos);
    CHECK(f.error_of(lbs("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1"), k_bridge)
              .find("does not exist") != std::string::npos);
  }

  TEST_CASE("a deployment is COMPLETED only once its tasks are healthy in their target groups") {
    Fixture f;
    std::string ip = f.tg("ips", "ip");
    f.attach(ip);
    Ecs ecs{f.store, "us-east-1", "123456789012", Pace::fast};
    ecs.hooks().on_create_service.push_back([&f](const Json& in, const Json& td) { check_service_load_balancers(f.elb, in, td); });
    connect_load_balancing(ecs, f.store, f.elb);
    ecs.create_cluster({{"clusterName", "c"}});
    ecs.register_task_definition({{"family", "web"}, {"networkMode", "awsvpc"}, {"requiresCompatibilities", {"FARGATE"}},
                                  {"cpu", "256"}, {"memory", "512"},
                                  {"containerDefinitions", {{{"name", "web"}, {"image", "busybox"},
                                                             {"portMappings", {{{"containerPort", 80}}}}}}}});
    ecs.create_service({{"cluster", "c"}, {"serviceName", "web"}, {"taskDefinition", "web"}, {"desiredCount", 2},
                        {"launchType", "FARGATE"},
                        {"networkConfiguration", {{"awsvpcConfiguration", {{"subnets", {"subnet-1"}}}}}},
                        {"loadBalancers", {{{"targetGroupArn", ip}, {"containerName", "web"}, {"containerPort", 80}}}}});
    auto service = [&] { return ecs.describe_services({{"cluster", "c"}, {"services", {"web"}}})["services"][0]; };
    auto settle = [&] {
      for (int i = 0; i < 2000 && service()["runningCount"] != 2; ++i) {  // up to 10 s on a loaded machine
        ecs.tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));  // past the scheduler's 0.2 s pass
        ecs.tick();
      }
    };
    settle();
    Json s = service();
    REQUIRE(s["runningCount"] == 2);
    // The targets are still `initial` (the ELB clock has not moved): not in service yet.
    Json th = f.elb.call("DescribeTargetHealth", {{"TargetGroupArn", ip}});
    REQUIRE(th["TargetHealthDescriptions"].size() == 2);
    CHECK(th["TargetHealthDescriptions"][0]["TargetHealth"]["State"] == "initial");
    CHECK(s["deployments"][0]["rolloutState"] == "IN_PROGRESS");
    for (const auto& e : s["events"]) CHECK(e["message"].get<std::string>().find("steady state") == std::string::npos);
    // Healthy after interval x threshold (30 s x 5 at pace real in this Elbv2).
    f.now += 151;
    settle();
    s = service();
    CHECK(s["deployments"][0]["rolloutState"] == "COMPLETED");
    CHECK(s["events"][0]["message"] == "(service web) has reached a steady state.");
    // Scaled in: the targets drain as soon as the tasks are asked to stop, before they are STOPPED.
    ecs.update_service({{"cluster", "c"}, {"service", "web"}, {"desiredCount", 0}});
    ecs.tick();
    Json tasks = ecs.describe_tasks({{"cluster", "c"}, {"tasks", ecs.list_tasks({{"cluster", "c"}, {"desiredStatus", "STOPPED"}})["taskArns"]}})["tasks"];
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0]["desiredStatus"] == "STOPPED");
    CHECK(tasks[0]["lastStatus"] != "STOPPED");
    th = f.elb.call("DescribeTargetHealth", {{"TargetGroupArn", ip}});
    REQUIRE(th["TargetHealthDescriptions"].size() == 2);
    for (const auto& d : th["TargetHealthDescriptions"]) CHECK(d["TargetHealth"]["State"] == "draining");
  }
}
