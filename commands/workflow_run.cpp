#include "commands/workflow_run.hpp"

#include <memory>
#include <ostream>

#include "commands/poller.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/workflow_logs.hpp"

namespace ecsctl::commands::workflow {

static std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string describe_failure(const Json& f) {
  std::string s = str(f, "reason");
  if (s.empty()) s = "unknown failure";
  std::string arn = str(f, "arn"), detail = str(f, "detail");
  if (!arn.empty() || !detail.empty()) {
    s += " (";
    if (!arn.empty()) s += arn;
    if (!arn.empty() && !detail.empty()) s += ": ";
    s += detail + ")";
  }
  return s;
}

std::vector<std::string> describe_stop(const Json& task) {
  std::vector<std::string> out;
  std::string head = "task " + arn_tail(str(task, "taskArn")) + " stopped";
  if (!str(task, "stopCode").empty()) head += " (" + str(task, "stopCode") + ")";
  if (!str(task, "stoppedReason").empty()) head += ": " + str(task, "stoppedReason");
  out.push_back(head);
  if (task.contains("containers") && task["containers"].is_array())
    for (const auto& c : task["containers"]) {
      std::string line = "  container " + str(c, "name");
      if (c.contains("exitCode") && c["exitCode"].is_number()) line += " exited " + std::to_string(c["exitCode"].get<long>());
      else line += " did not run to an exit code";
      // The task's stoppedReason is often the container's reason (CannotPullContainerError):
      // printed once, on the task's line.
      if (!str(c, "reason").empty() && str(c, "reason") != str(task, "stoppedReason")) line += ": " + str(c, "reason");
      out.push_back(line);
    }
  return out;
}

// "main, sidecar": the names of the containers in `list` (containerDefinitions or a task's containers).
static std::string container_names(const Json& list) {
  std::string names;
  if (list.is_array())
    for (const auto& c : list) names += (names.empty() ? "" : ", ") + str(c, "name");
  return names.empty() ? "none" : names;
}

static const Json* task_container(const Json& task, const std::string& name) {
  if (task.contains("containers"))
    for (const auto& c : task["containers"])
      if (str(c, "name") == name) return &c;
  return nullptr;
}

static int code_of(const Json& task, const std::string& name, bool reasons_printed) {
  const Json* c = task_container(task, name);
  if (!c && task.contains("containers") && task["containers"].is_array() && !task["containers"].empty())
    throw Error(Exit::usage, "--exit-code-from: task " + arn_tail(str(task, "taskArn")) + " has no container '" + name +
                                 "'; its containers: " + container_names(task["containers"]),
                {}, "give one of them, or `essential`");
  if (c && c->contains("exitCode") && (*c)["exitCode"].is_number()) return (*c)["exitCode"].get<int>();
  std::string why = c ? str(*c, "reason") : "";
  if (why.empty()) why = str(task, "stoppedReason");
  // The reason once: in the stop lines above, or here when they were not printed (--quiet).
  const std::string head = "container '" + name + "' of task " + arn_tail(str(task, "taskArn")) + " has no exit code";
  if (reasons_printed || why.empty())
    throw Error(Exit::deployment_failed, head, str(task, "taskArn"), "the container did not run (see the stop reason above)");
  throw Error(Exit::deployment_failed, head + ": " + why, str(task, "taskArn"), "the container did not run");
}

int exit_code_from(const Json& task, const std::string& which, const Json& definition, bool reasons_printed) {
  if (which != "essential") return code_of(task, which, reasons_printed);
  std::vector<std::string> essential;
  if (definition.contains("containerDefinitions"))
    for (const auto& c : definition["containerDefinitions"])
      if (c.value("essential", true)) essential.push_back(str(c, "name"));
  if (essential.empty() && task.contains("containers"))
    for (const auto& c : task["containers"]) essential.push_back(str(c, "name"));
  for (const auto& name : essential)
    if (int code = code_of(task, name, reasons_printed); code != 0) return code;
  return 0;
}

static std::string states(const Json& tasks) {
  std::string s;
  for (const auto& t : tasks) {
    if (!s.empty()) s += ", ";
    s += "task " + arn_tail(str(t, "taskArn")) + " " + str(t, "lastStatus");
  }
  return s;
}

static bool reached(const Json& tasks, const std::string& wait_until) {
  for (const auto& t : tasks) {
    std::string st = str(t, "lastStatus");
    if (st == "STOPPED" || st == "DELETED") continue;
    if (wait_until == "running" && st == "RUNNING") continue;
    return false;
  }
  return true;
}

static std::string left_running(const Json& tasks, const std::string& cluster) {
  std::string ids;
  for (const auto& t : tasks)
    if (str(t, "lastStatus") != "STOPPED") ids += " " + arn_tail(str(t, "taskArn"));
  if (ids.empty()) return "no task is left running";
  return "left as they are: " + states(tasks) + "; stop with: ecsctl stop-task" +
         (cluster.empty() ? "" : " --cluster " + cluster) + " --task" + ids;
}

static void validate_exit_code_from(const RunWait& w) {
  if (!w.exit_code_from || *w.exit_code_from == "essential" || !w.definition.contains("containerDefinitions")) return;
  for (const auto& c : w.definition["containerDefinitions"])
    if (str(c, "name") == *w.exit_code_from) return;
  throw_usage("--exit-code-from: the task definition has no container '" + *w.exit_code_from +
                  "'; its containers: " + container_names(w.definition["containerDefinitions"]),
              "give one of them, or `essential`");
}

// Polls DescribeTasks until the tasks reach w.wait_until; returns the tasks.
static Json wait_tasks(Context& ctx, Runtime& rt, const Json& arns, Json tasks, const RunWait& w) {
  Progress progress(ctx);
  Poller poller(rt, w.poll);
  std::unique_ptr<LogFollower> follower;
  if (w.follow && !tasks.empty()) follower = make_task_follower(ctx, rt, w.definition, tasks[0], w.exit_code_from);
  // A failure to read the logs (a service without CloudWatch Logs, a missing
  // permission) must not abandon the task: say so once and keep waiting.
  auto poll_logs = [&] {
    if (!follower) return false;
    try {
      return follower->poll();
    } catch (const ServiceError& e) {
      follower.reset();
      progress.done();
      ctx.err << "warning: --follow: cannot read the task's logs: " << e.what()
              << "\nwarning: still waiting for the task, without its logs\n";
      return false;
    }
  };
  const double start = rt.now();
  std::string last;
  Json in = {{"tasks", arns}};
  if (!w.cluster.empty()) in["cluster"] = w.cluster;
  try {
    for (;;) {
      bool changed = false;
      try {
        Json out = rt.call("ecs", "DescribeTasks", in);
        if (out.contains("tasks") && out["tasks"].is_array() && !out["tasks"].empty()) tasks = out["tasks"];
      } catch (const ServiceError& e) {
        if (!is_throttling(e)) throw;
        progress.note("throttled (" + e.error_code() + "); backing off");
      }
      if (std::string s = states(tasks); s != last) progress.status(s), last = s, changed = true;
      changed = poll_logs() || changed;
      if (reached(tasks, w.wait_until)) {
        poll_logs();
        return tasks;
      }
      double elapsed = rt.now() - start;
      if (w.timeout > 0 && elapsed >= w.timeout)
        throw Error(Exit::wait_timed_out,
                    "timed out after " + std::to_string(static_cast<long>(w.timeout)) + "s waiting for the task(s) to be " +
                        (w.wait_until == "running" ? "RUNNING" : "STOPPED"),
                    {}, left_running(tasks, w.cluster));
      poller.wait(changed, w.timeout > 0 ? w.timeout - elapsed : -1);
    }
  } catch (const Error& e) {
    progress.done();
    if (is_interruption(e.code()))
      throw Error(e.code(),
                  std::string(e.code() == Exit::terminated ? "terminated" : "interrupted") +
                      " while waiting; the task(s) were started",
                  {}, left_running(tasks, w.cluster));
    if (!e.hint().empty()) throw;
    // A failure while polling (expired credentials, a service or network error):
    // the same error and exit code, saying that the task(s) run on regardless.
    throw Error(e.code(), e.what(), e.location(),
                "the task(s) were started, but waiting for them failed; " + left_running(tasks, w.cluster));
  }
}

int run_and_wait(Context& ctx, Runtime& rt, const Json& input, const RunWait& w) {
  validate_exit_code_from(w);
  Json out = rt.call("ecs", "RunTask", input);
  Json failures = out.value("failures", Json::array());
  Json tasks = out.value("tasks", Json::array());
  for (const auto& f : failures) ctx.err << "failure: " << describe_failure(f) << "\n";
  if (tasks.empty()) {
    print_result(ctx, out, "RunTask");
    std::string why = failures.empty() ? "the service returned no task" : describe_failure(failures[0]);
    throw Error(Exit::deployment_failed, "no task was started: " + why);
  }
  if (w.wait_until == "none") {
    print_result(ctx, out, "RunTask");
    return 0;
  }
  Json arns = Json::array();
  for (const auto& t : tasks) arns.push_back(t.value("taskArn", ""));
  tasks = wait_tasks(ctx, rt, arns, tasks, w);
  bool stopped_early = false;
  for (const auto& t : tasks)
    if (str(t, "lastStatus") == "STOPPED") {
      if (!ctx.opts.quiet)
        for (const auto& line : describe_stop(t)) ctx.err << line << "\n";
      stopped_early = stopped_early || w.wait_until == "running" || str(t, "stopCode") == "TaskFailedToStart";
    }
  print_result(ctx, {{"tasks", tasks}, {"failures", failures}}, "RunTask");
  if (w.exit_code_from && w.wait_until == "stopped") {
    int code = 0;
    for (const auto& t : tasks)
      if (int c = exit_code_from(t, *w.exit_code_from, w.definition, !ctx.opts.quiet); c != 0 && code == 0) code = c;
    if (code != 0 && !ctx.opts.quiet) ctx.err << "exit code " << code << " from " << *w.exit_code_from << "\n";
    return code < 0 || code > 255 ? 255 : code;
  }
  if (stopped_early)
    throw Error(Exit::deployment_failed, w.wait_until == "running" ? "the task stopped before it was RUNNING"
                                                                   : "the task failed to start");
  return 0;
}

}  // namespace ecsctl::commands::workflow
