// `ecsctl render FILE`: the templated, normalised RegisterTaskDefinition input
// that register-task-definition --file would send (printed with --output/--query).
#include <CLI/CLI.hpp>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl {
namespace {

int render_command(Context& ctx, std::vector<std::string>& args) {
  std::string file, launch_type;
  bool no_validate = false;
  taskdef::TemplateFlags tmpl;
  CLI::App app{"Print a task-definition file templated and normalised, as it would be registered", "render"};
  app.add_option("file", file, "Task-definition file (JSON or YAML)")->required();
  app.add_option("--launch-type", launch_type, "Validate for this launch type as well")
      ->check(CLI::IsMember({"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}));
  app.add_flag("--no-validate", no_validate, "Print even when validation finds errors");
  taskdef::add_template_flags(app, tmpl);
  if (!taskdef::parse_args(ctx, app, args)) return 0;
  taskdef::TemplateVars vars = taskdef::make_vars(ctx, tmpl);
  taskdef::ValidateOptions opts;
  if (!launch_type.empty()) opts.launch_type = launch_type;
  Json def;
  if (no_validate) {
    taskdef::Document doc = taskdef::load_file(file, &vars);
    taskdef::print_findings(ctx.err, doc, ctx.color_stderr());
    if (!doc.parsed) throw Error(Exit::validation_failed, file + " could not be read as a task definition", file);
    def = std::move(doc.def);
  } else {
    def = taskdef::load_valid(ctx, file, vars, opts);
  }
  print_result(ctx, taskdef::normalize_for_render(def), "RegisterTaskDefinition");
  return 0;
}


}  // namespace
}  // namespace ecsctl

namespace ecsctl::commands {

const CommandSpec render{
    .group = "",
    .name = "render",
    .summary = "print a task-definition file templated and normalised",
    .run = [](Context& ctx, Args& args) { return ecsctl::render_command(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
