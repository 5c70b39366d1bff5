// `ecsctl validate FILE|DIR...`: offline validation of task-definition files,
// with text diagnostics, GitHub annotations or JSON findings. Never touches the
// network (nothing from client/ is used here).
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/taskdef_input.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_schema.hpp"

namespace ecsctl::commands {
namespace {

int run_validate(Context& ctx, Args& args) {
  taskdef::ValidateOptions opts;
  if (auto v = args.value("--launch-type"); v && !v->empty()) opts.launch_type = v;
  if (auto v = args.value("--platform-version"); v && !v->empty()) opts.platform_version = v;
  opts.load_balanced = args.has("--load-balanced");
  const bool strict = args.has("--strict");
  const std::string format = args.value("--format").value_or("text");
  taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
  bool json = format == "json" || (format == "text" && ctx.opts.output_given && ctx.opts.output == OutputFormat::json);
  std::vector<std::string> files = taskdef::collect_files(args.positionals());
  if (files.empty()) throw_usage("no .json, .yaml or .yml files found in " + args.positionals().front());
  std::size_t errors = 0, warnings = 0, failed_files = 0;
  Json all = Json::array();
  bool failed = false;
  for (const auto& file : files) {
    taskdef::Document doc = taskdef::load_file(file, &vars);
    taskdef::validate(doc, opts);
    for (const auto& f : doc.findings) (f.severity == taskdef::Severity::error ? errors : warnings)++;
    bool file_fails = taskdef::fails(doc.findings, strict);
    failed_files += file_fails ? 1 : 0;
    failed = failed || file_fails;
    if (doc.findings.empty()) continue;
    if (json) {
      for (auto& f : taskdef::findings_json(doc)) all.push_back(std::move(f));
    } else if (format == "github") {
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

int schema_command(Context& ctx, Args&) {
  ctx.out << taskdef::task_definition_schema().dump(2) << "\n";
  return 0;
}


}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec validate{
    .group = "",
    .name = "validate",
    .summary = "validate task-definition files offline (rules, locations, hints)",
    .description =
        "Checks task-definition files (JSON or YAML, the RegisterTaskDefinition input or a\n"
        "DescribeTaskDefinition output) without calling AWS: the API model's types and limits,\n"
        "Fargate sizes, networking, ports, health checks, secrets, dependencies and more. Each\n"
        "finding names the file, line and column, shows the line with a caret and gives a hint.\n"
        "Files are templated first (${VAR} from --var, --var-file, --env-file and the environment).\n\n"
        "--format text (the default) writes the findings and a summary to stderr; github writes\n"
        "GitHub Actions annotations to stdout; json (or --output json) prints one JSON object\n"
        "with valid, files, errors, warnings and findings to stdout.\n\n"
        "Exit codes: 0 valid, 3 a file failed validation (on warnings too with --strict),\n"
        "252 the command line is wrong.\n",
    .flags = flags_with(
        {
            {.name = "--launch-type", .metavar = "TYPE", .help = "validate for this launch type as well",
             .complete = Completer::choices, .choices = {"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}},
            {.name = "--platform-version", .metavar = "VERSION",
             .help = "the Fargate platform version the task will run on (e.g. 1.4.0, LATEST)"},
            {.name = "--strict", .help = "fail (exit 3) on warnings too"},
            {.name = "--load-balanced", .help = "the task runs behind a load balancer (health-check advice)"},
            {.name = "--format", .metavar = "FORMAT",
             .help = "text (stderr), github (annotations on stdout) or json (stdout)",
             .complete = Completer::choices, .choices = {"text", "github", "json"}},
        },
        taskdef_input::template_flags()),
    .positionals = {{.name = "FILE",
                     .help = "task-definition files, or directories searched for .json/.yaml/.yml",
                     .complete = Completer::file,
                     .many = true}},
    .run = run_validate,
};

const CommandSpec internal_task_definition_schema{
    .group = "",
    .name = "__task-definition-schema",
    .summary = "print the JSON Schema of task-definition files",
    .run = schema_command,
    .hidden = true,
};

}  // namespace ecsctl::commands
