#include "cli/command.hpp"

#include <algorithm>

namespace ecsctl {

static std::vector<Command>& table() {
  static std::vector<Command> commands;
  return commands;
}

CommandRegistrar::CommandRegistrar(Command cmd) { table().push_back(cmd); }

const std::vector<Command>& registered_commands() { return table(); }

const Command* find_command(std::string_view group, std::string_view name) {
  for (const auto& c : table())
    if (c.group == group && c.name == name) return &c;
  return nullptr;
}

const std::vector<CommandGroup>& command_groups() {
  static const std::vector<CommandGroup> groups = {
      {"elbv2", "Elastic Load Balancing v2 operations (target groups, load balancers, listeners)"},
      {"events", "Amazon EventBridge operations (rules and targets)"},
      {"scheduler", "Amazon EventBridge Scheduler operations (schedules)"},
      {"wait", "Wait until services or tasks reach a state"},
      {"local", "Run and manage the local ECS-compatible control plane"},
  };
  return groups;
}

bool is_group(std::string_view name) {
  const auto& g = command_groups();
  return std::any_of(g.begin(), g.end(), [&](const CommandGroup& x) { return x.name == name; });
}

static ApiResolver& resolver_slot() {
  static ApiResolver r;
  return r;
}

void set_api_resolver(ApiResolver resolver) { resolver_slot() = resolver; }
const ApiResolver& api_resolver() { return resolver_slot(); }

}  // namespace ecsctl
