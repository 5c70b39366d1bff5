// run-task's additions, cost arithmetic, logs and the flag helpers, against a fake AWS.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "commands/cost_prices.hpp"
#include "commands/poller.hpp"
#include "commands/workflow_logs.hpp"
#include "commands/workflow_run.hpp"
#include "workflow_fake.hpp"

using namespace ecsctl;
using namespace ecsctl::commands::workflow;

namespace {

const std::string k_task = "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef";

Json definition() {
  Json logs = {{"logDriver", "awslogs"}, {"options", {{"awslogs-group", "/ecs/job"}, {"awslogs-stream-prefix", "ecs"}}}};
  Json main = {{"name", "main"}, {"image", "busybox"}, {"essential", true}, {"logConfiguration", logs}};
  Json sidecar = {{"name", "sidecar"}, {"image", "envoy"}, {"essential", false}};
  return {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:4"},
          {"family", "job"},
          {"revision", 4},
          {"status", "ACTIVE"},
          {"containerDefinitions", Json::array({main, sidecar})}};
}

Json task(const std::string& status, Json containers, const std::string& stop_code = {}, const std::string& reason = {}) {
  Json t = {{"taskArn", k_task}, {"lastStatus", status}, {"desiredStatus", status == "STOPPED" ? "STOPPED" : "RUNNING"},
            {"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:4"}, {"containers", containers}};
  if (!stop_code.empty()) t["stopCode"] = stop_code;
  if (!reason.empty()) t["stoppedReason"] = reason;
  return t;
}

struct RunScenario {
  test::Harness h;
  std::vector<Json> states;  // DescribeTasks answers in order; the last repeats
  std::size_t next = 0;
  Json run_answer;
  RunScenario() {
    run_answer = {{"tasks", {task("PROVISIONING", Json::array())}}, {"failures", Json::array()}};
    h.aws.handlers["RunTask"] = [this](const Json&) { return run_answer; };
    h.aws.handlers["DescribeTasks"] = [this](const Json&) -> Json {
      Json t = states[std::min(next, states.size() - 1)];
      ++next;
      return {{"tasks", {t}}, {"failures", Json::array()}};
    };
    h.aws.handlers["DescribeTaskDefinition"] = [](const Json&) -> Json { return {{"taskDefinition", definition()}}; };
    h.aws.handlers["RegisterTaskDefinition"] = [](const Json&) -> Json {
      return {{"taskDefinition", {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/job:5"}}}};
    };
    h.aws.handlers["FilterLogEvents"] = [](const Json&) -> Json {
      return {{"events", {{{"eventId", "1"}, {"timestamp", 1700000000000LL}, {"message", "hello from main\n"},
                           {"logStreamName", "ecs/main/0123456789abcdef"}}}}};
    };
  }
};

Json exited(long main_code) {
  return Json::array({{{"name", "main"}, {"exitCode", main_code}, {"lastStatus", "STOPPED"}},
                      {{"name", "sidecar"}, {"exitCode", 0}, {"lastStatus", "STOPPED"}}});
}

}  // namespace

TEST_SUITE("run-task") {
  TEST_CASE("--exit-code-from returns the container's exit code after waiting") {
    RunScenario s;
    s.states = {task("PENDING", Json::array()), task("RUNNING", Json::array()),
                task("STOPPED", exited(3), "EssentialContainerExited", "Essential container in task exited")};
    std::string msg;
    int code = s.h.run("run-task", {"--cluster", "default", "--task-definition", "job:4", "--exit-code-from", "main"}, &msg);
    INFO(msg, s.h.err.str());
    CHECK(code == 3);
    CHECK(s.h.aws.inputs("RunTask").at(0)["taskDefinition"] == "job:4");
    CHECK(s.h.err.str().find("container main exited 3") != std::string::npos);
    CHECK(s.h.err.str().find("Essential container in task exited") != std::string::npos);
    CHECK(Json::parse(s.h.out.str())["tasks"][0]["lastStatus"] == "STOPPED");
  }

  TEST_CASE("--exit-code-from essential ignores non-essential containers") {
    RunScenario s;
    Json containers = exited(0);
    containers[1]["exitCode"] = 7;
    s.states = {task("STOPPED", containers)};
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "essential"}) == 0);
    containers[0]["exitCode"] = 2;
    s.states = {task("STOPPED", containers)};
    s.next = 0;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "essential"}) == 2);
  }

  TEST_CASE("failures[] are printed plainly and no started task exits 5") {
    RunScenario s;
    s.run_answer = {{"tasks", Json::array()},
                    {"failures", {{{"arn", "arn:aws:ecs:us-east-1:1:container-instance/abc"}, {"reason", "RESOURCE:MEMORY"}}}}};
    std::string msg;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--wait-until", "stopped"}, &msg) == 5);
    CHECK(s.h.err.str().find("failure: RESOURCE:MEMORY (arn:aws:ecs:us-east-1:1:container-instance/abc)") != std::string::npos);
    CHECK(msg.find("no task was started: RESOURCE:MEMORY") != std::string::npos);
  }

  TEST_CASE("a task that fails to start: exit 5 with the pull error") {
    RunScenario s;
    Json containers = {{{"name", "main"}, {"lastStatus", "STOPPED"},
                        {"reason", "CannotPullContainerError: pull image manifest has been retried 5 time(s)"}}};
    s.states = {task("STOPPED", containers, "TaskFailedToStart", "CannotPullContainerError: ref not found")};
    std::string msg;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "main"}, &msg) == 5);
    CHECK((s.h.err.str() + msg).find("CannotPullContainerError") != std::string::npos);
    RunScenario r;
    r.states = s.states;
    CHECK(r.h.run("run-task", {"--task-definition", "job:4", "--wait-until", "running"}) == 5);
  }

  TEST_CASE("--timeout exits 4 and names the task left running") {
    RunScenario s;
    s.states = {task("RUNNING", Json::array())};
    std::string msg;
    CHECK(s.h.run("run-task", {"--cluster", "c1", "--task-definition", "job:4", "--wait-until", "stopped", "--timeout", "20s"}, &msg) == 4);
    CHECK(msg.find("ecsctl stop-task --cluster c1 --task 0123456789abcdef") != std::string::npos);
    CHECK(s.h.aws.clock <= 20.0 + 1e-9);
  }

  TEST_CASE("network flags, container overrides and --image become the request") {
    RunScenario s;
    s.states = {task("RUNNING", Json::array())};
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--subnets", "subnet-1,subnet-2", "--security-groups", "sg-1",
                               "--assign-public-ip", "ENABLED", "--command", "main=echo 'a b'", "--env", "main:X=1",
                               "--image", "main=busybox:2", "--wait-until", "running", "--launch-type", "FARGATE"}) == 0);
    Json in = s.h.aws.inputs("RunTask").at(0);
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == Json({"subnet-1", "subnet-2"}));
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED");
    CHECK(in["overrides"]["containerOverrides"][0]["command"] == Json({"echo", "a b"}));
    CHECK(in["overrides"]["containerOverrides"][0]["environment"][0]["value"] == "1");
    CHECK(in["launchType"] == "FARGATE");
    CHECK(in["taskDefinition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/job:5");
    CHECK(s.h.aws.inputs("RegisterTaskDefinition").at(0)["containerDefinitions"][0]["image"] == "busybox:2");
  }

  TEST_CASE("--from-service copies network, launch type and platform version") {
    RunScenario s;
    s.h.aws.handlers["DescribeServices"] = [](const Json&) -> Json {
      return {{"services", {{{"serviceName", "api"}, {"status", "ACTIVE"}, {"launchType", "FARGATE"},
                             {"platformVersion", "1.4.0"}, {"taskDefinition", "job:4"},
                             {"networkConfiguration", {{"awsvpcConfiguration", {{"subnets", {"subnet-9"}}}}}}}}}};
    };
    CHECK(s.h.run("run-task", {"--from-service", "api", "--cluster", "c"}) == 0);
    Json in = s.h.aws.inputs("RunTask").at(0);
    CHECK(in["taskDefinition"] == "job:4");
    CHECK(in["platformVersion"] == "1.4.0");
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["subnets"][0] == "subnet-9");
  }

  TEST_CASE("--follow streams the watched container's log events to stderr") {
    RunScenario s;
    s.states = {task("RUNNING", Json::array()), task("STOPPED", exited(0))};
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--follow"}) == 0);
    CHECK(s.h.err.str().find("hello from main") != std::string::npos);
    auto f = s.h.aws.inputs("FilterLogEvents").at(0);
    CHECK(f["logGroupName"] == "/ecs/job");
    CHECK(f["logStreamNames"][0] == "ecs/main/0123456789abcdef");
    // Printed once although polled several times.
    std::string err = s.h.err.str();
    CHECK(err.find("hello from main") == err.rfind("hello from main"));
  }

  TEST_CASE("--follow whose logs cannot be read says so and still waits for the task's exit code") {
    RunScenario s;
    s.states = {task("RUNNING", Json::array()), task("RUNNING", Json::array()),
                task("STOPPED", exited(3), "EssentialContainerExited", "Essential container in task exited")};
    int reads = 0;
    s.h.aws.handlers["FilterLogEvents"] = [&reads](const Json&) -> Json {
      ++reads;
      throw ServiceError("UnknownOperationException", "no CloudWatch Logs here", "FilterLogEvents", 400, "req-1");
    };
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--follow", "--exit-code-from", "main"}) == 3);
    std::string err = s.h.err.str();
    CHECK(reads == 1);  // not retried on every poll
    CHECK(err.find("warning: --follow: cannot read the task's logs") != std::string::npos);
    CHECK(err.find("no CloudWatch Logs here") != std::string::npos);
    CHECK(err.find("still waiting for the task, without its logs") != std::string::npos);
    CHECK(s.next >= 3);  // waited until the task stopped
  }

  TEST_CASE("usage errors before any call") {
    RunScenario s;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--wait-until", "later"}) == 252);
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "nosuch"}) == 252);
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--assign-public-ip", "YES"}) == 252);
    CHECK(s.h.aws.inputs("RunTask").empty());
  }

  TEST_CASE("--quiet prints no stopped-reason lines") {
    RunScenario s;
    s.h.ctx.opts.quiet = true;
    s.states = {task("STOPPED", exited(3), "EssentialContainerExited", "Essential container in task exited")};
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "main"}) == 3);
    CHECK(s.h.err.str().find("stopped") == std::string::npos);
    CHECK(s.h.err.str().find("container main exited") == std::string::npos);
  }

  TEST_CASE("the CannotPullContainerError reason is printed once") {
    const std::string why =
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/x:latest";
    for (bool quiet : {false, true}) {
      RunScenario s;
      s.h.ctx.opts.quiet = quiet;
      Json containers = {{{"name", "main"}, {"lastStatus", "STOPPED"}, {"reason", why}}};
      s.states = {task("STOPPED", containers, "TaskFailedToStart", why)};
      std::string msg;
      CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "main"}, &msg) == 5);
      std::string all = s.h.err.str() + msg;
      std::size_t n = 0;
      for (std::size_t at = all.find("CannotPullContainerError"); at != std::string::npos;
           at = all.find("CannotPullContainerError", at + 1))
        ++n;
      CHECK(n == 1);
    }
  }

  TEST_CASE("--exit-code-from a container that does not exist lists those that do") {
    RunScenario s;
    std::string msg;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--exit-code-from", "nosuch"}, &msg) == 252);
    CHECK(msg.find("its containers: main, sidecar") != std::string::npos);
    CHECK(s.h.aws.inputs("RunTask").empty());
  }

  TEST_CASE("no :latest warning for an image that --image replaces") {
    RunScenario s;
    std::string path = "/tmp/ecsctl_test_latest_taskdef.json";
    std::ofstream(path) << R"({"family": "job", "containerDefinitions": [{"name": "main", "image": "busybox:latest",
      "memory": 128, "essential": true}, {"name": "side", "image": "envoy", "memory": 128, "essential": false}]})";
    s.states = {task("STOPPED", exited(0))};
    CHECK(s.h.run("run-task", {"--task-definition", path, "--image", "main=busybox:1.36", "--wait-until", "stopped"}) == 0);
    std::string err = s.h.err.str();
    CHECK(err.find("image busybox:latest uses the latest tag") == std::string::npos);
    CHECK(err.find("image envoy has no tag") != std::string::npos);  // the image kept is still checked
    std::remove(path.c_str());
  }

  TEST_CASE("a task-definition file that fails validation exits 3 and registers nothing") {
    RunScenario s;
    std::string path = "/tmp/ecsctl_test_bad_taskdef.json";
    std::ofstream(path) << R"({"family": "job", "containerDefinitions": [{"name": "main"}]})";
    CHECK(s.h.run("run-task", {"--task-definition", path, "--wait-until", "stopped"}) == 3);
    CHECK(s.h.aws.calls.empty());
    std::remove(path.c_str());
  }
}

