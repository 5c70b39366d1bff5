// Scheduled ECS tasks on EventBridge Scheduler (the default) or classic
// EventBridge rules (--use-rules), behind one small interface, plus the
// offline checks of expressions and time zones.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "commands/journal.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

// One scheduled task as both back ends store it: the Scheduler's Target shape
// ({Arn, RoleArn, EcsParameters}) is also what an EventBridge rule target holds.
struct ScheduledTask {
  std::string name;
  std::string group;       // Scheduler schedule group ("" = default)
  std::string expression;  // rate(...), cron(...), at(...)
  std::string timezone;    // Scheduler only
  std::string state = "ENABLED";
  Json target = Json::object();
  std::size_t rule_targets = 0;  // EventBridge rules: how many targets of any kind the rule has
  bool rule = false;             // an EventBridge rule (else a Scheduler schedule)
};

// Where schedules live.
struct ScheduleStore {
  Runtime& rt;
  bool use_rules = false;
  std::string group;  // Scheduler group

  // The scheduled task `name` in the back end `use_rules` chooses.
  std::optional<ScheduledTask> get(const std::string& name);
  // Every scheduled task called `name`, in both back ends (a Scheduler schedule
  // in `group`, an EventBridge rule that runs an ECS task or has no target yet).
  std::vector<ScheduledTask> find_all(const std::string& name);
  // The scheduled task `name` whichever back end holds it: with `use_rules` the
  // rule is preferred, else the schedule when both exist.
  std::optional<ScheduledTask> find(const std::string& name);
  // Creates (or, with `exists`, updates) the schedule. Each call that succeeds
  // is recorded in `journal`; a failure is rethrown saying what is not done.
  void put(const ScheduledTask& t, bool exists, Journal* journal = nullptr);
  // Deletes `t` from its own back end. A rule loses its ECS task targets; the
  // rule itself is deleted unless other (non-ECS) targets remain on it.
  void remove(const ScheduledTask& t);
  // The schedules and rules whose target is an ECS cluster (both back ends;
  // only rules with `rules_only`).
  std::vector<ScheduledTask> list(bool rules_only = false);
};

// Validates `expression` for the back end (and `timezone`); throws a usage
// Error that points at the bad character.
void check_schedule(const std::string& expression, const std::string& timezone, bool use_rules);

// The next `count` fire times as ISO 8601 strings, from `now` (Unix seconds): in
// UTC ("Z") without `timezone`, else in that zone with its offset ("+01:00").
std::vector<std::string> next_fire_times(const std::string& expression, const std::string& timezone, bool use_rules,
                                         long long now, std::size_t count = 5);

// The RunTask input that runs a scheduled task's target once now.
Json run_task_input(const ScheduledTask& t);

// The JSON shown for a scheduled task (list, describe).
Json to_json(const ScheduledTask& t);

}  // namespace ecsctl::commands::workflow
