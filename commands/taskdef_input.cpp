#include "commands/taskdef_input.hpp"

#include "schemas/taskdef_cli.hpp"

namespace ecsctl::commands::taskdef_input {

const std::vector<FlagSpec>& template_flags() {
  // Not `repeats` (which would take the words after it as values too, and so
  // swallow the FILE of `validate --var A=1 f.yaml`): one value per occurrence,
  // each occurrence kept.
  static const std::vector<FlagSpec> flags = {
      {.name = "--var", .metavar = "NAME=VALUE", .help = "a template variable (give --var again for more)"},
      {.name = "--var-file", .metavar = "FILE", .help = "a YAML/JSON file of template variables (may be given again)",
       .complete = Completer::file},
      {.name = "--env-file", .metavar = "FILE", .help = "a dotenv file of template variables (may be given again)",
       .complete = Completer::file},
      {.name = "--no-env", .help = "do not take template variables from the environment"},
  };
  return flags;
}

taskdef::TemplateVars template_vars(const Context& ctx, const Args& args) {
  taskdef::TemplateVars vars;
  if (!args.has("--no-env")) vars.set_environment(&ctx.env);
  for (const auto& f : args.values("--env-file")) vars.add_env_file(f);
  for (const auto& f : args.values("--var-file")) vars.add_var_file(f);
  for (const auto& v : args.values("--var")) vars.add_assignment(v);
  return vars;
}

Json load(Context& ctx, const std::string& path, const taskdef::TemplateVars& vars,
          const std::optional<std::string>& launch_type, bool strict, const std::set<std::string>& images_replaced) {
  taskdef::ValidateOptions opts;
  opts.launch_type = launch_type;
  opts.images_replaced = images_replaced;
  return taskdef::load_valid(ctx, path, vars, opts, strict);
}

}  // namespace ecsctl::commands::taskdef_input
