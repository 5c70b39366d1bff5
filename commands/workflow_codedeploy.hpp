// Deployments of ECS services whose deployment controller is CODE_DEPLOY:
// the AppSpec (as the AWS CLI's `aws ecs deploy` sends it, or generated from
// the service), CreateDeployment, the wait on GetDeployment with progress,
// StopDeployment with rollback. Used by `deploy` (both its forms) and `rollback`.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

#include "commands/command.hpp"
#include "commands/journal.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "core/context.hpp"
#include "core/json.hpp"

namespace ecsctl::commands::workflow::codedeploy {

// Whether the service (DescribeServices' element) deploys through CodeDeploy.
bool uses_codedeploy(const Json& service);

// The cluster name of a cluster or service ARN (the part after the first '/').
std::string cluster_name_from_arn(const std::string& arn);

// The AWS CLI's default names: AppECS-<cluster>-<service> and
// DgpECS-<cluster>-<service>, each name cut to 46 characters.
std::string default_application(const std::string& cluster, const std::string& service);
std::string default_deployment_group(const std::string& cluster, const std::string& service);

// The AWS CLI's messages for an AppSpec without a required property:
// "Error: Resource 'R' must include property 'P'".
struct AppSpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes `arn` into every resource's properties.taskDefinition, finding the
// keys case-insensitively and keeping their spelling, as the AWS CLI does.
void set_task_definition(Json& appspec, const std::string& arn);

// CreateDeployment's input for `appspec`: revisionType AppSpecContent, the
// content as pyfmt::json_dumps (Python's json.dumps) and its SHA-256.
Json create_deployment_input(const std::string& application, const std::string& group, const Json& appspec);

// The AppSpec ecsctl writes for a service: one TargetService resource with the
// task definition, the container name and port of the service's (first) load
// balancer, and its platform version, network configuration and capacity
// provider strategy when it has them. `service` holds CreateService members
// (a service file) or DescribeServices' element.
Json generate_appspec(const Json& service, const std::string& task_definition_arn);

// The CodeDeploy application and deployment group of a service.
struct Names {
  std::string application, group;
};
// From --codedeploy-application / --codedeploy-deployment-group, else the defaults.
Names names_for(const Args& args, const Json& service);

// Checks the application and group (GetApplication, GetDeploymentGroup) as the
// AWS CLI does; returns the deployment group (deploymentGroupInfo). Throws a
// usage error naming the fix when they are missing or target another service.
Json check_resources(Runtime& rt, const Names& names, const Json& service);

struct Options {
  Names names;
  WaitOptions wait;
  bool rollback_on_failure = false;  // StopDeployment with autoRollbackEnabled on timeout
  bool no_wait = false;
};

// ecsctl's deploy of `task_definition_arn` to a CODE_DEPLOY service:
// CreateDeployment with the generated AppSpec (from `spec`, see
// generate_appspec), then the wait with progress on stderr. Returns the final
// GetDeployment deploymentInfo. Throws Error(Exit::deployment_failed) when the
// deployment fails or is stopped, Error(Exit::wait_timed_out) on --timeout
// (after StopDeployment with rollback when rollback_on_failure: exit 5).
Json deploy(Context& ctx, Runtime& rt, const Json& spec, const std::string& task_definition_arn,
            const Options& opts, Journal& journal);

// `rollback` of a CODE_DEPLOY service: StopDeployment with autoRollbackEnabled
// on the group's running deployment, then waits until it has stopped. Returns
// nullopt when no deployment is running (the caller deploys the last good
// revision instead).
std::optional<Json> stop_running(Context& ctx, Runtime& rt, const Options& opts, Journal& journal);

// ecsctl's deploy of a CODE_DEPLOY service (the flag form and the project
// form): checks the CodeDeploy application and group, registers (or reuses)
// the task definition, sends UpdateService for `update` (members CodeDeploy
// does not carry) when there are any, then deploy(); prints the final
// deployment and service on stdout. --dry-run prints the requests instead.
struct Deployment {
  Json service;            // the live service (DescribeServices' element)
  Json spec;               // what the AppSpec is generated from (service members)
  Json definition;         // the registration input, when `register_definition`
  bool register_definition = false;
  std::string target;      // the revision to deploy otherwise
  Json update = Json::object();
  bool dry_run = false;
};
int run_deploy(Context& ctx, Runtime& rt, const Args& args, Deployment d, Options opts);

// The members of a service that the ECS AppSpec carries (a deployment through
// CodeDeploy changes them, not UpdateService).
bool appspec_member(const std::string& member);

// The AWS CLI's `aws ecs deploy` (deploy --codedeploy-appspec): see deploy_codedeploy.cpp.
int run_awscli_deploy(Context& ctx, Args& args);

// The flags deploy and rollback take for CodeDeploy (application and group).
const std::vector<FlagSpec>& flags();
// deploy's: flags() and --codedeploy-appspec.
const std::vector<FlagSpec>& awscli_flags();

}  // namespace ecsctl::commands::workflow::codedeploy
