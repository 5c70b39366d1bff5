// The one way a command takes a task-definition file: the template flags they
// all share (--var, --var-file, --env-file, --no-env) and the loading path
// (templated, validated, findings printed with file:line:col, caret and hint,
// exit 3 when it fails). validate, render, diff, register-task-definition,
// run-task, deploy, cost, the scheduled-task commands and target groups use it.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "core/context.hpp"
#include "core/json.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::commands::taskdef_input {

// --var NAME=VALUE, --var-file FILE, --env-file FILE, --no-env.
const std::vector<FlagSpec>& template_flags();

// The template variables those flags give, over ctx.env unless --no-env.
// Throws usage errors (a bad --var, an unreadable --var-file).
taskdef::TemplateVars template_vars(const Context& ctx, const Args& args);

// Loads, templates and validates `path`; prints the findings to ctx.err
// (file:line:col, the line with a caret, the hint) and throws
// Error(Exit::validation_failed) when it fails (on warnings too with `strict`).
// Returns the RegisterTaskDefinition input.
// `images_replaced`: the containers whose image --image replaces (their file
// image is not checked).
Json load(Context& ctx, const std::string& path, const taskdef::TemplateVars& vars,
          const std::optional<std::string>& launch_type = std::nullopt, bool strict = false,
          const std::set<std::string>& images_replaced = {});

}  // namespace ecsctl::commands::taskdef_input
