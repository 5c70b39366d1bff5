// The examples/ task definitions validate clean, and render/diff normal forms.
#include <doctest/doctest.h>

#include "schemas/taskdef.hpp"
#include "schemas/taskdef_normalize.hpp"

using namespace ecsctl;
using namespace ecsctl::taskdef;

TEST_SUITE("taskdef examples") {
  TEST_CASE("every example validates without findings") {
    for (const char* name : {"fargate-web.yaml", "ec2-bridge.yaml", "sidecar.yaml", "batch-job.yaml", "hello.yaml"}) {
      INFO(name);
      TemplateVars vars;
      Document d = load_file(std::string(ECSCTL_SOURCE_DIR) + "/examples/" + name, &vars);
      REQUIRE(d.parsed);
      validate(d, ValidateOptions{});
      for (const auto& f : d.findings) INFO(f.rule << " " << f.path << ": " << f.message);
      CHECK(d.findings.empty());
    }
  }

  TEST_CASE("render converts string forms and drops nulls") {
    Json def = Json::parse(R"({"family": "w", "cpu": "1 vCPU", "memory": "2 GB", "taskRoleArn": null})");
    Json r = normalize_for_render(def);
    CHECK(r["cpu"] == "1024");
    CHECK(r["memory"] == "2048");
    CHECK_FALSE(r.contains("taskRoleArn"));
  }

  TEST_CASE("diff normal form removes server-filled defaults") {
    Json file = Json::parse(R"({"family": "w", "cpu": "0.5 vCPU", "networkMode": "awsvpc",
      "containerDefinitions": [{"name": "a", "image": "a:1", "portMappings": [{"containerPort": 80}],
      "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]})");
    Json described = Json::parse(R"({"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/w:4",
      "revision": 4, "status": "ACTIVE", "family": "w", "cpu": "512", "networkMode": "awsvpc", "volumes": [],
      "placementConstraints": [], "compatibilities": ["EC2", "FARGATE"], "requiresAttributes": [{"name": "x"}],
      "containerDefinitions": [{"name": "a", "image": "a:1", "cpu": 0, "essential": true, "mountPoints": [],
      "volumesFrom": [], "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
      "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}],
      "registeredAt": "2024-01-01T00:00:00Z", "enableFaultInjection": false}, "tags": []})");
    Json live = normalize_for_diff(registration_from_describe(described));
    CHECK(normalize_for_diff(file) == live);
    file["containerDefinitions"][0]["image"] = "a:2";
    CHECK(normalize_for_diff(file) != live);
  }

  TEST_CASE("unified diff") {
    std::vector<std::string> a = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    std::vector<std::string> b = a;
    CHECK(unified_diff(a, b, "x", "y").empty());
    b[4] = "E";
    b.push_back("k");
    auto d = unified_diff(a, b, "live", "file", 1);
    std::vector<std::string> want = {"--- live", "+++ file", "@@ -4,3 +4,3 @@", " d", "-e", "+E", " f",
                                     "@@ -10,1 +10,2 @@", " j", "+k"};
    CHECK(d == want);
    auto all = unified_diff({}, {"x", "y"}, "a", "b");
    CHECK(all == std::vector<std::string>{"--- a", "+++ b", "@@ -0,0 +1,2 @@", "+x", "+y"});
    auto gone = unified_diff({"x"}, {}, "a", "b");
    CHECK(gone == std::vector<std::string>{"--- a", "+++ b", "@@ -1,1 +0,0 @@", "-x"});
  }
}
