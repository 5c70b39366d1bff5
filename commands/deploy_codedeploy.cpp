// `ecsctl deploy --service S --task-definition FILE --codedeploy-appspec FILE`:
// the AWS CLI's `aws ecs deploy`, with its requests in its order, its messages
// on stdout and stderr and its exit codes. DescribeServices, GetApplication,
// GetDeploymentGroup, RegisterTaskDefinition, CreateDeployment with the AppSpec
// whose taskDefinition is the new ARN (sent as Python's json.dumps writes it),
// then GetDeployment every 15 seconds until it succeeds.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <set>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/param_input.hpp"
#include "commands/poller.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_codedeploy.hpp"
#include "core/error.hpp"
#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::commands::workflow::codedeploy {
namespace {

// What the AWS CLI prints as "\n<message>\n" on stderr with exit code 255.
struct CliFailure {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw CliFailure{std::move(message)}; }

// os.path.expanduser(os.path.expandvars(path)): $NAME and ${NAME} of set
// variables, then a leading ~.
std::string expand_path(Context& ctx, const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    if (path[i] != '$') {
      out += path[i++];
      continue;
    }
    std::size_t start = i + 1, end = start;
    bool braced = start < path.size() && path[start] == '{';
    if (braced) {
      end = path.find('}', start);
      if (end == std::string::npos) {
        out += path[i++];
        continue;
      }
    } else {
      while (end < path.size() && (std::isalnum(static_cast<unsigned char>(path[end])) || path[end] == '_')) ++end;
    }
    std::string name = braced ? path.substr(start + 1, end - start - 1) : path.substr(start, end - start);
    auto v = name.empty() ? std::nullopt : ctx.env.get(name);
    std::size_t next = braced ? end + 1 : end;
    if (v) out += *v;
    else out += path.substr(i, next - i);
    i = std::max(next, i + 1);
  }
  if (!out.empty() && out[0] == '~' && (out.size() == 1 || out[1] == '/'))
    if (auto home = ctx.env.get("HOME")) out = *home + out.substr(1);
  return out;
}

