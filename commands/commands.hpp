// Every hand-written command's spec, defined in its own file under commands/;
// cli/command_table.cpp lists them.
#pragma once
#include "commands/command.hpp"

namespace ecsctl::commands {

extern const CommandSpec logs;
extern const CommandSpec deploy;
extern const CommandSpec run_task;
extern const CommandSpec scale;
extern const CommandSpec restart;
extern const CommandSpec rollback;
extern const CommandSpec init;
extern const CommandSpec render;
extern const CommandSpec local_up;
extern const CommandSpec local_down;
extern const CommandSpec local_status;
extern const CommandSpec local_reset;
extern const CommandSpec local_env;
extern const CommandSpec local_add_instances;
extern const CommandSpec validate;
extern const CommandSpec verify;
extern const CommandSpec internal_task_definition_schema;
extern const CommandSpec diff;
extern const CommandSpec create_service;
extern const CommandSpec query;
extern const CommandSpec elbv2_create_target_group;
extern const CommandSpec elbv2_create_load_balancer;
extern const CommandSpec register_task_definition;
extern const CommandSpec internal_call;
extern const CommandSpec wait_services_stable;
extern const CommandSpec wait_services_inactive;
extern const CommandSpec wait_tasks_running;
extern const CommandSpec wait_tasks_stopped;
extern const CommandSpec elbv2_wait;
extern const CommandSpec cost;
extern const CommandSpec create_scheduled_task;
extern const CommandSpec update_scheduled_task;
extern const CommandSpec list_scheduled_tasks;
extern const CommandSpec describe_scheduled_task;
extern const CommandSpec delete_scheduled_task;
extern const CommandSpec run_scheduled_task_now;
extern const CommandSpec status;           // commands/status.cpp
extern const CommandSpec exec;             // commands/exec.cpp
extern const CommandSpec execute_command;  // commands/exec.cpp

}  // namespace ecsctl::commands
