// EventBridge rules and targets of the local control plane, and their firing.
#include <doctest/doctest.h>

#include "local/events.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

constexpr const char* k_cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/default";

struct Fixture {
  Store store{":memory:"};
  double now = 1700000000.0;
  Events events{store, "us-east-1", "123456789012", k_schedule_fast_factor, [this] { return now; }};
  std::vector<Json> runs;
  RunTask run = [this](const Json& in) {
    runs.push_back(in);
    return Json{{"tasks", Json::array({Json::object()})}, {"failures", Json::array()}};
  };

  Json call(const std::string& op, const Json& in) { return events.call(op, in); }
  std::string error_of(const std::string& op, const Json& in) {
    try {
      call(op, in);
    } catch (const ApiError& e) {
      return e.code + ": " + e.what();
    }
    return "(none)";
  }
  void target(const std::string& rule) {
    call("PutTargets", {{"Rule", rule},
                        {"Targets", {{{"Id", "t1"}, {"Arn", k_cluster}, {"RoleArn", "arn:aws:iam::123456789012:role/r"},
                                      {"EcsParameters", {{"TaskDefinitionArn", "web:1"}, {"TaskCount", 2}, {"LaunchType", "FARGATE"},
                                                         {"NetworkConfiguration", {{"awsvpcConfiguration", {{"Subnets", {"subnet-1"}}, {"AssignPublicIp", "ENABLED"}}}}}}}}}}});
  }
};

}  // namespace

