// `ecsctl render FILE`: the templated, normalised RegisterTaskDefinition input
// that register-task-definition --file would send (printed with --output/--query).
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/taskdef_input.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl::commands {
namespace {

int render_command(Context& ctx, Args& args) {
  const std::string file = *args.positional(0);
  taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
  Json def;
  if (args.has("--no-validate")) {
    taskdef::Document doc = taskdef::load_file(file, &vars);
    taskdef::print_findings(ctx.err, doc, ctx.color_stderr());
    if (!doc.parsed) throw Error(Exit::validation_failed, file + " could not be read as a task definition", file);
    def = std::move(doc.def);
  } else {
    std::optional<std::string> launch_type = args.value("--launch-type");
    if (launch_type && launch_type->empty()) launch_type.reset();
    def = taskdef_input::load(ctx, file, vars, launch_type);
  }
  print_result(ctx, taskdef::normalize_for_render(def), "RegisterTaskDefinition");
  return 0;
}

}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec render{
    .group = "",
    .name = "render",
    .summary = "print a task-definition file templated and normalised",
    .description =
        "Prints the RegisterTaskDefinition input that `register-task-definition --file FILE`\n"
        "would send: the file templated (${VAR} from --var, --var-file, --env-file and the\n"
        "environment), validated, and normalised (nulls dropped; task cpu and memory written as\n"
        "\"1 vCPU\" or \"2 GB\" turned into the API's numbers). --output and --query apply as to\n"
        "any command.\n\n"
        "Exit codes: 0 printed, 3 the file failed validation (or, with --no-validate, could not\n"
        "be read), 252 the command line is wrong.\n",
    .flags = flags_with(
        {
            {.name = "--launch-type", .metavar = "TYPE", .help = "validate for this launch type as well",
             .complete = Completer::choices, .choices = {"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}},
            {.name = "--no-validate", .help = "print even when validation finds errors"},
        },
        taskdef_input::template_flags()),
    .positionals = {{.name = "FILE", .help = "the task-definition file (JSON or YAML)", .complete = Completer::file}},
    .run = render_command,
};

}  // namespace ecsctl::commands
