// `ecsctl register-task-definition --file FILE`: validate a task-definition file
// (refused with exit 3 on errors, nothing sent), then register it. Without
// --file this is exactly the generic API command; API flags given beside
// --file override the file's members (as with --cli-input-json).
#include <CLI/CLI.hpp>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "client/api.hpp"
#include "commands/api.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl {
namespace {

bool has_file_flag(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--file" || a.rfind("--file=", 0) == 0) return true;
  return false;
}

int register_command(Context& ctx, std::vector<std::string>& args) {
  if (!has_file_flag(args)) {
    return api::run_operation(ctx, "ecs", "register-task-definition", args);
  }
  std::string file, launch_type;
  bool strict = false;
  taskdef::TemplateFlags tmpl;
  CLI::App app{"Register a task definition from a JSON/YAML file, validated first", "register-task-definition"};
  app.allow_extras();
  app.add_option("--file", file, "Task-definition file (JSON or YAML; templated)")->required();
  app.add_option("--launch-type", launch_type, "Validate for this launch type as well")
      ->check(CLI::IsMember({"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}));
  app.add_flag("--strict", strict, "Refuse on warnings too");
  taskdef::add_template_flags(app, tmpl);
  if (!taskdef::parse_args(ctx, app, args)) return 0;
  std::vector<std::string> extras = app.remaining();
  taskdef::TemplateVars vars = taskdef::make_vars(ctx, tmpl);
  taskdef::ValidateOptions opts;
  if (!launch_type.empty()) opts.launch_type = launch_type;
  Json input = taskdef::normalize_for_render(taskdef::load_valid(ctx, file, vars, opts, strict));
  if (!extras.empty()) {
    // API flags beside --file: let the generic command merge them over the file.
    extras.push_back("--cli-input-json");
    extras.push_back(input.dump());
    return api::run_operation(ctx, "ecs", "register-task-definition", extras);
  }
  Json result = client::call(ctx, "ecs", "RegisterTaskDefinition", input);
  print_result(ctx, result, "RegisterTaskDefinition");
  return 0;
}


}  // namespace
}  // namespace ecsctl

namespace ecsctl::commands {

const CommandSpec register_task_definition{
    .group = "",
    .name = "register-task-definition",
    .summary = "register a task definition (API flags, or --file FILE validated first)",
    .run = [](Context& ctx, Args& args) { return ecsctl::register_command(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
