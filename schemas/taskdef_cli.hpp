// Command-line plumbing shared by validate, render, diff and
// register-task-definition: template flags, CLI11 parsing, loading files.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "schemas/taskdef.hpp"

namespace CLI {
class App;
}

namespace ecsctl::taskdef {

// --var NAME=VALUE, --var-file FILE, --env-file FILE, --no-env.
struct TemplateFlags {
  std::vector<std::string> vars, var_files, env_files;
  bool no_env = false;
};
void add_template_flags(CLI::App& app, TemplateFlags& flags);
// The variables of `flags` over ctx.env (unless --no-env). Throws usage Errors.
TemplateVars make_vars(const Context& ctx, const TemplateFlags& flags);

// Parses `args` with `app`. Returns false after printing --help (exit 0);
// throws a usage Error for bad flags.
bool parse_args(Context& ctx, CLI::App& app, const std::vector<std::string>& args);

// The files of `paths`: files as given, directories searched recursively for
// .json, .yaml and .yml (sorted).
std::vector<std::string> collect_files(const std::vector<std::string>& paths);

// Rule taskdef-ref-format: why `ref` is not FAMILY, FAMILY:REVISION or a
// task-definition ARN, or nullopt when it is one.
std::optional<std::string> check_taskdef_ref(const std::string& ref);

// Loads and validates one file, prints its findings to ctx.err, and throws
// Error(Exit::validation_failed) when it fails (see fails()). Returns the
// RegisterTaskDefinition input.
Json load_valid(Context& ctx, const std::string& path, const TemplateVars& vars, const ValidateOptions& opts,
                bool strict = false);

}  // namespace ecsctl::taskdef
