// ECS services behind ELBv2 target groups: tasks of a service with
// loadBalancers[] are registered when they reach RUNNING and deregistered
// (draining) when they stop; CreateService checks the target groups as ECS does.
#pragma once
#include "core/json.hpp"
#include "local/ecs.hpp"
#include "local/elbv2.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

// Adds the registration hooks to `ecs` (both objects must outlive it).
void connect_load_balancing(Ecs& ecs, Store& store, Elbv2& elbv2);

// Throws InvalidParameterException when a loadBalancers[] entry of a service
// names a missing target group, one without a load balancer, a container or
// port the task definition lacks, or a target type that does not fit the
// network mode (ip for awsvpc, instance for bridge and host).
void check_service_load_balancers(Elbv2& elbv2, const Json& service_input, const Json& task_definition);

// The (target group ARN, id, port) registrations of a task of a service.
std::vector<std::tuple<std::string, std::string, long>> task_targets(Store& store, Elbv2& elbv2, const Json& task);

}  // namespace ecsctl::local
