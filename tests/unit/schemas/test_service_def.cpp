// Service files: each ECS rule with a failing and a passing case, positions,
// the model check, normalisation for comparison, the lookups of templating and
// Terraform state addresses.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "schemas/service_def.hpp"
#include "schemas/tfstate.hpp"

using namespace ecsctl;
using taskdef::Document;

namespace {

const Json k_td = Json::parse(R"({"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
  "cpu": "256", "memory": "512",
  "containerDefinitions": [{"name": "web", "image": "nginx", "portMappings": [{"containerPort": 8080}]}]})");

const char* const k_net = "networkConfiguration:\n  awsvpcConfiguration:\n    subnets: [subnet-1]\n";

Document check(const std::string& yaml, const Json& td = k_td) {
  Document doc = taskdef::load_text("svc.yaml", yaml, nullptr);
  servicedef::validate(doc, td);
  return doc;
}

std::vector<std::string> rules(const Document& d) {
  std::vector<std::string> out;
  for (const auto& f : d.findings) out.push_back(f.rule);
  return out;
}

bool has(const Document& d, const std::string& rule) {
  auto r = rules(d);
  return std::find(r.begin(), r.end(), rule) != r.end();
}

const taskdef::Finding& first(const Document& d, const std::string& rule) {
  for (const auto& f : d.findings)
    if (f.rule == rule) return f;
  FAIL("no finding " << rule);
  return d.findings.front();
}

}  // namespace

