// Scheduled tasks (Scheduler and rules back ends) and target-group derivation, against a fake AWS.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "commands/workflow_schedule.hpp"
#include "commands/workflow_target_group.hpp"
#include "workflow_fake.hpp"

using namespace ecsctl;
using namespace ecsctl::commands::workflow;

namespace {

const std::string k_cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/jobs";

// A fake Scheduler/EventBridge/ECS keeping schedules and rules in maps.
struct ScheduleScenario {
  test::Harness h;
  std::map<std::string, Json> schedules, rules, targets;
  ScheduleScenario() {
    auto& hd = h.aws.handlers;
    hd["DescribeClusters"] = [](const Json&) -> Json { return {{"clusters", {{{"clusterArn", k_cluster}}}}}; };
    hd["DescribeTaskDefinition"] = [](const Json&) -> Json {
      return {{"taskDefinition", {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:7"}}}};
    };
    hd["GetSchedule"] = [this](const Json& in) -> Json {
      auto it = schedules.find(in["Name"]);
      if (it == schedules.end()) throw ServiceError("ResourceNotFoundException", "Schedule not found", "GetSchedule", 404, "r");
      Json out = it->second;
      if (!out.contains("GroupName")) out["GroupName"] = "default";  // as Scheduler answers
      return out;
    };
    hd["CreateSchedule"] = [this](const Json& in) -> Json {
      if (schedules.count(in["Name"])) throw ServiceError("ConflictException", "exists", "CreateSchedule", 409, "r");
      schedules[in["Name"]] = in;
      return {{"ScheduleArn", "arn:sched"}};
    };
    hd["UpdateSchedule"] = [this](const Json& in) -> Json { schedules[in["Name"]] = in; return Json::object(); };
    hd["DeleteSchedule"] = [this](const Json& in) -> Json { schedules.erase(in["Name"]); return Json::object(); };
    hd["ListSchedules"] = [this](const Json&) -> Json {
      Json list = Json::array();
      for (auto& [n, s] : schedules) list.push_back({{"Name", n}, {"Target", {{"Arn", s["Target"]["Arn"]}}}});
      return {{"Schedules", list}};
    };
    hd["PutRule"] = [this](const Json& in) -> Json { rules[in["Name"]] = in; return Json::object(); };
    hd["PutTargets"] = [this](const Json& in) -> Json { targets[in["Rule"]] = in["Targets"]; return Json::object(); };
    hd["DescribeRule"] = [this](const Json& in) -> Json {
      auto it = rules.find(in["Name"]);
      if (it == rules.end()) throw ServiceError("ResourceNotFoundException", "Rule not found", "DescribeRule", 400, "r");
      return it->second;
    };
    hd["ListTargetsByRule"] = [this](const Json& in) -> Json { return {{"Targets", targets[in["Rule"]]}}; };
    hd["RemoveTargets"] = [this](const Json& in) -> Json { targets.erase(in["Rule"]); return Json::object(); };
    hd["DeleteRule"] = [this](const Json& in) -> Json { rules.erase(in["Name"]); return Json::object(); };
    hd["ListRules"] = [this](const Json&) -> Json {
      Json list = Json::array();
      for (auto& [n, r] : rules) list.push_back(r);
      return {{"Rules", list}};
    };
    hd["RunTask"] = [](const Json&) -> Json {
      return {{"tasks", {{{"taskArn", "arn:aws:ecs:us-east-1:123456789012:task/jobs/abc"}, {"lastStatus", "PROVISIONING"}}}},
              {"failures", Json::array()}};
    };
  }
};

}  // namespace

TEST_SUITE("scheduled tasks") {
  TEST_CASE("create on Scheduler: target, default role, network; a rerun changes nothing") {
    ScheduleScenario s;
    std::vector<std::string> args = {"nightly", "--schedule", "cron(0 3 * * ? *)", "--cluster", "jobs",
                                     "--task-definition", "job:7", "--subnets", "subnet-1", "--launch-type", "FARGATE",
                                     "--timezone", "Europe/Berlin"};
    std::string msg;
    REQUIRE(s.h.run("create-scheduled-task", args, &msg) == 0);
    REQUIRE(s.schedules.count("nightly"));
    Json& sc = s.schedules["nightly"];
    CHECK(sc["ScheduleExpressionTimezone"] == "Europe/Berlin");
    CHECK(sc["FlexibleTimeWindow"]["Mode"] == "OFF");
    CHECK(sc["Target"]["Arn"] == k_cluster);
    CHECK(sc["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/ecsEventsRole");
    CHECK(sc["Target"]["EcsParameters"]["TaskDefinitionArn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/job:7");
    CHECK(sc["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]["Subnets"][0] == "subnet-1");
    CHECK(Json::parse(s.h.out.str())["NextFireTimes"].size() == 5);
    CHECK(s.h.run("create-scheduled-task", args, &msg) == 0);
    CHECK(s.h.aws.inputs("CreateSchedule").size() == 1);
    args[2] = "cron(0 4 * * ? *)";
    CHECK(s.h.run("create-scheduled-task", args, &msg) == 252);
    CHECK(msg.find("update-scheduled-task") != std::string::npos);
  }

  TEST_CASE("bad expressions are refused offline with the position") {
    ScheduleScenario s;
    std::string msg;
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "cron(0 3 * * * *)", "--task-definition", "job"}, &msg) == 252);
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "rate(5 minute)", "--task-definition", "job"}, &msg) == 252);
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "rate(1 hour)", "--task-definition", "job", "--use-rules",
                                            "--timezone", "Europe/Berlin"}, &msg) == 252);
    CHECK(s.h.aws.calls.empty());
  }

  TEST_CASE("--dry-run prints five fire times without calling AWS") {
    ScheduleScenario s;
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "rate(5 minutes)", "--task-definition", "job", "--dry-run"}) == 0);
    CHECK(s.h.aws.calls.empty());
    Json out = Json::parse(s.h.out.str());
    REQUIRE(out["NextFireTimes"].size() == 5);
    CHECK(out["ScheduleExpression"] == "rate(5 minutes)");
  }

  TEST_CASE("an awsvpc task definition without subnets is refused before anything is created") {
    ScheduleScenario s;
    std::string path = "/tmp/ecsctl-test-awsvpc-" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << R"({"family": "job", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
      "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "main", "image": "busybox:1.36", "essential": true}]})";
    std::string msg;
    CHECK(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--task-definition", path, "--dry-run"}, &msg) == 252);
    CHECK(msg.find("awsvpc") != std::string::npos);
    CHECK(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--task-definition", path}) == 252);
    CHECK(s.h.aws.calls.empty());
    std::remove(path.c_str());
    // A registered revision: refused after DescribeTaskDefinition, before CreateSchedule.
    s.h.aws.handlers["DescribeTaskDefinition"] = [](const Json&) -> Json {
      return {{"taskDefinition", {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:7"},
                                  {"networkMode", "awsvpc"}}}};
    };
    CHECK(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7"}) == 252);
    CHECK(s.h.aws.inputs("CreateSchedule").empty());
    CHECK(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7",
                                            "--subnets", "subnet-1"}) == 0);
  }

  TEST_CASE("--network-configuration is taken as run-task takes it") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task",
                    {"n", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7", "--network-configuration",
                     "awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}"}) == 0);
    Json vpc = s.schedules["n"]["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"];
    CHECK(vpc["Subnets"] == Json::array({"subnet-1", "subnet-2"}));
    CHECK(vpc["SecurityGroups"] == Json::array({"sg-1"}));
    CHECK(vpc["AssignPublicIp"] == "ENABLED");
    REQUIRE(s.h.run("create-scheduled-task",
                    {"j", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7", "--network-configuration",
                     R"({"awsvpcConfiguration": {"subnets": ["subnet-9"]}})"}) == 0);
    CHECK(s.schedules["j"]["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]["Subnets"][0] == "subnet-9");
    CHECK(s.h.run("create-scheduled-task", {"k", "--schedule", "rate(1 day)", "--task-definition", "job:7", "--subnets", "subnet-1",
                                            "--network-configuration", "awsvpcConfiguration={subnets=[subnet-2]}"}) == 252);
    CHECK(s.h.run("create-scheduled-task", {"k", "--schedule", "rate(1 day)", "--task-definition", "job:7",
                                            "--network-configuration", "awsvpcConfiguration={subnet=[subnet-2]}"}) == 252);
  }

  TEST_CASE("a disabled schedule lists no fire times; --timezone times carry the zone's offset") {
    ScheduleScenario s;
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "rate(5 minutes)", "--task-definition", "job", "--dry-run",
                                            "--disabled"}) == 0);
    Json out = Json::parse(s.h.out.str());
    CHECK(out["State"] == "DISABLED");
    CHECK(out["NextFireTimes"].empty());
    s.h.out.str("");
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "cron(0 3 * * ? *)", "--timezone", "Europe/Berlin",
                                            "--task-definition", "job", "--dry-run"}) == 0);
    out = Json::parse(s.h.out.str());
    REQUIRE(out["NextFireTimes"].size() == 5);
    for (const auto& t : out["NextFireTimes"]) {
      std::string v = t;
      CHECK(v.substr(10, 9) == "T03:00:00");  // 03:00 in Berlin, not 02:00Z / 01:00Z
      CHECK((v.substr(19) == "+01:00" || v.substr(19) == "+02:00"));
    }
    s.h.out.str("");
    CHECK(s.h.run("create-scheduled-task", {"x", "--schedule", "cron(0 3 * * ? *)", "--task-definition", "job", "--dry-run"}) == 0);
    CHECK(Json::parse(s.h.out.str())["NextFireTimes"][0].get<std::string>().substr(10) == "T03:00:00Z");
  }

  TEST_CASE("classic rules: PutRule + PutTargets, describe, run now, delete") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"hourly", "--schedule", "rate(1 hour)", "--cluster", "jobs", "--task-definition",
                                              "job", "--use-rules", "--count", "2"}) == 0);
    REQUIRE(s.rules.count("hourly"));
    CHECK(s.rules["hourly"]["ScheduleExpression"] == "rate(1 hour)");
    CHECK(s.targets["hourly"][0]["EcsParameters"]["TaskCount"] == 2);
    // A family without a revision follows the latest revision.
    CHECK(s.targets["hourly"][0]["EcsParameters"]["TaskDefinitionArn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/job");
    s.h.out.str("");
    CHECK(s.h.run("run-scheduled-task-now", {"hourly", "--use-rules"}) == 0);
    Json run = s.h.aws.inputs("RunTask").at(0);
    CHECK(run["cluster"] == k_cluster);
    CHECK(run["count"] == 2);
    CHECK(s.h.run("delete-scheduled-task", {"hourly", "--use-rules"}) == 0);
    CHECK(s.rules.empty());
    CHECK(s.targets.empty());
    CHECK(s.h.run("describe-scheduled-task", {"hourly", "--use-rules"}) == 252);
  }

  TEST_CASE("a rule made with --use-rules is found by every command without --use-rules") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"hourly", "--schedule", "rate(1 hour)", "--cluster", "jobs",
                                              "--task-definition", "job", "--use-rules"}) == 0);
    s.h.out.str("");
    REQUIRE(s.h.run("list-scheduled-tasks", {}) == 0);
    Json list = Json::parse(s.h.out.str())["ScheduledTasks"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["Name"] == "hourly");
    CHECK(list[0]["Kind"] == "EventBridge rule");
    s.h.out.str("");
    REQUIRE(s.h.run("describe-scheduled-task", {"hourly"}) == 0);
    CHECK(Json::parse(s.h.out.str())["ScheduleExpression"] == "rate(1 hour)");
    CHECK(s.h.run("update-scheduled-task", {"hourly", "--schedule", "rate(2 hours)"}) == 0);
    CHECK(s.rules["hourly"]["ScheduleExpression"] == "rate(2 hours)");
    CHECK(s.h.aws.inputs("UpdateSchedule").empty());
    CHECK(s.h.run("run-scheduled-task-now", {"hourly"}) == 0);
    CHECK(s.h.aws.inputs("RunTask").size() == 1);
    CHECK(s.h.run("delete-scheduled-task", {"hourly"}) == 0);
    CHECK(s.rules.empty());
    CHECK(s.targets.empty());
  }

  TEST_CASE("delete: both kinds of the same name, a missing one is an error unless --if-exists") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 hour)", "--cluster", "jobs",
                                              "--task-definition", "job", "--use-rules"}) == 0);
    REQUIRE(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--cluster", "jobs",
                                              "--task-definition", "job:7"}) == 0);
    s.h.out.str("");
    REQUIRE(s.h.run("list-scheduled-tasks", {}) == 0);
    CHECK(Json::parse(s.h.out.str())["ScheduledTasks"].size() == 2);
    CHECK(s.h.run("delete-scheduled-task", {"n"}) == 0);
    CHECK(s.rules.empty());
    CHECK(s.schedules.empty());
    std::string msg;
    CHECK(s.h.run("delete-scheduled-task", {"n"}, &msg) == 252);
    CHECK(msg.find("no scheduled task 'n'") != std::string::npos);
    CHECK(s.h.run("delete-scheduled-task", {"n", "--if-exists"}) == 0);
  }

  TEST_CASE("delete never reports success while the rule still fires") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"hourly", "--schedule", "rate(1 hour)", "--cluster", "jobs",
                                              "--task-definition", "job", "--use-rules"}) == 0);
    // A back end that accepts the calls and keeps the rule and its target.
    s.h.aws.handlers["RemoveTargets"] = [](const Json&) -> Json { return Json::object(); };
    s.h.aws.handlers["DeleteRule"] = [](const Json&) -> Json { return Json::object(); };
    std::string msg;
    CHECK(s.h.run("delete-scheduled-task", {"hourly"}, &msg) == 255);
    CHECK(msg.find("still exists") != std::string::npos);
  }

  TEST_CASE("delete of a rule with another (non-ECS) target removes only the ECS target") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"mixed", "--schedule", "rate(1 hour)", "--cluster", "jobs",
                                              "--task-definition", "job", "--use-rules"}) == 0);
    s.targets["mixed"].push_back({{"Id", "fn"}, {"Arn", "arn:aws:lambda:us-east-1:123456789012:function:f"}});
    s.h.aws.handlers["RemoveTargets"] = [&s](const Json& in) -> Json {
      Json kept = Json::array();
      for (auto& t : s.targets[in["Rule"]])
        if (std::find(in["Ids"].begin(), in["Ids"].end(), t["Id"]) == in["Ids"].end()) kept.push_back(t);
      s.targets[in["Rule"]] = kept;
      return Json::object();
    };
    CHECK(s.h.run("delete-scheduled-task", {"mixed"}) == 0);
    CHECK(s.rules.count("mixed") == 1);
    REQUIRE(s.targets["mixed"].size() == 1);
    CHECK(s.targets["mixed"][0]["Id"] == "fn");
  }

  TEST_CASE("rules: PutTargets failing half-way is reported, a rerun completes the rule, another's rule is left alone") {
    ScheduleScenario s;
    int refusals = 1;
    auto put_targets = s.h.aws.handlers["PutTargets"];
    s.h.aws.handlers["PutTargets"] = [&](const Json& in) -> Json {
      if (refusals-- > 0) throw ServiceError("AccessDeniedException", "not authorized", "PutTargets", 400, "r");
      return put_targets(in);
    };
    const std::vector<std::string> args{"hourly", "--schedule", "rate(1 hour)", "--cluster", "jobs",
                                        "--task-definition", "job", "--use-rules"};
    std::string message;
    CHECK(s.h.run("create-scheduled-task", args, &message) == 254);
    CHECK(message.find("AccessDeniedException") != std::string::npos);
    CHECK(message.find("done: rule hourly (PutRule). Not done: the ECS task target of rule hourly (PutTargets).") !=
          std::string::npos);
    CHECK(s.rules.count("hourly") == 1);
    CHECK(s.targets["hourly"].is_null());

    CHECK(s.h.run("create-scheduled-task", args) == 0);  // not "already exists with other settings"
    CHECK(s.h.err.str().find("completing it") != std::string::npos);
    REQUIRE(s.targets["hourly"].size() == 1);
    CHECK(s.h.aws.inputs("PutRule").size() == 2);
    CHECK(s.h.aws.inputs("PutTargets").size() == 2);

    // A rule of the same name that has another target (a Lambda) is not an
    // unfinished create: it is refused, not taken over.
    s.rules["other"] = {{"Name", "other"}, {"ScheduleExpression", "rate(1 hour)"}, {"State", "ENABLED"}};
    s.targets["other"] = Json::array({{{"Id", "fn"}, {"Arn", "arn:aws:lambda:us-east-1:123456789012:function:f"}}});
    auto other = args;
    other[0] = "other";
    CHECK(s.h.run("create-scheduled-task", other) == 252);
    CHECK(s.targets["other"].size() == 1);
  }

  TEST_CASE("Scheduler: a refused CreateSchedule says what was not done") {
    ScheduleScenario s;
    s.h.aws.handlers["CreateSchedule"] = [](const Json&) -> Json {
      throw ServiceError("ValidationException", "role cannot be assumed", "CreateSchedule", 400, "r");
    };
    std::string message;
    CHECK(s.h.run("create-scheduled-task", {"nightly", "--schedule", "rate(1 day)", "--cluster", "jobs",
                                            "--task-definition", "job"}, &message) == 254);
    CHECK(message.find("done: nothing. Not done: schedule nightly (CreateSchedule).") != std::string::npos);
  }

  TEST_CASE("update --dry-run with a task-definition file validates it and registers nothing") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7"}) == 0);
    Json before = s.schedules["n"];
    std::string path = "/tmp/ecsctl-test-dryrun-" + std::to_string(::getpid()) + ".yaml";
    {
      std::ofstream f(path);
      f << "family: job\ncontainerDefinitions:\n  - name: main\n    image: busybox\n    memory: 128\n";
    }
    s.h.aws.handlers["RegisterTaskDefinition"] = [](const Json&) -> Json {
      return {{"taskDefinition", {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:8"}}}};
    };
    s.h.aws.handlers["ListTaskDefinitions"] = [](const Json&) -> Json { return {{"taskDefinitionArns", Json::array()}}; };
    s.h.out.str("");
    CHECK(s.h.run("update-scheduled-task", {"n", "--task-definition", path, "--dry-run"}) == 0);
    CHECK(s.h.aws.inputs("RegisterTaskDefinition").empty());
    CHECK(s.h.aws.inputs("UpdateSchedule").empty());
    CHECK(s.schedules["n"] == before);
    CHECK(s.h.out.str().find("registered on a real run") != std::string::npos);
    // A file that does not validate is refused in a dry run too (exit 3), still registering nothing.
    {
      std::ofstream f(path);
      f << "family: job\ncontainerDefinitions:\n  - name: main\n    image: busybox\n    memroy: 128\n";
    }
    CHECK(s.h.run("update-scheduled-task", {"n", "--task-definition", path, "--dry-run"}) == 3);
    CHECK(s.h.aws.inputs("RegisterTaskDefinition").empty());
    std::remove(path.c_str());
  }

  TEST_CASE("update changes only what is given; list shows ECS schedules") {
    ScheduleScenario s;
    REQUIRE(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--cluster", "jobs", "--task-definition", "job:7"}) == 0);
    REQUIRE(s.h.run("update-scheduled-task", {"n", "--schedule", "rate(2 days)", "--disabled"}) == 0);
    CHECK(s.schedules["n"]["ScheduleExpression"] == "rate(2 days)");
    CHECK(s.schedules["n"]["State"] == "DISABLED");
    CHECK(s.schedules["n"]["Target"]["Arn"] == k_cluster);
    s.h.out.str("");
    REQUIRE(s.h.run("list-scheduled-tasks", {}) == 0);
    CHECK(Json::parse(s.h.out.str())["ScheduledTasks"][0]["Name"] == "n");
  }
}

TEST_SUITE("target groups") {
  Json def(const std::string& mode) {
    return {{"family", "web"}, {"networkMode", mode},
            {"containerDefinitions", {{{"name", "web"}, {"portMappings", {{{"containerPort", 8080}, {"appProtocol", "http2"}}}}}}}};
  }
  TEST_CASE("awsvpc -> ip, bridge/host -> instance, port and protocol from the mapping") {
    auto s = derive_target_group(def("awsvpc"), "web", std::nullopt);
    CHECK(s.target_type == "ip");
    CHECK(s.port == 8080);
    CHECK(s.protocol == "HTTP");
    CHECK(s.protocol_version == "HTTP2");
    CHECK(derive_target_group(def("bridge"), "web", 8080).target_type == "instance");
    CHECK(derive_target_group(def("host"), "web", std::nullopt).target_type == "instance");
  }
  TEST_CASE("wrong container, port or target type is refused before any call") {
    CHECK_THROWS_AS(derive_target_group(def("awsvpc"), "api", std::nullopt), Error);
    CHECK_THROWS_AS(derive_target_group(def("awsvpc"), "web", 9090), Error);
    Json in = {{"Name", "tg"}, {"TargetType", "instance"}};
    CHECK_THROWS_AS(apply_target_group_settings(in, derive_target_group(def("awsvpc"), "web", std::nullopt)), Error);
    Json ok = {{"Name", "tg"}, {"Port", 80}};
    apply_target_group_settings(ok, derive_target_group(def("awsvpc"), "web", std::nullopt));
    CHECK(ok["TargetType"] == "ip");
    CHECK(ok["Port"] == 80);  // the user's value wins
  }
  TEST_CASE("a load balancer with a forwarding listener; an existing one is reused") {
    test::FakeAws aws;
    Runtime rt = aws.runtime();
    Json listeners = Json::array();
    aws.handlers["DescribeTargetGroups"] = [](const Json&) -> Json { return {{"TargetGroups", {{{"TargetGroupArn", "arn:tg"}}}}}; };
    aws.handlers["CreateLoadBalancer"] = [](const Json&) -> Json {
      return {{"LoadBalancers", {{{"LoadBalancerArn", "arn:lb"}, {"LoadBalancerName", "web"}}}}};
    };
    aws.handlers["DescribeListeners"] = [&listeners](const Json&) -> Json { return {{"Listeners", listeners}}; };
    aws.handlers["CreateListener"] = [&listeners](const Json& in) -> Json {
      Json l = in;
      l["ListenerArn"] = "arn:listener";
      listeners.push_back(l);
      return {{"Listeners", {l}}};
    };
    ListenerPlan plan;
    plan.target_group = "web-tg";
    Journal j;
    Json out = create_load_balancer_with_listener(rt, {{"Name", "web"}}, plan, j);
    CHECK(out["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"] == "arn:tg");
    CHECK(out["Listeners"][0]["Protocol"] == "HTTP");
    create_load_balancer_with_listener(rt, {{"Name", "web"}}, plan, j);
    CHECK(aws.inputs("CreateListener").size() == 1);
  }
}
