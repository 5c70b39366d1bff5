// What EventBridge rules and Scheduler schedules share: the time compression
// of fast pacing, and starting ECS tasks from a target's EcsParameters.
#pragma once
#include <functional>
#include <string>

#include "core/json.hpp"
#include "schemas/schedule_expression.hpp"

namespace ecsctl::local {

// In fast pacing, schedule time runs k_schedule_fast_factor times faster than
// the wall clock from the moment a rule or schedule is created or enabled:
// rate(1 minute) fires every second, cron(0 * * * ? *) every minute.
inline constexpr double k_schedule_fast_factor = 60.0;

// Starts `count` tasks for a target: RunTask input (camelCase) from
// EcsParameters (PascalCase, as EventBridge and Scheduler spell them).
Json run_task_input(const std::string& cluster_arn, const Json& ecs_parameters, const std::string& started_by);

// The RunTask the control plane provides (the ECS service's run_task).
using RunTask = std::function<Json(const Json& run_task_input)>;

// The wall-clock time of the first fire of `e` after `after` (wall clock),
// with schedule time compressed by `factor` from `anchor` (wall clock), or -1
// when it never fires again. `options.anchor` is ignored (anchor is used).
double next_fire(const schedule::Expression& e, double anchor, double after, double factor, const std::string& timezone);

}  // namespace ecsctl::local
