// CloudWatch of the local control plane: GetMetricData for the metrics ECS
// publishes per service (namespace AWS/ECS, dimensions ClusterName and
// ServiceName, CPUUtilization and MemoryUtilization), over the Query protocol
// (what the AWS CLI v2.9 sends) and JSON 1.0 (what the current model lists
// before Query, and what ecsctl sends). Other metrics have no data points.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/json.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

// Without container statistics, a running service reports these flat figures (percent).
inline constexpr double k_flat_cpu_percent = 12.5;
inline constexpr double k_flat_memory_percent = 30.0;

// The hook for real container statistics (the engine runtime): the average of
// `metric` ("CPUUtilization" or "MemoryUtilization", percent of what the tasks
// reserve) over the service's tasks in [from, to) epoch seconds, or nullopt
// when there is no figure for that period (then the flat figure is used).
using ServiceStats = std::function<std::optional<double>(const Json& service, const std::string& metric,
                                                          double from, double to)>;

class CloudWatch {
 public:
  // `clock` returns the current time in epoch seconds (injectable for tests).
  explicit CloudWatch(Store& store, std::function<double()> clock = nullptr);
  // Registers GetMetricData (Query, Version=2010-08-01, and JSON 1.0) on `router`.
  void register_operations(Router& router);
  // Installs the source of real container statistics (see ServiceStats). With
  // `flat_fallback` false a period without a figure has no data point (as
  // CloudWatch has none where nothing was reported) instead of the flat figure.
  void set_stats(ServiceStats stats, bool flat_fallback = true) {
    m_stats = std::move(stats);
    m_flat_fallback = flat_fallback;
  }

  // GetMetricData on decoded input (the model's input shape); throws ApiError.
  Json get_metric_data(const Json& in);

 private:
  Json one_query(const Json& q, double start, double end, bool ascending);
  Store& m_store;
  std::function<double()> m_clock;
  ServiceStats m_stats;
  bool m_flat_fallback = true;
};

}  // namespace ecsctl::local
