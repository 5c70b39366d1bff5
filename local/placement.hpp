// The ECS scheduler's placement rules on plain data: which container instance
// a task goes to (resources, host ports, strategies, constraints), with the
// failure reasons RunTask reports.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ecsctl::local {

// First and last port of ECS's ephemeral range for dynamic host ports.
inline constexpr int k_dynamic_port_first = 49153;
inline constexpr int k_dynamic_port_last = 65535;

// One container instance as the scheduler sees it.
struct Instance {
  std::string arn;                 // container instance ARN
  std::string ec2_instance_id;     // "i-..."
  long cpu_registered = 0, memory_registered = 0;
  long cpu_remaining = 0, memory_remaining = 0;
  std::unordered_set<int> tcp_ports, udp_ports;  // host ports in use (incl. reserved)
  std::map<std::string, std::string> attributes;  // "ecs.availability-zone" -> "us-east-1a"
  std::unordered_map<std::string, int> group_tasks;  // task group -> running/pending tasks here
  int task_count = 0;
};

struct PortRequest {
  int container_port = 0;
  int host_port = 0;  // 0 = dynamic
  bool udp = false;
};

// What one task needs from an instance (EC2 launch type).
struct TaskNeeds {
  long cpu = 0, memory = 0;
  std::vector<PortRequest> ports;  // bridge/host mode port mappings; empty for awsvpc
  std::string group;               // "family:x" or "service:x"
};

struct Strategy {
  std::string type;   // binpack | spread | random
  std::string field;  // cpu | memory | instanceId | attribute:...
};

struct Constraint {
  std::string type;        // distinctInstance | memberOf
  std::string expression;  // for memberOf
};

struct Placement {
  size_t instance = 0;               // index into the instance list
  std::vector<int> host_ports;       // one per PortRequest, in order
};

struct PlacementFailure {
  std::string arn;
  std::string reason;  // RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, ...
};

struct PlacementResult {
  std::vector<Placement> placed;
  std::vector<PlacementFailure> failures;  // when fewer than asked were placed
};

// Places up to `count` tasks one after another, reserving each task's CPU,
// memory and ports on its instance (so `instances` reflects the placements).
// Throws std::invalid_argument for a bad strategy, constraint or expression.
PlacementResult place(std::vector<Instance>& instances, const TaskNeeds& needs, int count,
                      const std::vector<Strategy>& strategies,
                      const std::vector<Constraint>& constraints, std::mt19937_64& rng);

// Releases what place() reserved for one task.
void release(Instance& instance, const TaskNeeds& needs, const std::vector<int>& host_ports);

// The lowest free port of the dynamic range on `instance`, or 0 when none.
int free_dynamic_port(const Instance& instance, bool udp, int start = k_dynamic_port_first);

}  // namespace ecsctl::local
