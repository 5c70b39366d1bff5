// The ECS service of the local control plane: clusters, container instances,
// task definitions, tasks, services, tags and capacity providers over JSON 1.1,
// with ECS's placement and a background engine driving task lifecycles and
// service deployments.
#pragma once
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "local/placement.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

enum class Pace { fast, real };

class Runtime;

// Called (under the state lock, inside the store transaction) when a task
// reaches RUNNING or STOPPED: load-balancer target registration plugs in here.
struct TaskHooks {
  std::vector<std::function<void(const Json& task)>> on_running;
  std::vector<std::function<void(const Json& task)>> on_stopped;
  // Called (as the two above) when a task is asked to stop (desiredStatus
  // becomes STOPPED), before its containers are stopped: its targets start
  // draining then, so that no new request goes to a task that is going.
  std::vector<std::function<void(const Json& task)>> on_stopping;
  // Extra checks of a CreateService input against its task definition (may throw ApiError).
  std::vector<std::function<void(const Json& input, const Json& task_definition)>> on_create_service;
  // Why a RUNNING service task fails a health check outside ECS (its target
  // group's): `reason` the task's stop reason ("Task failed ELB health checks
  // in (target-group ARN)"), `event` the service event's words after
  // "(service NAME) " ("(task ID) (port P) is unhealthy in (target-group ARN)
  // due to (reason ...)"); both empty when it does not. The service scheduler
  // replaces such a task once its service's healthCheckGracePeriodSeconds
  // since the task started have passed.
  struct HealthFailure {
    std::string reason, event;
  };
  std::vector<std::function<HealthFailure(const Json& task)>> health_failure;
  // Whether a RUNNING service task is not yet in service outside ECS (a target
  // of it is still `initial` or `unhealthy` in its target group): its
  // deployment is not COMPLETED, and it does not count as healthy for
  // minimumHealthyPercent, until it is.
  std::vector<std::function<bool(const Json& task)>> awaiting_health;
  // Blue/green traffic shifts (local/elbv2_ecs.cpp): the forward target groups
  // of a listener rule ([{TargetGroupArn, Weight}]; ApiError when the rule is
  // unknown), and replacing them.
  std::function<Json(const std::string& rule_arn)> rule_forward;
  std::function<void(const std::string& rule_arn, const Json& groups)> set_rule_forward;
};

class Ecs {
 public:
  Ecs(Store& store, std::string region, std::string account, Pace pace);
  ~Ecs();
  Ecs(const Ecs&) = delete;
  Ecs& operator=(const Ecs&) = delete;
  // Registers every ECS operation on `router` (target prefix AmazonEC2ContainerServiceV20141113).
  void register_operations(Router& router);
  // One step of time-driven behaviour (task lifecycles, service scheduling);
  // call under the state lock and commit afterwards. Returns whether anything changed.
  bool tick();
  TaskHooks& hooks() { return m_hooks; }
  // The runtime that runs the tasks' containers (local/runtime.hpp). None, or
  // a simulated one: the timers of local/ecs_engine.cpp move tasks along.
  // With an engine, call adopt_tasks() once (under the state lock) after
  // setting it: tasks started before a restart are followed again.
  void set_runtime(Runtime* runtime) { m_runtime = runtime; }
  void adopt_tasks();
  // Whether an engine runtime runs the tasks (not the timers).
  bool engine_runtime() const;
  Pace pace() const { return m_pace; }

  // Operations (input and output in the model's shapes); public for tests and tools.
  Json create_cluster(const Json& in);
  Json describe_clusters(const Json& in);
  Json list_clusters(const Json& in);
  Json delete_cluster(const Json& in);
  Json update_cluster(const Json& in);
  Json update_cluster_settings(const Json& in);
  Json put_cluster_capacity_providers(const Json& in);
  Json describe_capacity_providers(const Json& in);
  Json register_container_instance(const Json& in);
  Json deregister_container_instance(const Json& in);
  Json list_container_instances(const Json& in);
  Json describe_container_instances(const Json& in);
  Json register_task_definition(const Json& in);
  Json describe_task_definition(const Json& in);
  Json list_task_definitions(const Json& in);
  Json list_task_definition_families(const Json& in);
  Json deregister_task_definition(const Json& in);
  Json delete_task_definitions(const Json& in);
  Json run_task(const Json& in);
  Json start_task(const Json& in);
  Json stop_task(const Json& in);
  Json describe_tasks(const Json& in);
  Json list_tasks(const Json& in);
  Json create_service(const Json& in);
  Json update_service(const Json& in);
  Json delete_service(const Json& in);
  Json describe_services(const Json& in);
  Json list_services(const Json& in);
  Json tag_resource(const Json& in);
  Json untag_resource(const Json& in);
  Json list_tags_for_resource(const Json& in);
  Json execute_command(const Json& in);  // local/ecs_exec.cpp
  // The service deployment history (local/ecs_deployments.cpp).
  Json list_service_deployments(const Json& in);
  Json describe_service_deployments(const Json& in);
  Json describe_service_revisions(const Json& in);
  Json stop_service_deployment(const Json& in);

  // Counts of what the store holds (for `ecsctl local status`).
  Json counts();
  // How long a STOPPED task stays visible before it is forgotten (ECS: an hour).
  void set_stopped_task_ttl(double seconds) { m_stopped_task_ttl = seconds; }
  // Forgets the tasks STOPPED longer than the TTL ago; returns how many.
  size_t forget_stopped_tasks(double now);

 private:
  friend struct EcsResources;
  friend struct InstancePool;
  friend struct TaskLifecycle;
  friend struct ServiceReconciler;
  friend struct TaskRuntime;
  friend struct ServiceHistory;
  friend struct BlueGreen;
  void find_busy_tasks();
  Runtime* m_runtime = nullptr;
  Store& m_store;
  std::string m_region, m_account;
  Pace m_pace;
  std::mt19937_64 m_rng;
  TaskHooks m_hooks;
  double m_last_reconcile = 0;
  double m_stopped_task_ttl = 3600, m_last_forget = 0;
  bool m_services_dirty = true;
  std::set<std::string> m_busy;  // tasks with a pending lifecycle step
  // The scheduler's view of each cluster's ACTIVE container instances, sorted by
  // ARN, built from the "instances" table and kept in step with it: the store
  // reports every changed instance (m_pool_stale), and only those are rebuilt.
  std::map<std::string, std::vector<Instance>, std::less<>> m_pools;
  std::set<std::string, std::less<>> m_pool_stale;
  bool m_pools_valid = false;
  int m_observer = 0;
};

}  // namespace ecsctl::local
