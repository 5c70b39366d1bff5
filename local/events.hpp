// Amazon EventBridge of the local control plane over JSON 1.1 (AWSEvents):
// rules on the default bus with schedule expressions, their targets with
// EcsParameters, and tags. Enabled scheduled rules start ECS tasks when they fire.
#pragma once
#include <functional>
#include <string>

#include "core/json.hpp"
#include "local/events_ecs.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

class Events {
 public:
  // `factor` compresses schedule time (k_schedule_fast_factor, or 1 for real
  // pacing); `clock` returns wall-clock seconds (injectable for tests).
  Events(Store& store, std::string region, std::string account, double factor,
         std::function<double()> clock = nullptr);
  // Registers the operations under the target prefix AWSEvents.
  void register_operations(Router& router);
  // Runs one operation (input and output in the model's shapes); throws ApiError.
  Json call(const std::string& operation, const Json& input);
  // Fires every enabled scheduled rule whose time has come, starting tasks with
  // `run_task` (startedBy "events-rule/NAME"); returns whether anything changed.
  bool tick(const RunTask& run_task);

 private:
  Json put_rule(const Json& in);
  Json describe_rule(const Json& in);
  Json list_rules(const Json& in);
  Json delete_rule(const Json& in);
  Json set_state(const Json& in, const char* state);
  Json put_targets(const Json& in);
  Json list_targets_by_rule(const Json& in);
  Json remove_targets(const Json& in);
  Json tag_resource(const Json& in);
  Json untag_resource(const Json& in);
  Json list_tags_for_resource(const Json& in);

  std::string bus_of(const Json& in) const;
  Json require_rule(const Json& in, const char* member);
  void schedule_next(Json& rule, double after);
  std::string rule_arn_key(const std::string& arn);

  Store& m_store;
  std::string m_region, m_account;
  double m_factor;
  std::function<double()> m_clock;
};

}  // namespace ecsctl::local
