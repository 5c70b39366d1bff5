// Log lines of the simulated runtime: a container whose task definition sends
// its output to awslogs gets honest lines in its stream
// (prefix/container/task-id) when it starts and when it stops, saying that no
// process ran. A real runtime writes the container's own output through
// Logs::append or LogWriter instead.
#pragma once
#include "local/ecs.hpp"
#include "local/logs.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

// The awslogs stream of container `container` of `task` under `prefix`, as the
// ECS agent names it: "prefix/container/task-id" ("container/task-id" without a prefix).
std::string awslogs_stream(const std::string& prefix, const std::string& container, const std::string& task_arn);

// Adds the on_running / on_stopped hooks that write those lines (all three
// objects must outlive `ecs`).
void connect_simulated_logs(Ecs& ecs, Store& store, Logs& logs);

}  // namespace ecsctl::local
