// Placement: resources, host ports, strategies and constraints.
#include <doctest/doctest.h>

#include <stdexcept>

#include <set>

#include "local/placement.hpp"

using namespace ecsctl::local;

namespace {

std::vector<Instance> fleet(int n, long cpu = 1024, long mem = 2048) {
  std::vector<Instance> out;
  const char* zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  for (int i = 0; i < n; ++i) {
    Instance in;
    in.arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/c/" + std::to_string(i);
    in.ec2_instance_id = "i-" + std::to_string(i);
    in.cpu_registered = in.cpu_remaining = cpu;
    in.memory_registered = in.memory_remaining = mem;
    in.tcp_ports = {22, 2375, 2376, 51678, 51679};
    in.attributes["ecs.availability-zone"] = zones[i % 3];
    in.attributes["ecs.instance-type"] = i == 0 ? "t2.micro" : "m5.large";
    out.push_back(in);
  }
  return out;
}

TaskNeeds needs(long cpu, long mem, std::vector<PortRequest> ports = {}) {
  TaskNeeds n;
  n.cpu = cpu;
  n.memory = mem;
  n.ports = std::move(ports);
  n.group = "family:web";
  return n;
}

std::mt19937_64 g_rng(42);

}  // namespace

TEST_CASE("a task is placed only where CPU and memory fit, and reserves them") {
  auto in = fleet(1, 1024, 1024);
  auto r = place(in, needs(512, 256), 3, {}, {}, g_rng);
  CHECK(r.placed.size() == 2);
  CHECK(in[0].cpu_remaining == 0);
  CHECK(in[0].memory_remaining == 512);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].reason == "RESOURCE:CPU");
  CHECK(r.failures[0].arn == in[0].arn);
  auto m = place(in, needs(0, 4096), 1, {}, {}, g_rng);
  CHECK(m.placed.empty());
  CHECK(m.failures.at(0).reason == "RESOURCE:MEMORY");
}

TEST_CASE("static host ports conflict; dynamic ports come from the ephemeral range and never repeat") {
  auto in = fleet(1, 4096, 8192);
  auto first = place(in, needs(10, 10, {{80, 80, false}}), 1, {}, {}, g_rng);
  REQUIRE(first.placed.size() == 1);
  CHECK(first.placed[0].host_ports == std::vector<int>{80});
  auto second = place(in, needs(10, 10, {{80, 80, false}}), 1, {}, {}, g_rng);
  CHECK(second.placed.empty());
  CHECK(second.failures.at(0).reason == "RESOURCE:PORTS");
  // The same port over UDP does not conflict with TCP.
  CHECK(place(in, needs(10, 10, {{80, 80, true}}), 1, {}, {}, g_rng).placed.size() == 1);
  in[0].tcp_ports.insert(49153);  // in use by something else
  auto dyn = place(in, needs(10, 10, {{8080, 0, false}, {9090, 0, false}}), 5, {}, {}, g_rng);
  REQUIRE(dyn.placed.size() == 5);
  std::set<int> seen;
  for (const auto& p : dyn.placed)
    for (int port : p.host_ports) {
      CHECK(port >= k_dynamic_port_first);
      CHECK(port <= k_dynamic_port_last);
      CHECK(port != 49153);
      CHECK(seen.insert(port).second);
    }
  // Released ports become free again.
  release(in[0], needs(10, 10, {{8080, 0, false}, {9090, 0, false}}), dyn.placed[0].host_ports);
  CHECK(free_dynamic_port(in[0], false) == dyn.placed[0].host_ports[0]);
}

TEST_CASE("binpack fills the fullest instance first") {
  auto in = fleet(3, 1024, 4096);
  in[1].memory_remaining = 1024;  // the fullest by memory
  auto r = place(in, needs(0, 512), 2, {{"binpack", "memory"}}, {}, g_rng);
  REQUIRE(r.placed.size() == 2);
  CHECK(r.placed[0].instance == 1);
  CHECK(r.placed[1].instance == 1);
  auto c = place(in, needs(0, 1024), 1, {{"binpack", "memory"}}, {}, g_rng);
  CHECK(c.placed.at(0).instance != 1);  // instance 1 is now too full
}

TEST_CASE("spread across zones, then instances") {
  auto in = fleet(6, 4096, 8192);
  auto r = place(in, needs(10, 10), 6, {{"spread", "attribute:ecs.availability-zone"}, {"spread", "instanceId"}}, {}, g_rng);
  REQUIRE(r.placed.size() == 6);
  std::set<size_t> used;
  std::map<std::string, int> per_zone;
  for (const auto& p : r.placed) {
    used.insert(p.instance);
    per_zone[in[p.instance].attributes["ecs.availability-zone"]]++;
  }
  CHECK(used.size() == 6);
  CHECK(per_zone.size() == 3);
  for (auto& [z, n] : per_zone) CHECK(n == 2);
}

TEST_CASE("constraints: memberOf and distinctInstance") {
  auto in = fleet(3, 4096, 8192);
  auto r = place(in, needs(10, 10), 2, {}, {{"memberOf", "attribute:ecs.instance-type == t2.micro"}}, g_rng);
  REQUIRE(r.placed.size() == 2);
  CHECK(r.placed[0].instance == 0);
  CHECK(r.placed[1].instance == 0);
  auto d = place(in, needs(10, 10), 4, {}, {{"distinctInstance", ""}}, g_rng);
  // Instance 0 already holds this group's tasks; two others are free.
  CHECK(d.placed.size() == 2);
  CHECK_FALSE(d.failures.empty());
  auto none = place(in, needs(10, 10), 1, {}, {{"memberOf", "attribute:ecs.instance-type == c5.xlarge"}}, g_rng);
  CHECK(none.placed.empty());
  CHECK(none.failures.at(0).reason == "MemberOf placement constraint unsatisfied.");
}

TEST_CASE("bad strategies and constraints are rejected") {
  auto in = fleet(1);
  CHECK_THROWS_AS(place(in, needs(1, 1), 1, {{"binpack", "disk"}}, {}, g_rng), std::invalid_argument);
  CHECK_THROWS_AS(place(in, needs(1, 1), 1, {{"pack", ""}}, {}, g_rng), std::invalid_argument);
  CHECK_THROWS_AS(place(in, needs(1, 1), 1, {}, {{"memberOf", "attribute:x =="}}, g_rng), std::invalid_argument);
  CHECK_THROWS_AS(place(in, needs(1, 1), 1, {}, {{"sameZone", ""}}, g_rng), std::invalid_argument);
}