std::string read_file(Context& ctx, const std::string& arg) {
  std::string full = expand_path(ctx, arg);
  std::ifstream f(full, std::ios::binary);
  if (!f) {
    int err = errno;
    fail("Error: Unable to load file at " + arg + ": [Errno " + std::to_string(err) + "] " + std::strerror(err) +
         ": '" + full + "'");
  }
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

// A service error of a step, worded as the AWS CLI's ServiceClientError.
template <class F>
Json step(const std::string& action, F&& call) {
  try {
    return call();
  } catch (const ServiceError& e) {
    fail("Failed to " + action + ":\n" + e.what());
  }
}

long minutes(const Json& info, const char* outer, const char* inner) {
  if (!info.contains("blueGreenDeploymentConfiguration")) return 0;
  const Json& bg = info["blueGreenDeploymentConfiguration"];
  if (!bg.contains(outer) || !bg[outer].contains(inner) || !bg[outer][inner].is_number()) return 0;
  return bg[outer][inner].get<long>();
}

// Clears --endpoint-url while CodeDeploy is called: the AWS CLI gives it to
// the ECS client only, and finds CodeDeploy's endpoint from the region (or
// AWS_ENDPOINT_URL_CODEDEPLOY, AWS_ENDPOINT_URL, the profile's endpoint_url).
struct WithoutEndpointOption {
  Context& ctx;
  std::optional<std::string> saved;
  explicit WithoutEndpointOption(Context& c) : ctx(c), saved(c.opts.endpoint_url) { c.opts.endpoint_url.reset(); }
  ~WithoutEndpointOption() { ctx.opts.endpoint_url = saved; }
};

int run(Context& ctx, Args& args) {
  static const std::set<std::string_view> own = {"--service", "--task-definition", "--codedeploy-appspec", "--cluster",
                                                 "--codedeploy-application", "--codedeploy-deployment-group"};
  for (const auto& f : commands::deploy.flags)
    if (!own.count(f.name) && args.has(f.name))
      throw_usage("Unknown options: " + std::string(f.name),
                  "the AWS CLI form of deploy (--codedeploy-appspec) takes --service, --task-definition, "
                  "--codedeploy-appspec, --cluster, --codedeploy-application and --codedeploy-deployment-group");
  if (!args.positionals().empty()) throw_usage("Unknown options: " + args.positionals()[0]);
  std::vector<std::string> missing;
  for (const char* f : {"--service", "--task-definition", "--codedeploy-appspec"})
    if (!args.value(f)) missing.push_back(f);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw_usage("the following arguments are required: " + list);
  }
  const std::string service = *args.value("--service");

  // The files first, as the AWS CLI reads them before any call.
  std::string td_text = read_file(ctx, *args.value("--task-definition"));
  Json task_definition = Json::parse(td_text, nullptr, false);
  if (task_definition.is_discarded() || !task_definition.is_object())
    fail("Error: the task definition file " + *args.value("--task-definition") + " is not a JSON object");
  std::string appspec_text = read_file(ctx, *args.value("--codedeploy-appspec"));
  Json appspec = Json::parse(appspec_text, nullptr, false);
  if (appspec.is_discarded()) {
    try {
      appspec = param::parse_yaml(appspec_text, "--codedeploy-appspec");
    } catch (const Error& e) {
      fail(e.what());
    }
  }

  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  const std::string cluster = args.value("--cluster").value_or("default");
  Json described = step("describe ECS service", [&] {
    return rt.call("ecs", "DescribeServices", {{"cluster", cluster}, {"services", Json::array({service})}});
  });
  if (!described.contains("services") || described["services"].empty())
    fail("Error: Service '" + service + "' not found in cluster '" + cluster + "'");
  const Json svc = described["services"][0];
  const std::string service_name = str(svc, "serviceName"), service_arn = str(svc, "serviceArn");
  const std::string cluster_arn = str(svc, "clusterArn"), cluster_name = cluster_name_from_arn(cluster_arn);
  const std::string app = args.value("--codedeploy-application").value_or(default_application(cluster_name, service_name));
  const std::string group =
      args.value("--codedeploy-deployment-group").value_or(default_deployment_group(cluster_name, service_name));

  Json app_details, group_details;
  {
    WithoutEndpointOption scope(ctx);
    app_details = step("describe Code Deploy application",
                       [&] { return rt.call("codedeploy", "GetApplication", {{"applicationName", app}}); });
    group_details = step("describe Code Deploy deployment group", [&] {
      return rt.call("codedeploy", "GetDeploymentGroup", {{"applicationName", app}, {"deploymentGroupName", group}});
    });
  }
  if (str(app_details.value("application", Json::object()), "computePlatform") != "ECS")
    fail("Error: Application '" + app + "' must support 'ECS' compute platform");
  const Json info = group_details.value("deploymentGroupInfo", Json::object());
  if (str(info, "computePlatform") != "ECS") fail("Error: Deployment Group '" + group + "' must support 'ECS' compute platform");
  for (const auto& t : info.value("ecsServices", Json::array())) {
    if (str(t, "serviceName") != service_name && str(t, "serviceName") != service_arn)
      fail("Error: deployment group '" + group + "' does not target ECS service '" + service_name + "'");
    if (str(t, "clusterName") != cluster_name && str(t, "clusterName") != cluster_arn)
      fail("Error: deployment group '" + group + "' does not target ECS cluster '" + cluster_name + "'");
  }
  long wait_min = minutes(info, "deploymentReadyOption", "waitTimeInMinutes") +
                  minutes(info, "terminateBlueInstancesOnDeploymentSuccess", "terminationWaitTimeInMinutes") + 10;

  // botocore's parameter validation, when the call is made (not a ServiceClientError).
  const model::OperationView& view = model::view("ecs", "RegisterTaskDefinition");
  if (view.input) {
    model::Findings findings = model::validate(*view.input, task_definition, model::client_checks());
    try {
      model::throw_client_error(findings);
    } catch (const Error& e) {
      fail(e.what());
    }
  }
  Json registered = step("register ECS task definition",
                         [&] { return rt.call("ecs", "RegisterTaskDefinition", task_definition); });
  const std::string arn = str(registered.value("taskDefinition", Json::object()), "taskDefinitionArn");
  ctx.out << "Successfully registered new ECS task definition " << arn << "\n" << std::flush;

  try {
    set_task_definition(appspec, arn);
  } catch (const AppSpecError& e) {
    fail(e.what());
  }
  std::string id;
  {
    WithoutEndpointOption scope(ctx);
    id = str(step("create deployment",
                  [&] { return rt.call("codedeploy", "CreateDeployment", create_deployment_input(app, group, appspec)); }),
             "deploymentId");
  }
  ctx.out << "Successfully created deployment " << id << "\n";

  if (wait_min > 360) wait_min = 360;
  else if (wait_min < 30) wait_min = 30;
  ctx.out << "Waiting for " << id << " to succeed (will wait up to " << wait_min << " minutes)...\n" << std::flush;
  // The AWS CLI's DeploymentSuccessful waiter: every 15 seconds
  // (ECSCTL_POLL_INTERVAL changes the delay, not the number of attempts).
  const double delay = ctx.env.get_nonempty("ECSCTL_POLL_INTERVAL") ? poll_interval(ctx, std::nullopt) : 15.0;
  const long max_attempts = wait_min * 60 / 15;
  for (long attempt = 1;; ++attempt) {
    Json out;
    try {
      WithoutEndpointOption scope(ctx);
      out = rt.call("codedeploy", "GetDeployment", {{"deploymentId", id}});
    } catch (const ServiceError& e) {
      fail("Waiter DeploymentSuccessful failed: An error occurred (" + e.error_code() + "): " + e.service_message());
    }
    const std::string status = str(out.value("deploymentInfo", Json::object()), "status");
    if (status == "Succeeded") break;
    if (status == "Failed" || status == "Stopped")
      fail("Waiter DeploymentSuccessful failed: Waiter encountered a terminal failure state: For expression "
           "\"deploymentInfo.status\" we matched expected path: \"" + status + "\"");
    if (attempt >= max_attempts) fail("Waiter DeploymentSuccessful failed: Max attempts exceeded");
    rt.sleep(delay);
  }
  ctx.out << "Successfully deployed " << arn << " to service '" << service_name << "'\n" << std::flush;
  return 0;
}

}  // namespace

int run_awscli_deploy(Context& ctx, Args& args) {
  try {
    return run(ctx, args);
  } catch (const CliFailure& f) {
    ctx.out << std::flush;
    ctx.err << "\n" << f.message << "\n" << std::flush;
    return static_cast<int>(Exit::other);
  }
}

}  // namespace ecsctl::commands::workflow::codedeploy
