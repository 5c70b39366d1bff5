// `ecsctl register-task-definition --file FILE`: validate a task-definition file
// (refused with exit 3 on errors, nothing sent), then register it. Without
// --file this is exactly the generic API command; API flags given beside
// --file override the file's members (as with --cli-input-json).
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "client/api.hpp"
#include "commands/api.hpp"
#include "commands/taskdef_input.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl::commands {
namespace {

int register_command(Context& ctx, Args& args) {
  // The operation's own words: its flags (and any stray word, which it refuses).
  std::vector<std::string> rest = args.positionals();
  rest.insert(rest.end(), args.rest.begin(), args.rest.end());
  auto file = args.value("--file");
  if (!file) {
    // Exactly the API operation, which knows none of the flags that go with --file.
    for (const auto& f : commands::register_task_definition.flags)
      if (args.has(f.name))
        throw_usage("Unknown options: " + std::string(f.name), std::string(f.name) + " goes with --file FILE");
    return api::run_operation(ctx, "ecs", "register-task-definition", rest);
  }
  taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
  std::optional<std::string> launch_type = args.value("--launch-type");
  if (launch_type && launch_type->empty()) launch_type.reset();
  Json input = taskdef::normalize_for_render(taskdef_input::load(ctx, *file, vars, launch_type, args.has("--strict")));
  if (!rest.empty()) {
    // API flags beside --file: let the generic command merge them over the file.
    rest.push_back("--cli-input-json");
    rest.push_back(input.dump());
    return api::run_operation(ctx, "ecs", "register-task-definition", rest);
  }
  Json result = client::call(ctx, "ecs", "RegisterTaskDefinition", input);
  print_result(ctx, result, "RegisterTaskDefinition");
  return 0;
}

}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec register_task_definition{
    .group = "",
    .name = "register-task-definition",
    .summary = "register a task definition (API flags, or --file FILE validated first)",
    .description =
        "With --file, the file (JSON or YAML) is templated (${VAR} from --var, --var-file,\n"
        "--env-file and the environment) and validated as `ecsctl validate` does; on errors\n"
        "(with --strict, on warnings too) nothing is sent and the exit code is 3. The\n"
        "operation's flags given beside --file override the file's members, as with\n"
        "--cli-input-json. Without --file this is the RegisterTaskDefinition operation exactly.\n",
    .flags = flags_with(
        {
            {.name = "--file", .metavar = "FILE", .help = "the task-definition file (JSON or YAML; templated)",
             .complete = Completer::file},
            {.name = "--launch-type", .metavar = "TYPE", .help = "with --file: validate for this launch type as well",
             .complete = Completer::choices, .choices = {"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}},
            {.name = "--strict", .help = "with --file: refuse on warnings too"},
        },
        taskdef_input::template_flags()),
    .api_operation = "register-task-definition",
    .run = register_command,
};

}  // namespace ecsctl::commands
