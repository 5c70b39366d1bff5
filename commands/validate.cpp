// `ecsctl validate FILE|DIR...`: offline validation of task-definition files,
// with text diagnostics, GitHub annotations or JSON findings. Never touches the
// network (nothing from client/ is used here).
#include <CLI/CLI.hpp>

#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_schema.hpp"

namespace ecsctl {
namespace {

struct ValidateArgs {
  std::vector<std::string> paths;
  std::string launch_type;
  std::string platform_version;
  std::string format = "text";
  bool strict = false;
  bool load_balanced = false;
  taskdef::TemplateFlags tmpl;
};

int run_validate(Context& ctx, const ValidateArgs& a) {
  taskdef::ValidateOptions opts;
  if (!a.launch_type.empty()) opts.launch_type = a.launch_type;
  if (!a.platform_version.empty()) opts.platform_version = a.platform_version;
  opts.load_balanced = a.load_balanced;
  taskdef::TemplateVars vars = taskdef::make_vars(ctx, a.tmpl);
  bool json = a.format == "json" || (a.format == "text" && ctx.opts.output_given && ctx.opts.output == OutputFormat::json);
  std::vector<std::string> files = taskdef::collect_files(a.paths);
  if (files.empty()) throw_usage("no .json, .yaml or .yml files found in " + a.paths.front());
  std::size_t errors = 0, warnings = 0, failed_files = 0;
  Json all = Json::array();
  bool failed = false;
  for (const auto& file : files) {
    taskdef::Document doc = taskdef::load_file(file, &vars);
    taskdef::validate(doc, opts);
    for (const auto& f : doc.findings) (f.severity == taskdef::Severity::error ? errors : warnings)++;
    bool file_fails = taskdef::fails(doc.findings, a.strict);
    failed_files += file_fails ? 1 : 0;
    failed = failed || file_fails;
    if (doc.findings.empty()) continue;
    if (json) {
      for (auto& f : taskdef::findings_json(doc)) all.push_back(std::move(f));
    } else if (a.format == "github") {
      taskdef::print_github(ctx.out, doc);
    } else {
      taskdef::print_findings(ctx.err, doc, ctx.color_stderr());
    }
  }
  if (json) {
    Json result;
    result["valid"] = !failed;
    result["files"] = files.size();
    result["errors"] = errors;
    result["warnings"] = warnings;
    result["findings"] = std::move(all);
    print_result(ctx, result, "Validate");
  } else if (!ctx.opts.quiet) {
    ctx.err << files.size() << (files.size() == 1 ? " file" : " files") << " checked: " << errors
            << (errors == 1 ? " error, " : " errors, ") << warnings << (warnings == 1 ? " warning" : " warnings");
    if (failed_files) ctx.err << "; " << failed_files << " failed";
    else if (errors) ctx.err << " (only from unverified rules; --strict fails on them)";
    ctx.err << "\n";
  }
  return failed ? static_cast<int>(Exit::validation_failed) : 0;
}

int validate_command(Context& ctx, std::vector<std::string>& args) {
  ValidateArgs a;
  CLI::App app{"Validate task-definition files (JSON or YAML) offline", "validate"};
  app.add_option("paths", a.paths, "Files, or directories searched for .json/.yaml/.yml")->required();
  app.add_option("--launch-type", a.launch_type, "Validate for this launch type as well")
      ->check(CLI::IsMember({"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}));
  app.add_option("--platform-version", a.platform_version, "Fargate platform version the task will run on");
  app.add_flag("--strict", a.strict, "Fail (exit 3) on warnings too");
  app.add_flag("--load-balanced", a.load_balanced, "The task runs behind a load balancer (health-check advice)");
  app.add_option("--format", a.format, "text (stderr), github (annotations on stdout) or json (stdout)")
      ->check(CLI::IsMember({"text", "github", "json"}));
  taskdef::add_template_flags(app, a.tmpl);
  if (!taskdef::parse_args(ctx, app, args)) return 0;
  return run_validate(ctx, a);
}

int schema_command(Context& ctx, std::vector<std::string>&) {
  ctx.out << taskdef::task_definition_schema().dump(2) << "\n";
  return 0;
}


}  // namespace
}  // namespace ecsctl

namespace ecsctl::commands {

const CommandSpec validate{
    .group = "",
    .name = "validate",
    .summary = "validate task-definition files offline (rules, locations, hints)",
    .run = [](Context& ctx, Args& args) { return ecsctl::validate_command(ctx, args.rest); },
    .raw = true,
};

const CommandSpec internal_task_definition_schema{
    .group = "",
    .name = "__task-definition-schema",
    .summary = "print the JSON Schema of task-definition files",
    .run = [](Context& ctx, Args& args) { return ecsctl::schema_command(ctx, args.rest); },
    .hidden = true,
    .raw = true,
};

}  // namespace ecsctl::commands
