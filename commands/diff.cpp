// `ecsctl diff FILE [--task-definition FAMILY[:REV]] [--exit-code]`: a unified
// diff between the live revision and the file, with server-filled defaults
// normalised away on both sides so only real differences show.
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/project.hpp"
#include "commands/taskdef_input.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "client/api.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl::commands {
namespace {

std::string rendering(const Json& v, bool yaml) { return yaml ? render_yaml(v) : v.dump(2) + "\n"; }

bool yaml_file(const std::string& file) {
  return file.ends_with(".yaml") || file.ends_with(".yml");
}

int run_diff(Context& ctx, Args& args) {
  if (project::wanted(args, args.positionals().empty())) return project::run_diff(ctx, args);
  if (args.positionals().empty())
    throw_usage("diff needs a FILE, or a project file (ecsctl.yaml or --config)", "ecsctl diff api.yaml");
  const std::string file = *args.positional(0);
  const std::string format = args.value("--format").value_or("");
  taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
  Json def = taskdef_input::load(ctx, file, vars);
  std::string ref = args.value("--task-definition").value_or("");
  if (ref.empty()) {
    if (!def.contains("family") || !def["family"].is_string()) throw_usage("the file has no family; pass --task-definition");
    ref = def["family"].get<std::string>();
  }
  if (auto why = taskdef::check_taskdef_ref(ref))
    throw Error(Exit::usage, "--task-definition '" + ref + "': " + *why, "",
                "use family, family:revision or the full task-definition ARN");
  Json described;
  bool never_registered = false;
  try {
    described = client::call(ctx, "ecs", "DescribeTaskDefinition",
                             Json{{"taskDefinition", ref}, {"include", Json::array({"TAGS"})}});
  } catch (const ServiceError& e) {
    // A family (no revision, no ARN) that was never registered: ECS answers
    // ClientException. Everything in the file is new, as `git diff` shows a new
    // file; a missing revision or ARN stays an error.
    if (e.error_code() != "ClientException" || ref.find(':') != std::string::npos) throw;
    never_registered = true;
    if (!ctx.opts.quiet) ctx.err << "task definition family " << ref << " has no revision yet; every field is new\n";
  }
  Json mine = taskdef::normalize_for_diff(def);
  bool yaml = format.empty() ? yaml_file(file) : format == "yaml";
  std::vector<std::string> live_lines;
  std::string live_name = "/dev/null";
  if (!never_registered) {
    Json live = taskdef::normalize_for_diff(taskdef::registration_from_describe(described));
    live_lines = taskdef::split_lines(rendering(live, yaml));
    live_name = ref;
    if (described.contains("taskDefinition") && described["taskDefinition"].contains("revision"))
      live_name = described["taskDefinition"].value("family", ref) + ":" +
                  std::to_string(described["taskDefinition"]["revision"].get<long long>());
    live_name += " (live)";
  }
  auto lines = taskdef::unified_diff(live_lines, taskdef::split_lines(rendering(mine, yaml)), live_name, file);
  const bool color = ctx.color_stdout();
  for (const auto& l : lines) {
    const char* c = !color ? nullptr : l.rfind("+++", 0) == 0 || l.rfind("---", 0) == 0 ? "\033[1m"
                    : l[0] == '+' ? "\033[32m" : l[0] == '-' ? "\033[31m" : l[0] == '@' ? "\033[36m" : nullptr;
    if (c) ctx.out << c << l << "\033[0m\n";
    else ctx.out << l << "\n";
  }
  if (lines.empty() && !ctx.opts.quiet) ctx.err << "no differences between " << file << " and " << live_name << "\n";
  return args.has("--exit-code") && !lines.empty() ? 1 : 0;
}

}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec diff{
    .group = "",
    .name = "diff",
    .summary = "show how a task-definition file (or a service as code) differs from what runs",
    .description =
        "With a project file (ecsctl.yaml in the current directory, or --config) and no FILE, compares\n"
        "the service file and the task-definition file with what the service runs: the live service\n"
        "and the revision it runs (not the family's newest), defaults and ordering normalised; a\n"
        "service that does not exist shows every field as new.\n\n"
        "Prints a unified diff from the live revision (DescribeTaskDefinition) to the file,\n"
        "templated and validated as register-task-definition --file would send it. Defaults\n"
        "the service fills in are normalised away on both sides, so only real differences show.\n"
        "Both sides are rendered as YAML for a .yaml/.yml file and as JSON otherwise, unless\n"
        "--format says which. A family that was never registered diffs from /dev/null: every\n"
        "field is new.\n\n"
        "Exit codes: 0 (with --exit-code: 0 equal, 1 different), 3 the file failed validation,\n"
        "252 the command line is wrong, 254 a service error.\n",
    .flags = flags_with(
        {
            {.name = "--task-definition", .metavar = "FAMILY[:REVISION]",
             .help = "the live revision: FAMILY, FAMILY:REVISION or ARN (default: the file's family, latest); "
                     "with a project file, the task-definition file",
             .complete = Completer::task_definition},
            {.name = "--cluster", .metavar = "CLUSTER", .help = "with a project file: the service's cluster",
             .complete = Completer::cluster},
            {.name = "--service", .metavar = "SERVICE", .help = "with a project file: the service",
             .complete = Completer::service},
            {.name = "--exit-code", .help = "exit 1 when they differ, 0 when equal"},
            {.name = "--format", .metavar = "FORMAT", .help = "render both sides as yaml or json (default: by extension)",
             .complete = Completer::choices, .choices = {"yaml", "json"}},
        },
        flags_with(project::flags(), taskdef_input::template_flags())),
    .positionals = {{.name = "FILE", .help = "the task-definition file (JSON or YAML)", .complete = Completer::file,
                     .required = false}},
    .run = run_diff,
};

}  // namespace ecsctl::commands
