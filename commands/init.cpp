// `ecsctl init --cluster C --service S`: writes the project file, the service
// file and the task-definition file of a live service, so that right after it
// `diff` shows nothing and `deploy` changes nothing.
#include <filesystem>
#include <fstream>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/project.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_taskdef.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/service_def.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl::commands::project {
namespace {
namespace fs = std::filesystem;

// Drops nulls (DescribeTaskDefinition has none today; a file should not either).
Json without_nulls(const Json& v) {
  if (v.is_object()) {
    Json o = Json::object();
    for (auto& [k, x] : v.items())
      if (!x.is_null()) o[k] = without_nulls(x);
    return o;
  }
  if (v.is_array()) {
    Json a = Json::array();
    for (const auto& x : v) a.push_back(without_nulls(x));
    return a;
  }
  return v;
}

std::string rendering(const Json& v, const std::string& file) {
  return file.ends_with(".json") ? v.dump(2) + "\n" : render_yaml(v);
}

void write_file(const std::string& path, const std::string& text) {
  fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !(out << text) || !out.flush())
    throw Error(Exit::other, "cannot write " + path, path, "check the directory and its permissions");
}

// `target` relative to the directory of `project_file`, as the project file names it.
std::string relative_to(const std::string& project_file, const std::string& target) {
  fs::path dir = fs::absolute(fs::path(project_file)).parent_path();
  return fs::absolute(fs::path(target)).lexically_relative(dir).string();
}

int run_init(Context& ctx, Args& args) {
  auto service = args.value("--service");
  if (!service) service = args.positional(0);
  if (!service) throw_usage("init needs --service", "ecsctl init --cluster CLUSTER --service SERVICE");
  const std::string cluster = args.value("--cluster").value_or("");
  const std::string config = args.value("--config").value_or("ecsctl.yaml");
  fs::path dir = fs::path(config).parent_path();
  auto in_dir = [&](const std::string& name) { return dir.empty() ? name : (dir / name).string(); };
  const std::string svc_file = args.value("--service-definition").value_or(in_dir("ecs-service-def.yaml"));
  const std::string td_file = args.value("--task-definition").value_or(in_dir("ecs-task-def.yaml"));
  if (!args.has("--force"))
    for (const auto& f : {config, svc_file, td_file})
      if (fs::exists(f)) throw_usage(f + " exists", "pass --force to overwrite it");

  workflow::Runtime& rt = workflow::runtime(ctx);
  Json in = {{"services", Json::array({*service})}, {"include", Json::array({"TAGS"})}};
  if (!cluster.empty()) in["cluster"] = cluster;
  Json out = rt.call("ecs", "DescribeServices", in);
  Json svc;
  if (out.contains("services") && out["services"].is_array())
    for (const auto& s : out["services"])
      if (s.value("status", "") != "INACTIVE") svc = s;
  if (!svc.is_object())
    throw Error(Exit::usage, "service '" + *service + "' not found in cluster '" + (cluster.empty() ? "default" : cluster) + "'",
                {}, "check the name with `ecsctl list-services --cluster " + (cluster.empty() ? "default" : cluster) + "`");
  Json described = rt.call("ecs", "DescribeTaskDefinition",
                           {{"taskDefinition", svc.value("taskDefinition", "")}, {"include", Json::array({"TAGS"})}});
  Json td = without_nulls(taskdef::registration_from_describe(described));
  Json service_file = servicedef::from_described(svc);
  // A replica count the file does not fix is left to whoever scales the
  // service; init records the current one, as most users want it fixed.
  if (svc.value("schedulingStrategy", "REPLICA") != "DAEMON" && svc.contains("desiredCount") && !service_file.contains("desiredCount"))
    service_file["desiredCount"] = svc["desiredCount"];

  Json project = Json::object();
  if (ctx.opts.region) project["region"] = *ctx.opts.region;
  if (!cluster.empty()) project["cluster"] = cluster;
  project["service"] = *service;
  project["service_definition"] = relative_to(config, svc_file);
  project["task_definition"] = relative_to(config, td_file);

  write_file(td_file, rendering(td, td_file));
  write_file(svc_file, rendering(service_file, svc_file));
  write_file(config, rendering(project, config));
  if (!ctx.opts.quiet)
    ctx.err << "wrote " << config << ", " << svc_file << " and " << td_file << " from " << *service << " ("
            << workflow::taskdef_short(svc.value("taskDefinition", "")) << ")\n";
  print_result(ctx, {{"config", config}, {"serviceDefinition", svc_file}, {"taskDefinition", td_file},
                     {"runningTaskDefinition", svc.value("taskDefinition", "")}},
               "Init");
  return 0;
}

}  // namespace
}  // namespace ecsctl::commands::project

namespace ecsctl::commands {

const CommandSpec init{
    .group = "",
    .name = "init",
    .summary = "write the project, service and task-definition files of a live service",
    .description =
        "Describes the service and the task definition it runs and writes three files: the project\n"
        "file (ecsctl.yaml: region, cluster, service and the two file names), the service file\n"
        "(ecs-service-def.yaml: the CreateService/UpdateService members, ECS's defaults left out) and\n"
        "the task-definition file (ecs-task-def.yaml). Right after it, `ecsctl diff` shows nothing\n"
        "and `ecsctl deploy` sends nothing. A .json name writes JSON. Existing files are kept\n"
        "unless --force.\n",
    .flags =
        {
            {.name = "--cluster", .metavar = "CLUSTER", .help = "the service's cluster (default: default)",
             .complete = Completer::cluster},
            {.name = "--service", .metavar = "SERVICE", .help = "the service (instead of SERVICE)",
             .complete = Completer::service},
            {.name = "--config", .metavar = "FILE", .help = "the project file to write (default: ecsctl.yaml)",
             .complete = Completer::file},
            {.name = "--service-definition", .metavar = "FILE",
             .help = "the service file to write (default: ecs-service-def.yaml beside the project file)",
             .complete = Completer::file},
            {.name = "--task-definition", .metavar = "FILE",
             .help = "the task-definition file to write (default: ecs-task-def.yaml beside the project file)",
             .complete = Completer::file},
            {.name = "--force", .help = "overwrite files that exist"},
        },
    .positionals = {{.name = "SERVICE", .help = "the service", .complete = Completer::service, .required = false}},
    .run = ecsctl::commands::project::run_init,
};

}  // namespace ecsctl::commands