TEST_SUITE("cost") {
  TEST_CASE("per-second billing with the one-minute minimum, x86 against ARM") {
    const Json& p = builtin_prices();
    TaskSize t = task_size({{"cpu", "256"}, {"memory", "512"}});
    CHECK(t.vcpu == doctest::Approx(0.25));
    CHECK(t.memory_gb == doctest::Approx(0.5));
    double vcpu = p["regions"]["us-east-1"]["LINUX/X86_64"]["vcpu_hour"];
    double gb = p["regions"]["us-east-1"]["LINUX/X86_64"]["gb_hour"];
    double hour = 0.25 * vcpu + 0.5 * gb;
    CHECK(fargate_cost(p, "us-east-1", t, 3600, 1) == doctest::Approx(hour));
    CHECK(fargate_cost(p, "us-east-1", t, 30, 1) == doctest::Approx(hour / 60));   // billed as 60 s
    CHECK(fargate_cost(p, "us-east-1", t, 90, 2) == doctest::Approx(hour * 90 / 3600 * 2));
    TaskSize arm = t;
    arm.arch = "ARM64";
    CHECK(fargate_cost(p, "us-east-1", arm, 3600, 1) < fargate_cost(p, "us-east-1", t, 3600, 1));
    CHECK(p["as_of"].get<std::string>().size() >= 7);
  }
  TEST_CASE("task sizes in either notation, and bad ones refused") {
    TaskSize t = task_size({{"cpu", "1 vCPU"}, {"memory", "2 GB"}, {"runtimePlatform", {{"cpuArchitecture", "ARM64"}}}});
    CHECK(t.vcpu == 1);
    CHECK(t.memory_gb == 2);
    CHECK(t.arch == "ARM64");
    CHECK_THROWS_AS(task_size({{"cpu", "lots"}, {"memory", "512"}}), Error);
    CHECK_THROWS_AS(task_size({{"memory", "512"}}), Error);
    CHECK_THROWS_AS(fargate_cost(builtin_prices(), "mars-north-1", t, 60, 1), Error);
    TaskSize win = t;
    win.os = "WINDOWS_SERVER_2022_CORE";
    CHECK_THROWS_AS(fargate_cost(builtin_prices(), "us-east-1", win, 60, 1), Error);
  }
}

