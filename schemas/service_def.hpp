// Service definitions as files: the CreateService/UpdateService members in
// YAML or JSON, loaded through the task-definition path (positions, templating
// and lookups), validated offline against the ECS model and ECS's rules for a
// service and its task definition, and normalised for comparison with a live
// service.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::servicedef {

// Loads a service file (templated with `vars`). Members a described service
// has but CreateService does not take (serviceArn, status, deployments,
// events, ...) are dropped, so `describe-services` output pasted in works.
// Problems are findings of the document, as for task definitions.
taskdef::Document load_file(const std::string& path, const taskdef::TemplateVars* vars);

// Checks doc.def against the CreateService input model (types, unknown members
// with a "did you mean", enums, bounds) and ECS's rules for the service and
// `task_definition` (the RegisterTaskDefinition input it will run; null when
// unknown): awsvpc needs a network configuration, load balancers name a
// container and port of the task definition, deployment percentages fit the
// scheduling strategy, launchType and capacityProviderStrategy exclude each
// other, a health-check grace period needs a load balancer (or a container
// health check), Fargate platform versions, DAEMON limits. Appends findings
// with positions.
void validate(taskdef::Document& doc, const Json& task_definition);

// The members a service file manages, in the order a service file lists them.
const std::vector<std::string>& managed_members();
// Whether UpdateService can change `member` (launchType, schedulingStrategy,
// role and tags cannot be changed by it).
bool updatable(std::string_view member);
// Whether a file may leave `member` out to leave it as it is (desiredCount,
// availabilityZoneRebalancing): then the live value is not compared.
bool optional_member(std::string_view member);

// The comparable form of a service file or a described service: the managed
// members only, with what ECS fills in by default removed (deploymentController
// ECS, schedulingStrategy REPLICA, platformVersion LATEST, propagateTags NONE,
// false booleans, empty lists, assignPublicIp DISABLED, the circuit breaker
// off, maximumPercent 200 / minimumHealthyPercent 100 for REPLICA), subnets and
// security groups sorted, tags sorted by key, keys sorted.
Json normalize(const Json& service);

// The service file of a described service (DescribeServices' services[i]):
// the managed members with defaults removed, in managed_members() order.
Json from_described(const Json& service);

}  // namespace ecsctl::servicedef
