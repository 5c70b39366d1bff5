// The CodeDeploy pieces of deploy: the AppSpec content as the AWS CLI sends it
// (Python's json.dumps), the taskDefinition replacement, the generated AppSpec
// and the default application and group names.
#include <doctest/doctest.h>

#include "commands/workflow_codedeploy.hpp"
#include "core/pyformat.hpp"

using namespace ecsctl;
using namespace ecsctl::commands::workflow::codedeploy;

TEST_CASE("pyfmt::json_dumps writes what Python's json.dumps writes") {
  Json v = Json::parse(R"({"version": 0.0, "b": [1, 2.5, true, null, {}], "s": "caf\u00e9 \"q\" \\ \n \u007f \ud83d\ude00",
                           "f": 1e-07, "g": 1e16, "n": -3})");
  CHECK(pyfmt::json_dumps(v) ==
        R"({"version": 0.0, "b": [1, 2.5, true, null, {}], "s": "caf\u00e9 \"q\" \\ \n \u007f \ud83d\ude00", )"
        R"("f": 1e-07, "g": 1e+16, "n": -3})");
  CHECK(pyfmt::json_dumps(Json::array()) == "[]");
}

TEST_CASE("set_task_definition replaces taskDefinition in every resource, keys in any case") {
  Json a = Json::parse(R"({"version": 0.0, "RESOURCES": [{"one": {"Properties": {"TaskDefinition": "x", "z": 1}}},
                                                            {"two": {"properties": {"taskdefinition": "y"}}}]})");
  set_task_definition(a, "arn:td:4");
  CHECK(a.dump() == R"({"version":0.0,"RESOURCES":[{"one":{"Properties":{"TaskDefinition":"arn:td:4","z":1}}},)"
                    R"({"two":{"properties":{"taskdefinition":"arn:td:4"}}}]})");
  Json no_td = Json::parse(R"({"Resources": [{"web": {"Properties": {"LoadBalancerInfo": {}}}}]})");
  CHECK_THROWS_WITH_AS(set_task_definition(no_td, "a"), "Error: Resource 'Properties' must include property 'taskDefinition'",
                       AppSpecError);
  Json no_resources = Json::parse(R"({"version": 0.0})");
  CHECK_THROWS_WITH_AS(set_task_definition(no_resources, "a"),
                       "Error: Resource 'codedeploy-appspec' must include property 'resources'", AppSpecError);
}

TEST_CASE("create_deployment_input carries the content and its sha256") {
  Json in = create_deployment_input("app", "dg", Json::parse(R"({"version": 0.0})"));
  CHECK(in["revision"]["revisionType"] == "AppSpecContent");
  CHECK(in["revision"]["appSpecContent"]["content"] == R"({"version": 0.0})");
  // printf '{"version": 0.0}' | sha256sum
  CHECK(in["revision"]["appSpecContent"]["sha256"] == "ffb2fb769fad78711f13a4228fc17093eee3f4b727c8281fba1cc65d2dbb7f77");
}

TEST_CASE("generate_appspec takes the service's load balancer, platform, network and capacity providers") {
  Json svc = Json::parse(R"({"loadBalancers": [{"targetGroupArn": "tg", "containerName": "web", "containerPort": 80}],
    "platformVersion": "LATEST", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s1"], "assignPublicIp": "ENABLED"}},
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]})");
  CHECK(pyfmt::json_dumps(generate_appspec(svc, "arn:td:2")) ==
        R"({"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": )"
        R"({"TaskDefinition": "arn:td:2", "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80}, )"
        R"("PlatformVersion": "LATEST", "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["s1"], )"
        R"("AssignPublicIp": "ENABLED"}}, "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}]}}}]})");
  CHECK(pyfmt::json_dumps(generate_appspec(Json::object(), "t")) ==
        R"({"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": "t"}}}]})");
}

TEST_CASE("the AWS CLI's default names cut cluster and service to 46 characters") {
  std::string long_name(50, 'c');
  CHECK(default_application("prod", "web") == "AppECS-prod-web");
  CHECK(default_deployment_group(long_name, "web") == "DgpECS-" + std::string(46, 'c') + "-web");
  CHECK(cluster_name_from_arn("arn:aws:ecs:us-east-1:1:service/prod/web") == "prod");
  CHECK(cluster_name_from_arn("arn:aws:ecs:us-east-1:1:cluster/prod") == "prod");
}
