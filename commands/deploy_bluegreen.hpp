// ECS's native blue/green deployments in the workflows: the stage of the
// deployment in progress (for deploy's progress and status), and rollback
// during one through StopServiceDeployment.
#pragma once
#include <optional>
#include <string>

#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "core/context.hpp"
#include "core/json.hpp"

namespace ecsctl::commands::workflow {

// Whether the service deploys with deploymentConfiguration.strategy BLUE_GREEN.
bool is_blue_green(const Json& service);

// The service's newest deployment from its history, for a person:
// {serviceDeploymentArn, status, lifecycleStage, taskDefinition} and, with
// `target_groups`, {greenTargetGroup, blueTargetGroup} (from the revisions'
// resolved load balancers). Null when the endpoint keeps no history.
Json newest_deployment(Runtime& rt, const std::string& cluster, const Json& service, bool target_groups);

// The text deploy's progress adds for a blue/green deployment: "stage BAKE_TIME".
std::string stage_note(Runtime& rt, const std::string& cluster, const Json& service);

// `rollback` while a blue/green deployment is in progress: StopServiceDeployment
// (ROLLBACK), then waits (unless no_wait) until its status is ROLLBACK_SUCCESSFUL
// (exit 0), ROLLBACK_FAILED (exit 5) or the timeout passes (exit 4). nullopt
// when no blue/green deployment is in progress.
std::optional<int> rollback_blue_green(Context& ctx, Runtime& rt, const std::string& cluster, const std::string& service,
                                       const Json& svc, const WaitOptions& wait, bool no_wait);

}  // namespace ecsctl::commands::workflow
