// `ecsctl diff FILE [--task-definition FAMILY[:REV]] [--exit-code]`: a unified
// diff between the live revision and the file, with server-filled defaults
// normalised away on both sides so only real differences show.
#include <CLI/CLI.hpp>

#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "client/api.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_normalize.hpp"

namespace ecsctl {
namespace {

struct DiffArgs {
  std::string file, task_definition, format;
  bool exit_code = false;
  taskdef::TemplateFlags tmpl;
};

std::string rendering(const Json& v, bool yaml) { return yaml ? render_yaml(v) : v.dump(2) + "\n"; }

bool yaml_file(const std::string& file) {
  return file.ends_with(".yaml") || file.ends_with(".yml");
}

int run_diff(Context& ctx, const DiffArgs& a) {
  taskdef::TemplateVars vars = taskdef::make_vars(ctx, a.tmpl);
  Json def = taskdef::load_valid(ctx, a.file, vars, taskdef::ValidateOptions{});
  std::string ref = a.task_definition;
  if (ref.empty()) {
    if (!def.contains("family") || !def["family"].is_string()) throw_usage("the file has no family; pass --task-definition");
    ref = def["family"].get<std::string>();
  }
  if (auto why = taskdef::check_taskdef_ref(ref))
    throw Error(Exit::usage, "--task-definition '" + ref + "': " + *why, "",
                "use family, family:revision or the full task-definition ARN");
  Json described = client::call(ctx, "ecs", "DescribeTaskDefinition",
                                Json{{"taskDefinition", ref}, {"include", Json::array({"TAGS"})}});
  Json live = taskdef::normalize_for_diff(taskdef::registration_from_describe(described));
  Json mine = taskdef::normalize_for_diff(def);
  bool yaml = a.format.empty() ? yaml_file(a.file) : a.format == "yaml";
  std::string live_name = ref;
  if (described.contains("taskDefinition") && described["taskDefinition"].contains("revision"))
    live_name = described["taskDefinition"].value("family", ref) + ":" +
                std::to_string(described["taskDefinition"]["revision"].get<long long>());
  auto lines = taskdef::unified_diff(taskdef::split_lines(rendering(live, yaml)), taskdef::split_lines(rendering(mine, yaml)),
                                     live_name + " (live)", a.file);
  const bool color = ctx.color_stdout();
  for (const auto& l : lines) {
    const char* c = !color ? nullptr : l.rfind("+++", 0) == 0 || l.rfind("---", 0) == 0 ? "\033[1m"
                    : l[0] == '+' ? "\033[32m" : l[0] == '-' ? "\033[31m" : l[0] == '@' ? "\033[36m" : nullptr;
    if (c) ctx.out << c << l << "\033[0m\n";
    else ctx.out << l << "\n";
  }
  if (lines.empty() && !ctx.opts.quiet) ctx.err << "no differences between " << a.file << " and " << live_name << "\n";
  return a.exit_code && !lines.empty() ? 1 : 0;
}

int diff_command(Context& ctx, std::vector<std::string>& args) {
  DiffArgs a;
  CLI::App app{"Show how a task-definition file differs from the live revision", "diff"};
  app.add_option("file", a.file, "Task-definition file (JSON or YAML)")->required();
  app.add_option("--task-definition", a.task_definition, "FAMILY, FAMILY:REVISION or ARN (default: the file's family)");
  app.add_flag("--exit-code", a.exit_code, "Exit 1 when they differ, 0 when equal");
  app.add_option("--format", a.format, "Render both sides as yaml or json (default: by file extension)")
      ->check(CLI::IsMember({"yaml", "json"}));
  taskdef::add_template_flags(app, a.tmpl);
  if (!taskdef::parse_args(ctx, app, args)) return 0;
  return run_diff(ctx, a);
}


}  // namespace
}  // namespace ecsctl

namespace ecsctl::commands {

const CommandSpec diff{
    .group = "",
    .name = "diff",
    .summary = "show how a task-definition file differs from the live revision",
    .run = [](Context& ctx, Args& args) { return ecsctl::diff_command(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
