// Container statistics of the engine runtime as CloudWatch's AWS/ECS service
// metrics: the runtime samples each running container (Docker Engine API
// GET /containers/{id}/stats?stream=false) and EngineStats turns the samples
// into CPUUtilization and MemoryUtilization of a service, as ECS defines them:
// the CPU units (1024 per vCPU) and MiB the service's tasks use, in percent of
// what their task definitions reserve.
#pragma once
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/json.hpp"

namespace ecsctl::local {

class EngineStats {
 public:
  // How long samples are kept (CloudWatch's view that `ecsctl status` draws is an hour).
  static constexpr double k_keep_seconds = 3600;

  // The CPU units the container used since its previous sample (`stats`: one
  // answer of the stats API; `now`: epoch seconds), from cpu_stats.cpu_usage.total_usage
  // (nanoseconds); nullopt for a container's first sample.
  std::optional<double> cpu_units(const std::string& container_id, const Json& stats, double now);
  // The memory the container uses (MiB): memory_stats.usage less the page cache.
  static double memory_mib(const Json& stats);
  // What a task definition reserves: the task-level cpu, else the sum of its
  // containers' cpu, else one vCPU (1024) when nothing is reserved.
  static double reserved_cpu_units(const Json& task_definition);
  // The task-level memory, else the sum of its containers' memory (or
  // memoryReservation); 0 when nothing is reserved.
  static double reserved_memory_mib(const Json& task_definition);

  // One sample of a task of `group` ("service:NAME") in `cluster_arn`.
  struct Sample {
    double time = 0;
    double cpu_used = 0, cpu_reserved = 0;  // CPU units
    double mem_used = 0, mem_reserved = 0;  // MiB
  };
  void add(const std::string& cluster_arn, const std::string& group, const Sample& s);
  // Forgets the previous CPU reading of a container that is gone.
  void forget(const std::string& container_id);

  // CloudWatch's hook (local/cloudwatch.hpp, ServiceStats): the service's
  // "CPUUtilization" or "MemoryUtilization" in [from, to), the sum of what
  // its tasks used over the sum of what they reserve, in percent; nullopt
  // when no sample falls in the period.
  std::optional<double> service_metric(const Json& service, const std::string& metric, double from, double to) const;

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::deque<Sample>> m_samples;             // cluster ARN + "|" + group
  std::map<std::string, std::pair<double, double>> m_last_cpu;     // container -> (time, total_usage ns)
};

}  // namespace ecsctl::local
