// Task-definition files as commands take them: finding them under directories,
// checking a FAMILY[:REVISION] reference, loading and validating one with its
// findings printed (commands/taskdef_input.hpp builds on these).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::taskdef {

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
