// Task-level cpu/memory string forms ("1 vCPU", "2 GB", "1024") and the Fargate
// task size table (task-definition-rules.md, section 1).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecsctl::taskdef {

// CPU units from "1024", "1 vCPU", "0.25 vcpu"; nullopt when not of that form
// or when the value times 1024 is not whole.
std::optional<long long> parse_task_cpu(std::string_view text);
// MiB from "2048", "2 GB", "0.5gb"; nullopt otherwise.
std::optional<long long> parse_task_memory(std::string_view text);

// One row of the Fargate table: memory from `min` to `max` MiB in `step` steps.
struct FargateRow {
  long long cpu;
  long long min, max, step;
  bool linux_only;
};
const std::vector<FargateRow>& fargate_table();

// Whether (cpu units, memory MiB) is a Fargate task size.
bool fargate_allowed(long long cpu, long long memory);
// "512, 1024, 2048" or "2048..8192 step 1024" for the row of `cpu`; empty when
// `cpu` is not a Fargate cpu value.
std::string fargate_memory_choices(long long cpu);
// The cpu values that allow `memory`, e.g. {1024, 2048}.
std::vector<long long> fargate_cpus_for_memory(long long memory);

}  // namespace ecsctl::taskdef