TEST_SUITE("workflow helpers") {
  TEST_CASE("durations and counts") {
    CHECK(parse_duration("90", "--t") == 90);
    CHECK(parse_duration("10m", "--t") == 600);
    CHECK(parse_duration("1.5h", "--t") == 5400);
    CHECK_THROWS_AS(parse_duration("-1s", "--t"), Error);
    CHECK_THROWS_AS(parse_duration("m", "--t"), Error);
    CHECK_THROWS_AS(parse_count("3x", "N"), Error);
  }
  TEST_CASE("deploy's spec: values, repeated values and switches, in order") {
    Args a = parse_command_line(commands::deploy,
                                {"api", "--timeout=5m", "--image", "a=1", "b=2", "--cluster", "c", "--dry-run"});
    CHECK(a.value("--timeout") == "5m");
    CHECK(a.values("--image") == std::vector<std::string>{"a=1", "b=2"});
    CHECK(a.has("--dry-run"));
    CHECK(a.positional(0) == "api");
    CHECK(a.value("--cluster") == "c");
    CHECK(a.rest.empty());
    CHECK_THROWS_AS(parse_command_line(commands::deploy, {"api", "--timeout"}), Error);
    CHECK_THROWS_AS(parse_command_line(commands::deploy, {"api", "--nosuch"}), Error);
  }
  TEST_CASE("commands split like a shell") {
    CHECK(split_command("sh -c 'echo \"hi there\"'") == std::vector<std::string>{"sh", "-c", "echo \"hi there\""});
    CHECK(split_command(R"(["a b", "c"])") == std::vector<std::string>{"a b", "c"});
    CHECK_THROWS_AS(split_command("echo 'oops"), Error);
  }
  TEST_CASE("the poller backs off while nothing changes and resets on change") {
    test::FakeAws aws;
    Runtime rt = aws.runtime();
    Poller p(rt, 2, 10);
    p.wait(false);
    p.wait(false);
    p.wait(false);
    CHECK(aws.slept == doctest::Approx(2 + 3 + 4.5));
    p.wait(true);
    CHECK(aws.slept == doctest::Approx(2 + 3 + 4.5 + 2));
    for (int i = 0; i < 10; ++i) p.wait(false);
    CHECK(p.delay() == 10);
  }
  TEST_CASE("log configuration and streams") {
    auto cfg = log_config(definition(), "");
    REQUIRE(cfg);
    CHECK(cfg->stream_of(k_task) == "ecs/main/0123456789abcdef");
    CHECK_FALSE(log_config(definition(), "sidecar"));
    CHECK(format_log_event({{"timestamp", 0}, {"message", "x\n"}}, false) == "1970-01-01T00:00:00Z x");
  }
}
