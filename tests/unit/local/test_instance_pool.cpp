// The scheduler's cached view of container instances follows the store: after a
// rollback, a deregistration, a reset or a task that stops, RunTask places as it
// would on a view rebuilt from scratch.
#include <doctest/doctest.h>
#include <unistd.h>

#include "local/ecs.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Fixture {
  Store store{":memory:"};
  Ecs ecs{store, "us-east-1", "123456789012", Pace::fast};
  std::string instance;

  Fixture() {
    ecs.create_cluster({{"clusterName", "c"}});
    instance = add_instance();
    // One static host port: a second task on the same instance must be refused.
    ecs.register_task_definition({{"family", "web"},
                                  {"containerDefinitions", {{{"name", "web"}, {"image", "nginx"}, {"memory", 128},
                                                             {"portMappings", {{{"containerPort", 80}, {"hostPort", 8080}}}}}}}});
    store.commit();
  }
  std::string add_instance() {
    Json in = {{"cluster", "c"},
               {"totalResources", {{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", 1024}},
                                   {{"name", "MEMORY"}, {"type", "INTEGER"}, {"integerValue", 1024}}}},
               {"instanceIdentityDocument", Json{{"instanceType", "t3.micro"}, {"availabilityZone", "us-east-1a"}}.dump()}};
    return ecs.register_container_instance(in)["containerInstance"]["containerInstanceArn"];
  }
  Json run() { return ecs.run_task({{"cluster", "c"}, {"taskDefinition", "web"}}); }
  // "" when placed, else the first failure's reason.
  std::string placed() {
    Json r = run();
    return r["tasks"].empty() ? r["failures"][0]["reason"].get<std::string>() : "";
  }
  long remaining_memory() {
    Json ci = ecs.describe_container_instances({{"cluster", "c"}, {"containerInstances", {instance}}})["containerInstances"][0];
    for (const auto& r : ci["remainingResources"])
      if (r["name"] == "MEMORY") return r["integerValue"];
    return -1;
  }
};

}  // namespace

TEST_SUITE("instance pool") {
  TEST_CASE("a rolled-back RunTask leaves nothing reserved") {
    Fixture f;
    CHECK(f.placed() == "");
    CHECK(f.remaining_memory() == 1024 - 128);
    CHECK(f.placed() == "RESOURCE:PORTS");  // the pool now holds the reservation
    f.store.rollback();
    CHECK(f.remaining_memory() == 1024);
    CHECK(f.placed() == "");  // port 8080 is free again
    f.store.commit();
    CHECK(f.placed() == "RESOURCE:PORTS");
  }

  TEST_CASE("instances registered, deregistered and reset are seen by the next placement") {
    Fixture f;
    CHECK(f.placed() == "");
    CHECK(f.placed() == "RESOURCE:PORTS");
    std::string second = f.add_instance();
    Json r = f.run();
    REQUIRE(r["tasks"].size() == 1);
    CHECK(r["tasks"][0]["containerInstanceArn"] == second);
    f.ecs.deregister_container_instance({{"cluster", "c"}, {"containerInstance", second}, {"force", true}});
    CHECK(f.placed() == "RESOURCE:PORTS");  // only the first instance is left, its port taken
    f.store.clear();
    f.ecs.create_cluster({{"clusterName", "c"}});
    f.ecs.register_task_definition({{"family", "web"}, {"containerDefinitions", {{{"name", "web"}, {"image", "nginx"}, {"memory", 128}}}}});
    CHECK_THROWS_WITH(f.run(), "No Container Instances were found in your cluster.");
  }

  TEST_CASE("a stopped task's port and memory are free for the next one") {
    Fixture f;
    Json r = f.run();
    REQUIRE(r["tasks"].size() == 1);
    CHECK(f.placed() == "RESOURCE:PORTS");
    f.ecs.stop_task({{"cluster", "c"}, {"task", r["tasks"][0]["taskArn"]}});
    for (int i = 0; i < 200 && f.remaining_memory() != 1024; ++i) {
      f.ecs.tick();
      usleep(2000);
    }
    CHECK(f.remaining_memory() == 1024);
    CHECK(f.placed() == "");
  }
}
