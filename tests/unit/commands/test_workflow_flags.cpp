// The workflow commands' declarative flag specs: parsed by parse_command_line,
// checked before any call, and their help printed from the spec.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "commands/api.hpp"
#include "workflow_fake.hpp"

using namespace ecsctl;

namespace {

const char* const k_td_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/job:4";

Json definition() {
  return {{"taskDefinitionArn", k_td_arn},
          {"family", "job"},
          {"revision", 4},
          {"status", "ACTIVE"},
          {"containerDefinitions", Json::array({{{"name", "main"}, {"image", "busybox"}, {"essential", true}}})}};
}

// RunTask starts a task that is STOPPED (exit 0) at the first look.
struct Scenario {
  test::Harness h;
  Scenario() {
    Json stopped = {{"taskArn", "arn:aws:ecs:us-east-1:123456789012:task/default/abc"},
                    {"lastStatus", "STOPPED"},
                    {"desiredStatus", "STOPPED"},
                    {"taskDefinitionArn", k_td_arn},
                    {"containers", Json::array({{{"name", "main"}, {"exitCode", 0}, {"lastStatus", "STOPPED"}}})}};
    h.aws.handlers["RunTask"] = [stopped](const Json&) -> Json {
      Json t = stopped;
      t["lastStatus"] = "PROVISIONING";
      return {{"tasks", {t}}, {"failures", Json::array()}};
    };
    h.aws.handlers["DescribeTasks"] = [stopped](const Json&) -> Json {
      return {{"tasks", {stopped}}, {"failures", Json::array()}};
    };
    h.aws.handlers["DescribeTaskDefinition"] = [](const Json&) -> Json { return {{"taskDefinition", definition()}}; };
    h.aws.handlers["RegisterTaskDefinition"] = [](const Json& in) -> Json {
      Json td = in;
      td["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/job:5";
      return {{"taskDefinition", td}};
    };
  }
};

struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& text)
      : path("/tmp/ecsctl-test-" + std::to_string(::getpid()) + "-" + name) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

std::vector<std::string> op_flags(const CommandSpec& spec) {
  auto op = commands::api::extended_operation(spec);
  return op ? commands::api::operation_flag_names(*op) : std::vector<std::string>{};
}

}  // namespace