TEST_SUITE("events") {
  TEST_CASE("put, describe, list, enable, disable and delete rules") {
    Fixture f;
    Json put = f.call("PutRule", {{"Name", "nightly"}, {"ScheduleExpression", "cron(0 2 * * ? *)"}, {"Description", "d"}});
    CHECK(put["RuleArn"] == "arn:aws:events:us-east-1:123456789012:rule/nightly");
    Json d = f.call("DescribeRule", {{"Name", "nightly"}});
    CHECK(d["State"] == "ENABLED");
    CHECK(d["EventBusName"] == "default");
    CHECK(d["ScheduleExpression"] == "cron(0 2 * * ? *)");
    CHECK(!d.contains("_"));
    f.call("PutRule", {{"Name", "other"}, {"ScheduleExpression", "rate(5 minutes)"}, {"State", "DISABLED"}});
    Json list = f.call("ListRules", Json::object())["Rules"];
    REQUIRE(list.size() == 2);
    CHECK(list[0]["Name"] == "nightly");
    CHECK(f.call("ListRules", {{"NamePrefix", "oth"}})["Rules"].size() == 1);
    Json paged = f.call("ListRules", {{"Limit", 1}});
    CHECK(paged["NextToken"] == "1");
    CHECK(f.call("ListRules", {{"Limit", 1}, {"NextToken", "1"}})["Rules"][0]["Name"] == "other");
    f.call("EnableRule", {{"Name", "other"}});
    CHECK(f.call("DescribeRule", {{"Name", "other"}})["State"] == "ENABLED");
    f.call("DisableRule", {{"Name", "other"}});
    CHECK(f.call("DescribeRule", {{"Name", "other"}})["State"] == "DISABLED");
    f.call("DeleteRule", {{"Name", "other"}});
    CHECK(f.error_of("DescribeRule", {{"Name", "other"}}) ==
          "ResourceNotFoundException: Rule other does not exist on EventBus default.");
  }

  TEST_CASE("errors as EventBridge gives them") {
    Fixture f;
    CHECK(f.error_of("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minutes)"}}) ==
          "ValidationException: Parameter ScheduleExpression is not valid.");
    CHECK(f.error_of("PutRule", {{"Name", "r"}}).find("EventPattern or ScheduleExpression must be specified") != std::string::npos);
    CHECK(f.error_of("PutRule", {{"Name", "bad name"}, {"ScheduleExpression", "rate(1 minute)"}}).find("ValidationException") == 0);
    CHECK(f.error_of("PutRule", {{"Name", "r"}, {"EventPattern", "not json"}}).find("InvalidEventPatternException") == 0);
    CHECK(f.error_of("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"}, {"EventBusName", "custom"}}) ==
          "ResourceNotFoundException: Event bus custom does not exist.");
    CHECK(f.error_of("EnableRule", {{"Name", "none"}}).find("ResourceNotFoundException") == 0);
    CHECK(f.error_of("PutTargets", {{"Rule", "none"}, {"Targets", {{{"Id", "a"}, {"Arn", k_cluster}}}}}).find("ResourceNotFoundException") == 0);
    f.call("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"}});
    CHECK(f.error_of("PutTargets", {{"Rule", "r"}, {"Targets", {{{"Id", "a"}, {"Arn", k_cluster}}}}}).find("RoleArn is required") != std::string::npos);
    f.target("r");
    CHECK(f.error_of("DeleteRule", {{"Name", "r"}}) == "ValidationException: Rule can't be deleted since it has targets.");
    CHECK_NOTHROW(f.call("DeleteRule", {{"Name", "none"}}));
  }

  TEST_CASE("targets: put, replace by id, list, remove") {
    Fixture f;
    f.call("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"}});
    f.target("r");
    f.target("r");
    Json t = f.call("ListTargetsByRule", {{"Rule", "r"}})["Targets"];
    REQUIRE(t.size() == 1);
    CHECK(t[0]["EcsParameters"]["TaskCount"] == 2);
    Json out = f.call("RemoveTargets", {{"Rule", "r"}, {"Ids", {"t1"}}});
    CHECK(out["FailedEntryCount"] == 0);
    CHECK(f.call("ListTargetsByRule", {{"Rule", "r"}})["Targets"].empty());
    CHECK_NOTHROW(f.call("DeleteRule", {{"Name", "r"}}));
  }

  TEST_CASE("tags on rules") {
    Fixture f;
    std::string arn = f.call("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"},
                                         {"Tags", {{{"Key", "a"}, {"Value", "1"}}}}})["RuleArn"];
    f.call("TagResource", {{"ResourceARN", arn}, {"Tags", {{{"Key", "b"}, {"Value", "2"}}}}});
    CHECK(f.call("ListTagsForResource", {{"ResourceARN", arn}})["Tags"].size() == 2);
    f.call("UntagResource", {{"ResourceARN", arn}, {"TagKeys", {"a"}}});
    CHECK(f.call("ListTagsForResource", {{"ResourceARN", arn}})["Tags"] == Json::array({{{"Key", "b"}, {"Value", "2"}}}));
    CHECK(f.error_of("ListTagsForResource", {{"ResourceARN", arn + "x"}}).find("ResourceNotFoundException") == 0);
  }

  TEST_CASE("an enabled rate rule fires every period / factor and starts its ECS target") {
    Fixture f;
    f.call("PutRule", {{"Name", "every-minute"}, {"ScheduleExpression", "rate(1 minute)"}});
    f.target("every-minute");
    CHECK(!f.events.tick(f.run));
    f.now += 0.9;
    CHECK(!f.events.tick(f.run));
    CHECK(f.runs.empty());
    f.now += 0.2;  // one compressed minute (60 s / 60) after creation
    CHECK(f.events.tick(f.run));
    REQUIRE(f.runs.size() == 1);
    const Json& in = f.runs[0];
    CHECK(in["cluster"] == k_cluster);
    CHECK(in["taskDefinition"] == "web:1");
    CHECK(in["count"] == 2);
    CHECK(in["launchType"] == "FARGATE");
    CHECK(in["startedBy"] == "events-rule/every-minute");
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["subnets"][0] == "subnet-1");
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED");
    CHECK(!f.events.tick(f.run));
    f.now += 1.0;
    CHECK(f.events.tick(f.run));
    CHECK(f.runs.size() == 2);
    // Missed fire times are not caught up: one fire after a long pause.
    f.now += 10;
    f.events.tick(f.run);
    f.events.tick(f.run);
    CHECK(f.runs.size() == 3);
    f.call("DisableRule", {{"Name", "every-minute"}});
    f.now += 5;
    CHECK(!f.events.tick(f.run));
    CHECK(f.runs.size() == 3);
  }

  TEST_CASE("errors from RunTask do not stop the schedule") {
    Fixture f;
    f.call("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(1 minute)"}});
    f.target("r");
    int calls = 0;
    RunTask failing = [&](const Json&) -> Json {
      ++calls;
      throw ApiError("ClusterNotFoundException", "Cluster not found.");
    };
    f.now += 1.5;
    CHECK(f.events.tick(failing));
    f.now += 1.0;
    CHECK(f.events.tick(failing));
    CHECK(calls == 2);
  }
}
