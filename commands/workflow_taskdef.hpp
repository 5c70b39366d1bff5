// Task definitions in workflows (files are loaded by commands/taskdef_input.hpp):
// apply per-container overrides, register it or reuse an identical revision, and
// show what changes.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/context.hpp"
#include "core/json.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::commands::workflow {

// Whether a --task-definition value names a file rather than FAMILY[:REV] or an ARN.
bool is_taskdef_file(const std::string& value);

// --image C=IMG, --command C='...', --env C:K=V, by container name.
struct ContainerOverrides {
  std::map<std::string, std::string> image;
  std::map<std::string, std::vector<std::string>> command;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> env;
  bool empty() const { return image.empty() && command.empty() && env.empty(); }
};
ContainerOverrides parse_overrides(const std::vector<std::string>& images, const std::vector<std::string>& commands,
                                   const std::vector<std::string>& envs);

// Applies the overrides to a task definition; a container name it does not have
// is a usage error. With `tag`, every container's image gets that tag instead.
void apply_overrides(Json& def, const ContainerOverrides& o, const std::optional<std::string>& tag = std::nullopt);
// The RunTask overrides.containerOverrides for the command and environment parts.
Json run_task_container_overrides(const ContainerOverrides& o);

// The RegisterTaskDefinition input of a described task definition (read-only
// fields removed), with its tags.
Json registration_input(const Json& described_task_definition, const Json& tags = Json());

// Whether `existing` (a described task definition) is what registering `wanted`
// would produce: every value in `wanted` is equal, and whatever `existing` has
// beyond it is an ECS default (empty lists, essential true, protocol tcp, ...).
bool same_definition(const Json& wanted, const Json& existing);

struct Registered {
  std::string arn;
  bool reused = false;
};
// Registers `def`, unless the family's latest ACTIVE revision is the same (then reuses it).
Registered register_or_reuse(Runtime& rt, const Json& def);

// A line diff of two JSON values rendered with 2-space indentation: lines
// prefixed "- ", "+ " or "  " (context), only around changes.
std::vector<std::string> json_diff(const Json& before, const Json& after);

}  // namespace ecsctl::commands::workflow
