// Tasks on an engine runtime (local/ecs_runtime.cpp), with a scripted runtime:
// the task is handed over once, waits for the runtime's events rather than
// timers, and follows what they report (RUNNING, an essential exit, a pull
// failure, health, STOPPED once the containers are gone).
#include <doctest/doctest.h>

#include "local/ecs.hpp"
#include "local/runtime.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct FakeEngine : Runtime {
  std::vector<std::string> started, stopped;
  std::vector<RuntimeEvent> pending;
  const char* name() const override { return "engine"; }
  Json describe() const override { return {{"runtime", "engine"}}; }
  void start_task(const Json& task, const Json& td) override {
    CHECK(td["family"] == "job");
    started.push_back(task["taskArn"]);
  }
  void stop_task(const std::string& arn) override { stopped.push_back(arn); }
  void adopt(const Json&, const Json&) override {}
  void remove_strays(const std::vector<std::string>&) override {}
  std::vector<RuntimeEvent> take_events() override { return std::exchange(pending, {}); }
  void shutdown() override {}
};

struct Fixture {
  Store store{":memory:"};
  Ecs ecs{store, "us-east-1", "123456789012", Pace::fast};
  FakeEngine engine;
  std::string arn;

  Fixture() {
    ecs.set_runtime(&engine);
    ecs.create_cluster({{"clusterName", "c"}});
    ecs.register_task_definition(
        {{"family", "job"},
         {"networkMode", "awsvpc"},
         {"requiresCompatibilities", {"FARGATE"}},
         {"cpu", "256"},
         {"memory", "512"},
         {"containerDefinitions",
          {{{"name", "main"}, {"image", "ecsctl/exit:3"}, {"healthCheck", {{"command", {"CMD-SHELL", "true"}}}}},
           {{"name", "side"}, {"image", "busybox"}, {"essential", false}}}}});
    Json r = ecs.run_task({{"cluster", "c"}, {"taskDefinition", "job"}, {"launchType", "FARGATE"},
                           {"networkConfiguration", {{"awsvpcConfiguration", {{"subnets", {"subnet-1"}}}}}}});
    arn = r["tasks"][0]["taskArn"];
    store.commit();
  }
  Json task() { return ecs.describe_tasks({{"cluster", "c"}, {"tasks", {arn}}})["tasks"][0]; }
  void settle() {
    for (int i = 0; i < 5; ++i) ecs.tick();
  }
  void event(RuntimeEvent::Kind kind, const std::string& container = {}, Json data = Json::object()) {
    engine.pending.push_back({arn, kind, container, std::move(data)});
    settle();
  }
};

}  // namespace

TEST_SUITE("TaskRuntime") {
  TEST_CASE("a task waits for its containers, not for timers; the image's simulated exit is ignored") {
    Fixture f;
    f.settle();
    REQUIRE(f.engine.started.size() == 1);
    CHECK(f.engine.started[0] == f.arn);
    CHECK(f.task()["lastStatus"] == "PENDING");
    f.event(RuntimeEvent::Kind::task_network, "", {{"privateIpv4Address", "10.88.0.9"}});
    f.event(RuntimeEvent::Kind::container_started, "main", {{"runtimeId", "abc"}});
    CHECK(f.task()["lastStatus"] == "PENDING");
    f.event(RuntimeEvent::Kind::container_started, "side", {{"runtimeId", "def"}});
    f.event(RuntimeEvent::Kind::task_running);
    Json t = f.task();
    CHECK(t["lastStatus"] == "RUNNING");
    CHECK(t["containers"][0]["runtimeId"] == "abc");
    CHECK(t["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] == "10.88.0.9");
    CHECK(f.engine.started.size() == 1);  // handed over once
    f.event(RuntimeEvent::Kind::container_health, "main", {{"healthStatus", "HEALTHY"}});
    CHECK(f.task()["healthStatus"] == "HEALTHY");
  }

  TEST_CASE("a non-essential exit keeps the task; an essential one stops it with ECS's reason") {
    Fixture f;
    f.settle();
    f.event(RuntimeEvent::Kind::container_started, "main");
    f.event(RuntimeEvent::Kind::container_started, "side");
    f.event(RuntimeEvent::Kind::task_running);
    f.event(RuntimeEvent::Kind::container_stopped, "side", {{"exitCode", 0}, {"essential", false}});
    CHECK(f.task()["desiredStatus"] == "RUNNING");
    CHECK(f.engine.stopped.empty());
    f.event(RuntimeEvent::Kind::container_stopped, "main", {{"exitCode", 3}, {"essential", true}});
    Json t = f.task();
    CHECK(t["desiredStatus"] == "STOPPED");
    CHECK(t["stoppedReason"] == "Essential container in task exited");
    CHECK(t["stopCode"] == "EssentialContainerExited");
    REQUIRE(f.engine.stopped.size() == 1);
    CHECK(t["lastStatus"] != "STOPPED");  // until the runtime says its containers are gone
    f.event(RuntimeEvent::Kind::task_stopped);
    t = f.task();
    CHECK(t["lastStatus"] == "STOPPED");
    CHECK(t["containers"][0]["exitCode"] == 3);
    CHECK(t["containers"][1]["exitCode"] == 0);
  }

  TEST_CASE("a pull failure stops the task with CannotPullContainerError") {
    Fixture f;
    f.settle();
    f.event(RuntimeEvent::Kind::task_failed, "main",
            {{"reason", "CannotPullContainerError: pull image x: not found"}, {"stopCode", "TaskFailedToStart"}});
    f.event(RuntimeEvent::Kind::task_stopped);
    Json t = f.task();
    CHECK(t["lastStatus"] == "STOPPED");
    CHECK(t["stopCode"] == "TaskFailedToStart");
    CHECK(t["stoppedReason"] == "CannotPullContainerError: pull image x: not found");
    CHECK(t["containers"][0]["reason"] == "CannotPullContainerError: pull image x: not found");
  }

  TEST_CASE("StopTask asks the runtime once, and STOPPED waits for it") {
    Fixture f;
    f.settle();
    f.event(RuntimeEvent::Kind::container_started, "main");
    f.event(RuntimeEvent::Kind::container_started, "side");
    f.event(RuntimeEvent::Kind::task_running);
    f.ecs.stop_task({{"cluster", "c"}, {"task", f.arn}});
    f.settle();
    f.settle();
    CHECK(f.engine.stopped.size() == 1);
    CHECK(f.task()["lastStatus"] == "DEACTIVATING");
    f.event(RuntimeEvent::Kind::container_stopped, "main", {{"exitCode", 137}, {"essential", true}});
    f.event(RuntimeEvent::Kind::task_stopped);
    Json t = f.task();
    CHECK(t["lastStatus"] == "STOPPED");
    CHECK(t["stopCode"] == "UserInitiated");
    CHECK(t["containers"][0]["exitCode"] == 137);
  }
}
