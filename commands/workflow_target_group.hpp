// Target groups and load balancers for ECS services: what a task definition
// implies for a target group (type, port, protocol) and creating a load
// balancer with a listener that forwards to one.
#pragma once
#include <optional>
#include <string>

#include "core/json.hpp"
#include "commands/journal.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

struct TargetGroupSettings {
  std::string network_mode;      // awsvpc, bridge, host
  std::string target_type;       // ip (awsvpc) or instance (bridge, host)
  std::string protocol;          // HTTP, UDP, ...
  std::string protocol_version;  // HTTP2, GRPC or ""
  long port = 0;                 // the container port
};

// Derives the settings for `container` of `def` (its port mapping for `port`,
// or its first one). Throws a usage Error when the container or port is not
// there.
TargetGroupSettings derive_target_group(const Json& def, const std::string& container, std::optional<long> port);

// Fills TargetType, Port, Protocol and ProtocolVersion of a CreateTargetGroup
// input where the user gave none; a TargetType that cannot reach tasks in that
// network mode is a usage Error (before any call).
void apply_target_group_settings(Json& input, const TargetGroupSettings& s);

// The loadBalancers entry ({targetGroupArn, containerName, containerPort}) of a
// service behind target group `tg` (name or ARN): the container and port are
// checked against `def` first, so a wrong one fails before any change.
Json service_load_balancer(Runtime& rt, const Json& def, const std::string& tg, const std::string& container,
                           std::optional<long> port);

struct ListenerPlan {
  std::string target_group;   // name or ARN
  std::string type = "application";
  std::string protocol;       // default HTTP (application) or TCP (network)
  long port = 80;
};

// CreateLoadBalancer with `lb_input`, then a listener forwarding to the target
// group, reusing one that already forwards there on that port. Returns the
// CreateLoadBalancer output plus "Listeners". Records its steps in `journal`
// and names them in errors.
Json create_load_balancer_with_listener(Runtime& rt, const Json& lb_input, const ListenerPlan& plan, Journal& journal);

}  // namespace ecsctl::commands::workflow
