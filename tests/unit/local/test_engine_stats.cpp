// The engine runtime's container statistics as ECS service metrics
// (local/engine_stats.hpp): CPU units from two readings, memory less the page
// cache, what a task definition reserves, and the service's percentages.
#include <doctest/doctest.h>

#include "local/engine_stats.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

Json cpu_reading(double total_ns) { return {{"cpu_stats", {{"cpu_usage", {{"total_usage", total_ns}}}}}}; }

}  // namespace

TEST_CASE("engine stats: CPU units come from the usage between two readings") {
  EngineStats s;
  CHECK_FALSE(s.cpu_units("c1", cpu_reading(5e9), 100.0).has_value());  // a first reading has no figure
  // 0.5 s of CPU in 2 s of wall time: a quarter of a vCPU, 256 units.
  auto u = s.cpu_units("c1", cpu_reading(5.5e9), 102.0);
  REQUIRE(u.has_value());
  CHECK(*u == doctest::Approx(256.0));
  // A full core: 1024 units.
  u = s.cpu_units("c1", cpu_reading(6.5e9), 103.0);
  REQUIRE(u.has_value());
  CHECK(*u == doctest::Approx(1024.0));
  // Containers are separate; forgetting one starts it over.
  CHECK_FALSE(s.cpu_units("c2", cpu_reading(1e9), 103.0).has_value());
  s.forget("c1");
  CHECK_FALSE(s.cpu_units("c1", cpu_reading(7e9), 104.0).has_value());
  // A counter that went back (a restarted container) gives no figure.
  CHECK_FALSE(s.cpu_units("c1", cpu_reading(1e9), 105.0).has_value());
  CHECK_FALSE(s.cpu_units("c3", Json::object(), 105.0).has_value());
}

TEST_CASE("engine stats: memory is the usage less the page cache") {
  Json v1 = {{"memory_stats", {{"usage", 48.0 * 1024 * 1024}, {"stats", {{"cache", 16.0 * 1024 * 1024}}}, {"limit", 1e12}}}};
  CHECK(EngineStats::memory_mib(v1) == doctest::Approx(32.0));
  Json v2 = {{"memory_stats", {{"usage", 10.0 * 1024 * 1024}, {"stats", {{"inactive_file", 2.0 * 1024 * 1024}}}}}};
  CHECK(EngineStats::memory_mib(v2) == doctest::Approx(8.0));
  CHECK(EngineStats::memory_mib(Json::object()) == 0);
}

TEST_CASE("engine stats: what a task definition reserves") {
  CHECK(EngineStats::reserved_cpu_units({{"cpu", "256"}, {"memory", "512"}}) == 256);
  CHECK(EngineStats::reserved_memory_mib({{"cpu", "256"}, {"memory", "512"}}) == 512);
  Json ec2 = {{"containerDefinitions", {{{"cpu", 128}, {"memory", 64}}, {{"cpu", 64}, {"memoryReservation", 32}}}}};
  CHECK(EngineStats::reserved_cpu_units(ec2) == 192);
  CHECK(EngineStats::reserved_memory_mib(ec2) == 96);
  Json none = {{"containerDefinitions", {{{"name", "x"}}}}};
  CHECK(EngineStats::reserved_cpu_units(none) == 1024);  // one vCPU when nothing is reserved
  CHECK(EngineStats::reserved_memory_mib(none) == 0);
}

TEST_CASE("engine stats: a service's utilisation is what its tasks use over what they reserve") {
  EngineStats s;
  Json svc = {{"clusterArn", "arn:aws:ecs:us-east-1:1:cluster/c"}, {"serviceName", "web"}};
  CHECK_FALSE(s.service_metric(svc, "CPUUtilization", 0, 1e10).has_value());
  // Two tasks of 256 units / 512 MiB: one uses 512 units and 128 MiB, the other 0 and 256 MiB.
  s.add("arn:aws:ecs:us-east-1:1:cluster/c", "service:web", {1000, 512, 256, 128, 512});
  s.add("arn:aws:ecs:us-east-1:1:cluster/c", "service:web", {1001, 0, 256, 256, 512});
  s.add("arn:aws:ecs:us-east-1:1:cluster/c", "service:other", {1001, 1024, 256, 512, 512});
  auto cpu = s.service_metric(svc, "CPUUtilization", 960, 1020);
  REQUIRE(cpu.has_value());
  CHECK(*cpu == doctest::Approx(100.0));  // 512 of 512 units
  auto mem = s.service_metric(svc, "MemoryUtilization", 960, 1020);
  REQUIRE(mem.has_value());
  CHECK(*mem == doctest::Approx(37.5));  // 384 of 1024 MiB
  // Periods without samples, and other clusters, have no figure.
  CHECK_FALSE(s.service_metric(svc, "CPUUtilization", 1020, 1080).has_value());
  CHECK_FALSE(s.service_metric({{"clusterArn", "arn:aws:ecs:us-east-1:1:cluster/d"}, {"serviceName", "web"}},
                               "CPUUtilization", 960, 1020)
                  .has_value());
  // Samples older than an hour are dropped.
  s.add("arn:aws:ecs:us-east-1:1:cluster/c", "service:web", {1000 + EngineStats::k_keep_seconds + 10, 0, 256, 0, 512});
  CHECK_FALSE(s.service_metric(svc, "CPUUtilization", 960, 1020).has_value());
}
