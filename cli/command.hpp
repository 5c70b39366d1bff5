// The command table: every hand-written command registers itself once (name,
// group, summary, run); help, dispatch and completion all read this table.
// API operations from the models are served by an ApiResolver after it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "cli/context.hpp"

namespace ecsctl {

// `args` holds what follows the command name, global options removed.
using RunFn = int (*)(Context& ctx, std::vector<std::string>& args);

struct Command {
  std::string_view group;    // "" for top-level, else "elbv2", "events", "scheduler", "local", "wait", ...
  std::string_view name;     // kebab-case, e.g. "validate"
  std::string_view summary;  // one line for --help
  RunFn run;
  bool hidden = false;       // e.g. "__complete"
};

// Registers `cmd` at static-initialisation time: `static CommandRegistrar r{{...}};`
struct CommandRegistrar {
  explicit CommandRegistrar(Command cmd);
};

const std::vector<Command>& registered_commands();
const Command* find_command(std::string_view group, std::string_view name);

// Command groups: names that take a sub-command (`ecsctl elbv2 describe-target-groups`).
struct CommandGroup {
  std::string_view name;
  std::string_view summary;
};
const std::vector<CommandGroup>& command_groups();
bool is_group(std::string_view name);

// Operations generated from the API models (commands/api_*). Registered by the
// commands area; the dispatcher asks it when no hand-written command matches.
struct ApiResolver {
  // Whether `group`/`name` is an API operation (group "" is ECS).
  bool (*has)(std::string_view group, std::string_view name) = nullptr;
  int (*run)(Context& ctx, std::string_view group, std::string_view name,
             std::vector<std::string>& args) = nullptr;
  // The kebab-case operation names of `group`.
  std::vector<std::string> (*names)(std::string_view group) = nullptr;
};
void set_api_resolver(ApiResolver resolver);
const ApiResolver& api_resolver();

}  // namespace ecsctl
