// Elastic Load Balancing v2 of the local control plane over the Query protocol:
// load balancers, listeners (forward actions), target groups, targets and
// their health, and tags. Resources are stored in the model's output shapes.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "core/json.hpp"
#include "local/lb_proxy.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

// How long target health and load balancer provisioning take: `fast` divides
// AWS's durations by k_elb_fast_factor; `real` keeps them.
inline constexpr double k_elb_fast_factor = 300.0;
// The VPC of the local plane when no request has named one.
inline constexpr const char* k_default_vpc = "vpc-0local";

// The target group ARNs an action list forwards to (TargetGroupArn and
// ForwardConfig.TargetGroups, each once).
std::vector<std::string> forwarded_target_groups(const Json& actions);

class Elbv2 {
 public:
  // `clock` returns the current time in seconds (injectable for tests).
  Elbv2(Store& store, std::string region, std::string account, bool fast,
        std::function<double()> clock = nullptr);
  // Registers the ELBv2 Query actions (Version=2015-12-01) on `router`.
  void register_operations(Router& router);
  // Runs one operation on decoded input (the model's input shape) and returns
  // its output; throws ApiError with ELBv2's codes. Does not commit.
  Json call(const std::string& operation, const Json& input);

  // The stored target group with this ARN, or nullptr.
  const Json* target_group(const std::string& arn);
  // Registration from ECS or RegisterTargets: adds (or re-registers) a target
  // / starts draining it. `address`: where the target really answers (see
  // reachable_address); empty for a simulated target.
  void register_target(const std::string& target_group_arn, const std::string& id, long port,
                       const std::string& address = "");
  void deregister_target(const std::string& target_group_arn, const std::string& id, long port);
  // The TargetHealth ({State, Reason, Description}) DescribeTargetHealth gives
  // a registered target, or null when it is not registered.
  Json target_health(const std::string& target_group_arn, const std::string& id, long port);
  // Drops targets whose draining has finished; returns whether anything changed.
  // With the runtime started, also hands it the current configuration.
  bool tick();

  // THE place that decides which targets are real: the address health checks
  // and the listeners' proxies use for a target of `target_type` ("ip" or
  // "instance") with this id, or "" for a simulated one (always healthy once
  // its simulated checks have passed, and never contacted). `task_port` > 0:
  // the target is a service task's. Real are ip targets on loopback
  // (127.0.0.0/8), and, once set_tasks_reachable(true), service tasks' targets
  // (awsvpc: the task's address; bridge/host: 127.0.0.1 and the host port) and
  // every ip target. The simulated runtime's 10.x task addresses answer
  // nothing, so tasks stay simulated unless a runtime with real containers
  // turns this on.
  std::string reachable_address(const std::string& target_type, const std::string& id, bool task) const;
  void set_tasks_reachable(bool on) { m_tasks_reachable = on; }

  // Opens the listeners as real proxies on 127.0.0.1 and runs real health
  // checks (local/lb_proxy.hpp). Without it (unit tests), targets' health
  // follows the simulated timer only.
  void start_runtime(std::function<void(const std::string&)> log = nullptr);
  // Where each listener really listens: [{ListenerArn, Port, Protocol,
  // Address}]; empty when the runtime is not started.
  Json listener_endpoints() const;

 private:
  Json create_load_balancer(const Json& in);
  Json describe_load_balancers(const Json& in);
  Json delete_load_balancer(const Json& in);
  Json create_target_group(const Json& in);
  Json describe_target_groups(const Json& in);
  Json modify_target_group(const Json& in);
  Json delete_target_group(const Json& in);
  Json create_listener(const Json& in);
  Json describe_listeners(const Json& in);
  Json delete_listener(const Json& in);
  Json register_targets(const Json& in);
  Json deregister_targets(const Json& in);
  Json describe_target_health(const Json& in);
  Json add_tags(const Json& in);
  Json remove_tags(const Json& in);
  Json describe_tags(const Json& in);
  Json describe_target_group_attributes(const Json& in);
  Json modify_target_group_attributes(const Json& in);
  // Listener rules (local/elbv2_rules.cpp); a listener's default rule is its DefaultActions.
  Json create_rule(const Json& in);
  Json describe_rules(const Json& in);
  Json modify_rule(const Json& in);
  Json delete_rule(const Json& in);
  Json checked_actions(const Json& listener, Json actions);
  std::vector<Json> listener_rules(const std::string& listener_arn);
  std::string default_rule_arn(const std::string& listener_arn) const;
  std::string default_rule_listener(const std::string& rule_arn);
  // The configuration LbRuntime::update takes.
  Json runtime_snapshot();

  std::string arn(const std::string& resource) const;
  // The VPC the plane's subnets are in, and so its load balancers: the one
  // existing load balancers report, else the one the first target group
  // named, else k_default_vpc. Subnets carry no VPC locally; one VPC for all
  // keeps a load balancer and its target groups consistent.
  std::string subnets_vpc();
  double scaled(double seconds) const { return m_fast ? seconds / k_elb_fast_factor : seconds; }
  Json load_balancer_view(const Json& stored) const;
  Json health_of(const Json& tg, const Json& target) const;
  void require_resource(const std::string& arn);

  Store& m_store;
  std::string m_region, m_account;
  bool m_fast;
  std::function<double()> m_clock;
  std::mt19937_64 m_rng;
  bool m_tasks_reachable = false;
  std::unique_ptr<LbRuntime> m_runtime;
  std::chrono::steady_clock::time_point m_last_snapshot{};
};

}  // namespace ecsctl::local
