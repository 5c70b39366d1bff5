// Blue/green in the workflows, against a fake ECS: rollback during a
// blue/green deployment stops it with StopServiceDeployment ROLLBACK (no
// UpdateService) and waits for ROLLBACK_SUCCESSFUL; deploy's progress names
// the stage; a rolling service is not asked for stages.
#include <doctest/doctest.h>

#include "commands/deploy_bluegreen.hpp"
#include "workflow_fake.hpp"

using namespace ecsctl;
using namespace ecsctl::commands::workflow;

namespace {

const std::string k_td = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:";
const std::string k_sd = "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/api/abc";

Json bg_service(int rev, const std::string& strategy = "BLUE_GREEN") {
  return {{"serviceName", "api"}, {"serviceArn", "arn:aws:ecs:us-east-1:123456789012:service/c/api"},
          {"status", "ACTIVE"}, {"taskDefinition", k_td + std::to_string(rev)}, {"desiredCount", 1},
          {"runningCount", 1},
          {"deploymentConfiguration", {{"strategy", strategy}, {"bakeTimeInMinutes", 5}}},
          {"deployments", {{{"id", "ecs-svc/1"}, {"status", "PRIMARY"}, {"taskDefinition", k_td + std::to_string(rev)},
                            {"desiredCount", 1}, {"runningCount", 1}, {"pendingCount", 0}, {"rolloutState", "IN_PROGRESS"}}}},
          {"events", Json::array()}};
}

struct BlueGreenFake {
  test::Harness h;
  std::string status = "IN_PROGRESS";
  int polls = 0;
  BlueGreenFake(const std::string& strategy = "BLUE_GREEN") {
    auto& hd = h.aws.handlers;
    hd["DescribeServices"] = [strategy](const Json&) -> Json {
      return {{"services", {bg_service(3, strategy)}}, {"failures", Json::array()}};
    };
    hd["ListServiceDeployments"] = [this](const Json& in) -> Json {
      CHECK(in["service"] == "arn:aws:ecs:us-east-1:123456789012:service/c/api");
      return {{"serviceDeployments", {{{"serviceDeploymentArn", k_sd}, {"status", status}}}}};
    };
    hd["DescribeServiceDeployments"] = [this](const Json&) -> Json {
      if (status == "ROLLBACK_IN_PROGRESS" && ++polls >= 2) status = "ROLLBACK_SUCCESSFUL";
      return {{"serviceDeployments", {{{"serviceDeploymentArn", k_sd}, {"status", status}, {"lifecycleStage", "BAKE_TIME"},
                                       {"targetServiceRevision", {{"arn", "rev-3"}}},
                                       {"sourceServiceRevisions", {{{"arn", "rev-2"}}}}}}},
              {"failures", Json::array()}};
    };
    hd["DescribeServiceRevisions"] = [](const Json& in) -> Json {
      std::string arn = in["serviceRevisionArns"][0];
      return {{"serviceRevisions",
               {{{"serviceRevisionArn", arn},
                 {"resolvedConfiguration",
                  {{"loadBalancers", {{{"targetGroupArn", "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/" +
                                                               std::string(arn == "rev-3" ? "green" : "blue") + "/1"}}}}}}}}}};
    };
    hd["StopServiceDeployment"] = [this](const Json& in) -> Json {
      CHECK(in["stopType"] == "ROLLBACK");
      CHECK(in["serviceDeploymentArn"] == k_sd);
      status = "ROLLBACK_IN_PROGRESS";
      return {{"serviceDeploymentArn", k_sd}};
    };
    hd["UpdateService"] = [](const Json&) -> Json {
      FAIL("rollback of a blue/green deployment must not send UpdateService");
      return Json::object();
    };
  }
};

}  // namespace

TEST_SUITE("blue/green workflows") {
  TEST_CASE("rollback during the bake stops the deployment with ROLLBACK and waits") {
    BlueGreenFake f;
    CHECK(f.h.run("rollback", {"api", "--cluster", "c"}) == 0);
    CHECK(f.h.aws.inputs("StopServiceDeployment").size() == 1);
    CHECK(f.h.err.str().find("in stage BAKE_TIME") != std::string::npos);
    CHECK(f.h.err.str().find("goes back to blue") != std::string::npos);
    CHECK(f.h.out.str().find("ROLLBACK_SUCCESSFUL") != std::string::npos);
  }
  TEST_CASE("a rollback that fails ends with exit 5") {
    BlueGreenFake f;
    f.h.aws.handlers["DescribeServiceDeployments"] = [&f](const Json&) -> Json {
      Json sd = {{"serviceDeploymentArn", k_sd},
                 {"status", f.status == "IN_PROGRESS" ? "IN_PROGRESS" : "ROLLBACK_FAILED"},
                 {"statusReason", "no capacity"}};
      return {{"serviceDeployments", Json::array({sd})}};
    };
    std::string message;
    CHECK(f.h.run("rollback", {"api", "--cluster", "c"}, &message) == 5);
    CHECK(message.find("ROLLBACK_FAILED") != std::string::npos);
  }
  TEST_CASE("the stage is part of deploy's progress, only for blue/green services") {
    BlueGreenFake f;
    Runtime& rt = runtime(f.h.ctx);
    CHECK(stage_note(rt, "c", bg_service(3)) == "blue/green stage BAKE_TIME");
    BlueGreenFake rolling("ROLLING");
    Runtime& rt2 = runtime(rolling.h.ctx);
    CHECK(stage_note(rt2, "c", bg_service(3, "ROLLING")).empty());
    CHECK(rolling.h.aws.inputs("ListServiceDeployments").empty());
  }
}
