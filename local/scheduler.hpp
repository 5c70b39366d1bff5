// Amazon EventBridge Scheduler of the local control plane over rest-json:
// schedules (rate, cron, at; time zones; start and end dates) in schedule
// groups ("default" always exists), whose ECS targets start tasks when they fire.
#pragma once
#include <functional>
#include <string>

#include "core/json.hpp"
#include "local/events_ecs.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

class Scheduler {
 public:
  // `factor` compresses schedule time (k_schedule_fast_factor, or 1 for real
  // pacing); `clock` returns wall-clock seconds (injectable for tests).
  Scheduler(Store& store, std::string region, std::string account, double factor,
            std::function<double()> clock = nullptr);
  // Registers the REST routes /schedules and /schedule-groups.
  void register_operations(Router& router);
  // Runs one operation (input with the uri and query members filled in, output
  // in the model's shape); throws ApiError with Scheduler's codes and statuses.
  Json call(const std::string& operation, const Json& input);
  // Fires due schedules with `run_task` (startedBy "chronos-schedule/NAME").
  bool tick(const RunTask& run_task);

 private:
  Json update_schedule(const Json& in, bool create);
  Json get_schedule(const Json& in);
  Json delete_schedule(const Json& in);
  Json list_schedules(const Json& in);
  Json create_schedule_group(const Json& in);
  Json get_schedule_group(const Json& in);
  Json list_schedule_groups(const Json& in);
  Json delete_schedule_group(const Json& in);

  HttpResponse handle(const HttpRequest& request);
  std::string group_of(const Json& in);
  void schedule_next(Json& s, double after);

  Store& m_store;
  std::string m_region, m_account;
  double m_factor;
  std::function<double()> m_clock;
};

}  // namespace ecsctl::local
