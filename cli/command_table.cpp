#include "cli/command_table.hpp"

#include <algorithm>

#include "cli/completion.hpp"
#include "commands/api.hpp"
#include "commands/commands.hpp"

namespace ecsctl {

const CommandTable& command_table() {
  using namespace commands;
  static const CommandTable table = {
      // Task definitions as files.
      &validate, &verify, &render, &diff, &register_task_definition, &cost,
      // Tasks and services.
      &run_task, &create_service, &deploy, &scale, &restart, &rollback, &init, &logs,
      // Operating a service.
      &status, &exec, &execute_command,
      // Scheduled tasks.
      &create_scheduled_task, &update_scheduled_task, &list_scheduled_tasks, &describe_scheduled_task,
      &delete_scheduled_task, &run_scheduled_task_now,
      // Load balancing.
      &elbv2_create_target_group, &elbv2_create_load_balancer, &elbv2_wait,
      // Waiters.
      &wait_services_stable, &wait_services_inactive, &wait_tasks_running, &wait_tasks_stopped,
      // The local control plane.
      &local_up, &local_down, &local_status, &local_reset, &local_env, &local_add_instances,
      // Tools.
      &query, &commands::completion,
      // Internal.
      &internal_complete, &internal_commands, &internal_call, &internal_task_definition_schema,
  };
  return table;
}

const CommandSpec* find_command(const CommandTable& table, std::string_view group, std::string_view name) {
  for (const CommandSpec* c : table)
    if (c->group == group && c->name == name) return c;
  return nullptr;
}

std::vector<std::string> command_names(const CommandTable& table, std::string_view group) {
  std::vector<std::string> names;
  for (const CommandSpec* c : table)
    if (c->group == group && !c->hidden) names.emplace_back(c->name);
  for (auto& n : commands::api::operation_commands(group))
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  if (group.empty())
    for (const auto& g : command_groups()) names.emplace_back(g.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ecsctl