TEST_SUITE("workflow flag specs") {
  TEST_CASE("run-task registers a task-definition file and runs that revision: no placeholder") {
    Scenario s;
    TempFile f("run.yaml", "family: job\ncontainerDefinitions:\n  - name: main\n    image: busybox:2\n    memory: 128\n");
    CHECK(s.h.run("run-task", {"--cluster", "c", "--task-definition", f.path, "--count", "2"}) == 0);
    auto reg = s.h.aws.inputs("RegisterTaskDefinition");
    REQUIRE(reg.size() == 1);
    CHECK(reg[0]["family"] == "job");
    CHECK(reg[0]["containerDefinitions"][0]["image"] == "busybox:2");
    auto run = s.h.aws.inputs("RunTask");
    REQUIRE(run.size() == 1);
    CHECK(run[0]["taskDefinition"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/job:5");
    CHECK(run[0]["cluster"] == "c");
    CHECK(run[0]["count"] == 2);
    CHECK(run[0].dump().find("placeholder") == std::string::npos);
  }

  TEST_CASE("run-task's --ecsctl-print-request with a file: validated, printed, nothing sent") {
    Scenario s;
    TempFile f("print.json", R"({"family": "job", "containerDefinitions": [{"name": "main", "image": "busybox", "memory": 128}]})");
    CHECK(s.h.run("run-task", {"--task-definition", f.path, "--started-by", "me", "--ecsctl-print-request"}) == 0);
    CHECK(s.h.aws.calls.empty());
    Json printed = Json::parse(s.h.out.str());
    CHECK(printed["operation"] == "RunTask");
    CHECK(printed["input"]["taskDefinition"] == "(registered from " + f.path + ")");
    CHECK(printed["input"]["startedBy"] == "me");
  }

  TEST_CASE("run-task with a file that fails validation: exit 3, no call, the validate diagnostics") {
    Scenario s;
    TempFile f("bad.yaml", "family: job\ncontainerDefinitions:\n  - name: main\n    image: busybox\n    memroy: 128\n");
    CHECK(s.h.run("run-task", {"--task-definition", f.path}) == 3);
    CHECK(s.h.aws.calls.empty());
    std::string err = s.h.err.str();
    CHECK(err.find(f.path + ":5:") != std::string::npos);  // file:line:col
    CHECK(err.find("^") != std::string::npos);             // the caret under the line
  }

  TEST_CASE("a unique prefix of the command's own flag: --wait-u stopped") {
    Args a = parse_command_line(commands::run_task, {"--wait-u", "stopped", "--task-def", "job:4"},
                                op_flags(commands::run_task));
    CHECK(a.value("--wait-until") == "stopped");
    CHECK(a.value("--task-definition") == "job:4");  // the command's own, not left to the operation
    CHECK(a.rest.empty());
    Scenario s;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--wait-u", "stopped"}) == 0);
    CHECK(s.h.aws.inputs("DescribeTasks").size() >= 1);  // it waited
  }

  TEST_CASE("an ambiguous prefix is refused") {
    CHECK_THROWS_AS(parse_command_line(commands::run_task, {"--s", "x"}, op_flags(commands::run_task)), Error);
  }

  TEST_CASE("values outside the choices are refused before any call") {
    Scenario s;
    std::string msg;
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--wait-until", "later"}, &msg) == 252);
    CHECK(msg.find("--wait-until") != std::string::npos);
    CHECK(msg.find("none, running, stopped") != std::string::npos);
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--assign-public-ip", "YES", "--subnets", "s-1"}) == 252);
    CHECK(s.h.run("run-scheduled-task-now", {"nightly", "--wait-until", "soon"}) == 252);
    CHECK(s.h.aws.calls.empty());
  }

  TEST_CASE("bad durations, counts and overrides are refused before any call") {
    Scenario s;
    TempFile f("ok.yaml", "family: job\ncontainerDefinitions:\n  - name: main\n    image: busybox\n    memory: 128\n");
    CHECK(s.h.run("run-task", {"--task-definition", f.path, "--timeout", "soon"}) == 252);
    CHECK(s.h.run("run-task", {"--from-service", "api", "--poll-interval", "x"}) == 252);
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--image", "noequals"}) == 252);
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--desired-count", "many"}) == 252);
    CHECK(s.h.run("deploy", {"api", "--task-definition", f.path, "--stall-timeout", "-1"}) == 252);
    CHECK(s.h.run("scale", {"api", "three"}) == 252);
    CHECK(s.h.run("rollback", {"api", "--to-revision", "x"}) == 252);
    CHECK(s.h.run("create-scheduled-task", {"n", "--schedule", "rate(1 day)", "--task-definition", "job", "--count", "-2"}) == 252);
    CHECK(s.h.run("run-task", {"--task-definition", "job:4", "--nosuch"}) == 252);
    CHECK(s.h.run("restart", {"api", "extra"}) == 252);
    CHECK(s.h.aws.calls.empty());
  }

  TEST_CASE("required flags and positionals come from the spec") {
    Scenario s;
    std::string msg;
    CHECK(s.h.run("create-scheduled-task", {"n", "--task-definition", "job"}, &msg) == 252);
    CHECK(msg.find("--schedule") != std::string::npos);
    CHECK(s.h.run("describe-scheduled-task", {}, &msg) == 252);
    CHECK(msg.find("NAME") != std::string::npos);
    CHECK(s.h.run("run-task", {"--cluster", "c"}, &msg) == 252);  // no task definition from anywhere
    CHECK(msg.find("--task-definition") != std::string::npos);
    CHECK(s.h.aws.calls.empty());
  }

  TEST_CASE("--help and a trailing `help` print the spec's flags, choices and description") {
    for (const char* word : {"--help", "help"}) {
      Scenario s;
      CHECK(s.h.run("deploy", {word}) == 0);
      std::string out = s.h.out.str();
      CHECK(out.find("Usage: ecsctl deploy [SERVICE] [options]") != std::string::npos);
      for (const char* flag : {"--cluster CLUSTER", "--image CONTAINER=IMAGE ...", "--stall-timeout DURATION",
                               "--rollback-on-failure", "--var NAME=VALUE", "--no-env", "Exit codes:"})
        CHECK_MESSAGE(out.find(flag) != std::string::npos, flag);
      CHECK(s.h.aws.calls.empty());
    }
    Scenario s;
    CHECK(s.h.run("run-task", {"--help"}) == 0);
    CHECK(s.h.out.str().find("--wait-until STATE") != std::string::npos);
    CHECK(s.h.out.str().find("(none|running|stopped)") != std::string::npos);
    CHECK(s.h.out.str().find("--exit-code-from") != std::string::npos);
  }

  TEST_CASE("every workflow command has a parsed spec with its flags declared once") {
    for (const CommandSpec* c :
         {&commands::run_task, &commands::create_service, &commands::elbv2_create_target_group,
          &commands::elbv2_create_load_balancer, &commands::deploy, &commands::scale, &commands::restart,
          &commands::rollback, &commands::logs, &commands::cost, &commands::create_scheduled_task,
          &commands::update_scheduled_task, &commands::list_scheduled_tasks, &commands::describe_scheduled_task,
          &commands::delete_scheduled_task, &commands::run_scheduled_task_now}) {
      INFO(std::string(c->name));
      CHECK_FALSE(c->raw);
      CHECK(static_cast<bool>(c->run));
      CHECK_FALSE(c->description.empty());
      std::set<std::string_view> names;
      for (const auto& f : c->flags) {
        CHECK_MESSAGE(names.insert(f.name).second, std::string(f.name));
        CHECK_FALSE(f.help.empty());
        if (f.complete == Completer::choices) CHECK_FALSE(f.choices.empty());
      }
      if (!c->api_operation.empty()) CHECK(commands::api::extended_operation(*c).has_value());
    }
    CHECK(find_flag(commands::run_task, "--exit-code-from")->complete == Completer::container);
    CHECK(find_flag(commands::run_task, "--task-definition")->complete == Completer::task_definition_or_file);
    CHECK(find_flag(commands::deploy, "--timeout")->complete == Completer::duration);
    CHECK(commands::deploy.positionals.at(0).complete == Completer::service);
  }
}