TEST_SUITE("service definitions") {
  TEST_CASE("a valid file has no findings") {
    CHECK(rules(check(std::string("desiredCount: 2\nlaunchType: FARGATE\n") + k_net)).empty());
  }

  TEST_CASE("awsvpc needs a network configuration; other modes refuse one") {
    auto d = check("desiredCount: 1\nlaunchType: FARGATE\n");
    CHECK(has(d, "service-awsvpc-network"));
    Json bridge = k_td;
    bridge["networkMode"] = "bridge";
    bridge.erase("requiresCompatibilities");
    CHECK(!has(check("desiredCount: 1\n", bridge), "service-awsvpc-network"));
    auto m = check(std::string("desiredCount: 1\n") + k_net, bridge);
    CHECK(has(m, "service-network-mode"));
    CHECK(first(m, "service-network-mode").pos.line == 2);
  }

  TEST_CASE("load balancers name a container and port of the task definition") {
    std::string base = std::string("launchType: FARGATE\n") + k_net + "loadBalancers:\n  - targetGroupArn: tg\n";
    CHECK(rules(check(base + "    containerName: web\n    containerPort: 8080\n")).empty());
    auto d = check(base + "    containerName: api\n    containerPort: 8080\n");
    CHECK(has(d, "service-lb-container"));
    CHECK(first(d, "service-lb-container").pos.line == 7);
    CHECK(first(d, "service-lb-container").pos.col == 20);
    auto p = check(base + "    containerName: web\n    containerPort: 80\n");
    CHECK(has(p, "service-lb-port"));
    CHECK(first(p, "service-lb-port").pos.line == 8);
  }

  TEST_CASE("deployment percentages fit the scheduling strategy") {
    std::string base = std::string("launchType: FARGATE\n") + k_net;
    CHECK(rules(check(base + "deploymentConfiguration: {maximumPercent: 150, minimumHealthyPercent: 50}\n")).empty());
    CHECK(has(check(base + "deploymentConfiguration: {maximumPercent: 90}\n"), "service-deployment-percent"));
    CHECK(has(check(base + "deploymentConfiguration: {minimumHealthyPercent: 120}\n"), "service-deployment-percent"));
    CHECK(has(check(base + "deploymentConfiguration: {maximumPercent: 100, minimumHealthyPercent: 100}\n"),
              "service-deployment-percent"));
    Json ec2 = k_td;
    ec2["networkMode"] = "bridge";
    ec2.erase("requiresCompatibilities");
    CHECK(rules(check("schedulingStrategy: DAEMON\nlaunchType: EC2\ndeploymentConfiguration: {maximumPercent: 100, "
                      "minimumHealthyPercent: 0}\n", ec2))
              .empty());
    CHECK(has(check("schedulingStrategy: DAEMON\nlaunchType: EC2\ndeploymentConfiguration: {maximumPercent: 200}\n", ec2),
              "service-deployment-percent"));
    CHECK(has(check("schedulingStrategy: DAEMON\nlaunchType: EC2\ndesiredCount: 2\n", ec2), "service-daemon"));
    CHECK(has(check(base + "schedulingStrategy: DAEMON\n"), "service-daemon"));
  }

  TEST_CASE("launchType and a capacity provider strategy exclude each other") {
    CHECK(has(check(std::string("launchType: FARGATE\ncapacityProviderStrategy: [{capacityProvider: FARGATE}]\n") + k_net),
              "service-launch-type-capacity"));
    CHECK(rules(check(std::string("capacityProviderStrategy: [{capacityProvider: FARGATE}]\n") + k_net)).empty());
  }

  TEST_CASE("the launch type must be one the task definition supports") {
    CHECK(has(check(std::string("launchType: EC2\n") + k_net), "service-launch-type"));
  }

  TEST_CASE("a health-check grace period needs a load balancer or a container health check") {
    std::string base = std::string("launchType: FARGATE\nhealthCheckGracePeriodSeconds: 60\n") + k_net;
    CHECK(has(check(base), "service-grace-period"));
    Json hc = k_td;
    hc["containerDefinitions"][0]["healthCheck"] = {{"command", {"CMD", "true"}}};
    CHECK(!has(check(base, hc), "service-grace-period"));
  }

  TEST_CASE("Fargate platform versions") {
    std::string base = std::string("launchType: FARGATE\n") + k_net;
    CHECK(rules(check(base + "platformVersion: 1.4.0\n")).empty());
    CHECK(rules(check(base + "platformVersion: LATEST\n")).empty());
    CHECK(has(check(base + "platformVersion: 1.2.0\n"), "service-platform-version"));
    Json win = k_td;
    win["runtimePlatform"] = {{"operatingSystemFamily", "WINDOWS_SERVER_2022_CORE"}};
    CHECK(has(check(base + "platformVersion: 1.4.0\n", win), "service-platform-version"));
    CHECK(!has(check(base + "platformVersion: 1.0.0\n", win), "service-platform-version"));
    Json ec2 = k_td;
    ec2["requiresCompatibilities"] = {"EC2"};
    CHECK(has(check(std::string("launchType: EC2\nplatformVersion: LATEST\n") + k_net, ec2), "service-platform-version"));
  }

  TEST_CASE("the model: unknown members with a suggestion, types, enums") {
    auto d = check(std::string("launchType: FARGATE\ndesiredCont: 1\n") + k_net);
    REQUIRE(has(d, "service-model"));
    CHECK(first(d, "service-model").pos.line == 2);
    CHECK(first(d, "service-model").hint == "did you mean \"desiredCount\"?");
    CHECK(has(check(std::string("launchType: FARGATE\ndesiredCount: two\n") + k_net), "service-model"));
    CHECK(has(check(std::string("launchType: FARGAT\n") + k_net), "service-model"));
  }

  TEST_CASE("read-only members of a described service are dropped") {
    auto path = std::filesystem::temp_directory_path() / "ecsctl_test_service_def.yaml";
    std::ofstream(path) << "serviceArn: x\nstatus: ACTIVE\nrunningCount: 1\nroleArn: arn:aws:iam::1:role/r\ndesiredCount: 1\n";
    Document d = servicedef::load_file(path.string(), nullptr);
    std::filesystem::remove(path);
    CHECK(d.def == Json::parse(R"({"desiredCount": 1, "role": "arn:aws:iam::1:role/r"})"));
    Document missing = servicedef::load_file("/nonexistent/service.yaml", nullptr);  // a finding, not a throw
    CHECK(!missing.parsed);
    CHECK(missing.findings.size() == 1);
  }

  TEST_CASE("normalisation removes ECS's defaults and ordering") {
    Json live = Json::parse(R"({"serviceName": "api", "desiredCount": 2, "launchType": "FARGATE", "platformVersion": "LATEST",
      "schedulingStrategy": "REPLICA", "deploymentController": {"type": "ECS"}, "propagateTags": "NONE",
      "enableECSManagedTags": false, "enableExecuteCommand": false, "healthCheckGracePeriodSeconds": 0,
      "loadBalancers": [], "placementConstraints": [], "serviceRegistries": [],
      "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": false, "rollback": false},
                                  "maximumPercent": 200, "minimumHealthyPercent": 100},
      "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["b", "a"], "securityGroups": ["s"], "assignPublicIp": "DISABLED"}},
      "runningCount": 2, "events": []})");
    Json file = Json::parse(R"({"launchType": "FARGATE", "desiredCount": 2,
      "networkConfiguration": {"awsvpcConfiguration": {"securityGroups": ["s"], "subnets": ["a", "b"]}}})");
    CHECK(servicedef::normalize(live) == servicedef::normalize(file));
    file["desiredCount"] = 3;
    CHECK(servicedef::normalize(live) != servicedef::normalize(file));
    Json described = servicedef::from_described(live);
    CHECK(described.size() == 3);
    CHECK(described.begin().key() == "desiredCount");
  }

  TEST_CASE("a role ARN and its name are the same role") {
    CHECK(servicedef::normalize(Json{{"roleArn", "arn:aws:iam::123456789012:role/ecsService"}}) ==
          servicedef::normalize(Json{{"role", "ecsService"}}));
    CHECK(servicedef::normalize(Json{{"roleArn", "arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}})
              .empty());
  }
}

TEST_SUITE("lookups") {
  TEST_CASE("a lookup resolves through the TemplateVars' lookup") {
    taskdef::TemplateVars v;
    std::vector<taskdef::TemplateProblem> problems;
    CHECK(taskdef::expand_template("x-${ssm:/a/b}", v, problems) == "x-");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message.find("lookups") != std::string::npos);
    v.set_lookup([](std::string_view kind, std::string_view arg, std::string& error) -> std::optional<std::string> {
      if (arg == "/missing") return error = "no SSM parameter /missing", std::nullopt;
      return std::string(kind) + "=" + std::string(arg);
    });
    problems.clear();
    CHECK(taskdef::expand_template("${ssm:/a/b}|${tfstate:output.x[0]}", v, problems) == "ssm=/a/b|tfstate=output.x[0]");
    CHECK(problems.empty());
    taskdef::expand_template("${ssm:/missing}", v, problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "${ssm:/missing}: no SSM parameter /missing");
    problems.clear();
    v.set("ssm", "plain");
    CHECK(taskdef::expand_template("${ssm}", v, problems) == "plain");  // a variable called ssm still works
  }

  TEST_CASE("Terraform state addresses") {
    Json st = Json::parse(R"({"version": 4,
      "outputs": {"subnets": {"value": ["subnet-a", "subnet-b"]}, "cfg": {"value": {"port": 8080}}},
      "resources": [
        {"mode": "managed", "type": "aws_lb_target_group", "name": "api", "instances": [{"attributes": {"arn": "arn:tg", "port": 80}}]},
        {"mode": "managed", "type": "aws_subnet", "name": "private", "instances": [
          {"index_key": 0, "attributes": {"id": "subnet-0"}}, {"index_key": 1, "attributes": {"id": "subnet-1"}}]},
        {"mode": "data", "type": "aws_vpc", "name": "main", "instances": [{"attributes": {"id": "vpc-1"}}]},
        {"module": "module.net", "mode": "managed", "type": "aws_security_group", "name": "web",
         "instances": [{"index_key": "a", "attributes": {"id": "sg-a", "tags": {"Name": "web"}}}]}]})");
    std::string err;
    auto text = [&](const char* a) { return tfstate::lookup_text(st, a, err).value_or("<" + err + ">"); };
    CHECK(text("output.subnets[1]") == "subnet-b");
    CHECK(text("output.cfg.port") == "8080");
    CHECK(text("aws_lb_target_group.api.arn") == "arn:tg");
    CHECK(text("aws_lb_target_group.api.port") == "80");
    CHECK(text("aws_subnet.private[1].id") == "subnet-1");
    CHECK(text("data.aws_vpc.main.id") == "vpc-1");
    CHECK(text("module.net.aws_security_group.web[\"a\"].id") == "sg-a");
    CHECK(text("module.net.aws_security_group.web['a'].tags.Name") == "web");
    CHECK(text("output.subnets") == "<output.subnets is a list; index into it ([0], .key) for one value>");
    CHECK(text("output.nope") == "<the state has no output nope>");
    CHECK(text("aws_subnet.private.id") == "<aws_subnet.private has several instances; add [INDEX]>");
    CHECK(text("aws_subnet.private[5].id") == "<aws_subnet.private has no such instance>");
    CHECK(text("aws_lb_target_group.nope.arn") == "<the state has no resource aws_lb_target_group.nope>");
    CHECK(text("aws_lb_target_group.api") == "<name an attribute of aws_lb_target_group.api (aws_lb_target_group.api.id, .arn, ...)>");
    CHECK(text("output.subnets[9]") == "<output.subnets has 2 element(s), no [9]>");
  }
}
