// What the ECS operation files (local/ecs_*.cpp) share: identifiers, paging,
// request members, resource sizes and tags, and the steps on the Ecs state
// that several operations take (not part of the public interface).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "local/ecs.hpp"

namespace ecsctl::local {

inline constexpr const char* k_ecs_prefix = "AmazonEC2ContainerServiceV20141113";

double now_seconds();
// A new identifier of `n` lower-case hex digits / a UUID.
std::string hex_id(std::mt19937_64& rng, size_t n);
std::string uuid(std::mt19937_64& rng);
// The value with internal bookkeeping (the "_" member) removed.
Json public_view(const Json& stored);
// The last path segment of an ARN ("arn:...:cluster/name" -> "name"), or the input.
std::string arn_tail(std::string_view arn_or_name);
// Applies nextToken/maxResults to `items` and returns {key: page, nextToken?}.
Json paginate(const std::vector<std::string>& items, const Json& in, const char* key, long max_default = 100);
// The cluster's name from a name or ARN (default "default"); throws ClusterNotFoundException.
std::string require_cluster(Store& store, const Json& in, const char* member = "cluster");
std::string string_member(const Json& in, const char* name, std::string fallback = {});

// Parses "1 vCPU", "0.5 vcpu", "1024" (CPU units) and "2 GB", "512" (MiB); -1 when invalid.
long parse_cpu(const std::string& s);
long parse_memory(const std::string& s);

// Tags of a resource ARN (stored apart from the resource) and merging new ones in.
Json tags_of(Store& store, const std::string& arn);
void put_tags(Store& store, const std::string& arn, const Json& tags);

// Gives the task's containers their runtimeId (and, with enableExecuteCommand,
// a RUNNING ExecuteCommandAgent) when they start (local/ecs_exec.cpp).
void give_runtime_ids(Json& task, double now);

// The steps that several ECS operations (and the background engine) take on
// the Ecs state, grouped by what they do. Each is a friend of Ecs.

// Naming and finding resources: ARNs in this plane's region and account, task
// definitions by reference, and the cluster as DescribeClusters shows it.
struct EcsResources {
  static std::string arn(const Ecs& e, const std::string& resource);
  // The task definition named by family, family:revision or ARN; throws `error_code`.
  static Json resolve_task_definition(Ecs& e, const std::string& ref, const char* error_code,
                                      const char* message);
  static Json decorate_cluster(Ecs& e, const Json& cluster, const Json& include);
};

// The container instances placement chooses from, and their remaining resources.
struct InstancePool {
  // The scheduler's view of one stored ContainerInstance.
  static Instance instance_view(const std::string& arn, const Json& ci);
  // The scheduler's view of the cluster's ACTIVE container instances, sorted by
  // ARN: the cached pool itself (valid until the next store change), or a copy.
  static std::vector<Instance>& pool_of(Ecs& e, const std::string& cluster);
  static std::vector<Instance> instances_of(Ecs& e, const std::string& cluster) { return pool_of(e, cluster); }
  // Writes the remaining resources of `in` back into its stored ContainerInstance.
  static void save_instance(Ecs& e, const Instance& in);
};

// Starting and stopping tasks.
struct TaskLifecycle {
  static TaskNeeds needs_of(const Json& taskdef, const Json& overrides, const std::string& group);
  // Launches tasks of `td`: placement for EC2, addresses for awsvpc. Output of RunTask.
  static Json launch(Ecs& e, const std::string& cluster, const Json& td, const Json& in, int count,
                     const std::string& started_by, const std::vector<Instance>* only);
  // Moves a task towards STOPPED with the given reason.
  static void request_stop(Ecs& e, Json& task, const std::string& reason, const std::string& stop_code);
  static void finish_stop(Ecs& e, Json& task);
};

// Tasks on the engine runtime (local/ecs_runtime.cpp).
struct TaskRuntime {
  // One lifecycle step of a task whose containers the runtime runs; returns
  // whether the task is still busy.
  static bool advance(Ecs& e, Json& task, double now);
  // Applies what the runtime reported; returns whether anything changed.
  static bool apply_events(Ecs& e);
  static void adopt(Ecs& e);
};

// The service scheduler: bringing a service's tasks to its desired state.
struct ServiceReconciler {
  static void service_event(Json& svc, const std::string& message, std::mt19937_64& rng);
  // `live`: the service's tasks that were not STOPPED when the scheduler's pass began.
  static bool reconcile_service(Ecs& e, Json& svc, const std::vector<std::string>& live);
  // ECS's service throttle logic: a service task that stopped without the
  // scheduler or a user asking, before RUNNING or within seconds of it, makes
  // the next launches of the service wait longer (see local/README.md).
  static void note_task_failed(Ecs& e, Json& svc, const Json& task);
};

// The service deployment history (local/ecs_deployments.cpp): a
// ServiceDeployment and a ServiceRevision for every deployment of a service
// (rolling or blue/green), kept in step with the service's deployments[].
struct ServiceHistory {
  // Records new deployments of `svc` and updates the status, counts and
  // stage of the recorded ones (call after any change of svc's deployments).
  static bool sync(Ecs& e, Json& svc);
  // The ServiceDeployment ARN of the service's deployment `id`, or "".
  static std::string deployment_arn(const Json& svc, const std::string& id);
};

// ECS's native blue/green strategy (local/ecs_bluegreen.cpp), driven by the
// service scheduler: green tasks in the alternate target group, the lifecycle
// stages, the listener rules moved at the traffic shifts, bake time, clean-up.
struct BlueGreen {
  // Whether `svc` deploys blue/green and its primary deployment is one in progress.
  static bool active(const Json& svc);
  // Starts the stages for the service's new primary deployment (UpdateService).
  static void begin(Ecs& e, Json& svc);
  // The current stage, or "" when no blue/green deployment is in progress.
  static std::string stage(const Json& svc);
  // Whether the scheduler may launch the primary deployment's tasks now.
  static bool may_scale_up(const Json& svc);
  // Whether the scheduler may stop the old (blue) deployments' running tasks.
  static bool may_stop_blue(const Json& svc);
  // One step of the stages; `green_running`: the primary deployment's RUNNING
  // tasks; `blue_left`: the other deployments' tasks. Returns whether anything changed.
  static bool advance(Ecs& e, Json& svc, long green_running, long blue_left);
  // StopServiceDeployment ROLLBACK of the blue/green deployment in progress.
  static void roll_back(Ecs& e, Json& svc, const std::string& reason);
  // The target group (targetGroupArn or alternateTargetGroupArn) that the
  // tasks of deployment `id` register in, for load balancer `lb`.
  static std::string target_group_of(const Json& svc, const Json& lb, const std::string& id);
};

// How much faster than ECS the plane's timers run: 1 at --pace real, 0.1 at --pace fast.
inline double time_factor(Pace pace) { return pace == Pace::fast ? 0.1 : 1.0; }

}  // namespace ecsctl::local
