#include "commands/workflow_deploy.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <ostream>

#include <fmt/format.h>

#include "commands/deploy_bluegreen.hpp"
#include "commands/poller.hpp"
#include "core/error.hpp"

namespace ecsctl::commands::workflow {

static long num(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return 0;
  return j[key].get<long>();
}

static std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

static bool same_td(const std::string& a, const std::string& b) {
  return !a.empty() && !b.empty() && taskdef_short(a) == taskdef_short(b);
}

static bool circuit_breaker_on(const Json& service) {
  const Json* dc = service.contains("deploymentConfiguration") ? &service["deploymentConfiguration"] : nullptr;
  if (!dc || !dc->is_object() || !dc->contains("deploymentCircuitBreaker")) return false;
  return (*dc)["deploymentCircuitBreaker"].value("enable", false);
}

// The reason of a rollback: the target deployment's rolloutStateReason, else
// the newest event that mentions the circuit breaker or a rollback.
static std::string rollback_reason(const Json& service, const std::string& target_td, const Json& primary) {
  if (service.contains("deployments"))
    for (const auto& d : service["deployments"])
      if (same_td(str(d, "taskDefinition"), target_td) && !str(d, "rolloutStateReason").empty())
        return str(d, "rolloutStateReason");
  if (service.contains("events"))
    for (const auto& e : service["events"]) {
      std::string m = str(e, "message");
      if (m.find("circuit breaker") != std::string::npos || m.find("rolling back") != std::string::npos ||
          m.find("rolled back") != std::string::npos)
        return m;
    }
  std::string r = str(primary, "rolloutStateReason");
  return r.empty() ? "the service went back to " + taskdef_short(str(primary, "taskDefinition")) : r;
}

DeployStatus evaluate_deployment(const Json& service, const std::string& target_td, bool steady_only) {
  DeployStatus st;
  const Json* primary = nullptr;
  std::size_t count = 0;
  if (service.contains("deployments") && service["deployments"].is_array()) {
    count = service["deployments"].size();
    for (const auto& d : service["deployments"])
      if (str(d, "status") == "PRIMARY") primary = &d;
  }
  if (!primary) {
    st.summary = "waiting for the deployment to appear";
    return st;
  }
  const Json& p = *primary;
  st.running = num(p, "runningCount");
  st.desired = num(p, "desiredCount");
  st.pending = num(p, "pendingCount");
  st.failed_tasks = num(p, "failedTasks");
  std::string rollout = str(p, "rolloutState");
  st.summary = taskdef_short(str(p, "taskDefinition")) + " " + (rollout.empty() ? "PRIMARY" : rollout) +
               " running " + std::to_string(st.running) + "/" + std::to_string(st.desired) + " pending " +
               std::to_string(st.pending);
  if (st.failed_tasks) st.summary += " failed " + std::to_string(st.failed_tasks);
  if (count > 1) st.summary += ", " + std::to_string(count) + " deployments";

  if (!same_td(str(p, "taskDefinition"), target_td)) {
    st.phase = DeployPhase::rolled_back;
    st.reason = rollback_reason(service, target_td, p);
    return st;
  }
  if (rollout == "FAILED") {
    st.phase = DeployPhase::failed;
    st.reason = str(p, "rolloutStateReason");
    if (st.reason.empty()) st.reason = "the deployment's rolloutState is FAILED";
    return st;
  }
  if ((rollout == "COMPLETED" && !steady_only) ||
      (count == 1 && st.running == st.desired && st.pending == 0 &&
       num(service, "runningCount") == num(service, "desiredCount"))) {
    st.phase = DeployPhase::completed;
    return st;
  }
  if (!circuit_breaker_on(service) && st.running == 0 && st.failed_tasks >= std::max(1L, st.desired)) {
    st.phase = DeployPhase::failed;
    st.reason = std::to_string(st.failed_tasks) + " task(s) failed to start and none is running";
  }
  return st;
}

Json describe_service(Runtime& rt, const std::string& cluster, const std::string& service) {
  Json in = {{"services", Json::array({service})}};
  if (!cluster.empty()) in["cluster"] = cluster;
  Json out = rt.call("ecs", "DescribeServices", in);
  if (out.contains("services") && out["services"].is_array() && !out["services"].empty()) {
    const Json& s = out["services"][0];
    if (str(s, "status") != "INACTIVE") return s;
  }
  std::string reason;
  if (out.contains("failures") && out["failures"].is_array() && !out["failures"].empty())
    reason = str(out["failures"][0], "reason");
  throw Error(Exit::usage,
              "service '" + service + "' not found in cluster '" + (cluster.empty() ? "default" : cluster) + "'" +
                  (reason.empty() ? "" : " (" + reason + ")"),
              {}, "check the name with `ecsctl list-services --cluster " + (cluster.empty() ? "default" : cluster) + "`");
}

static std::string iso_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const long ms = static_cast<long>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

std::set<std::string> event_keys(const Json& service) {
  std::set<std::string> keys;
  if (service.contains("events") && service["events"].is_array())
    for (const auto& e : service["events"]) keys.insert(str(e, "id") + str(e, "message"));
  return keys;
}

void emit_event(const WaitOptions& opts, const std::string& type, Json fields) {
  if (!opts.events) return;
  Json line = {{"time", iso_now()}, {"event", type}};
  for (auto& [k, v] : fields.items()) line[k] = v;
  *opts.events << line.dump() << "\n" << std::flush;
}

void open_events(Context& ctx, const std::optional<std::string>& path, WaitOptions& opts) {
  if (!path) return;
  if (*path == "-") {
    opts.events = std::shared_ptr<std::ostream>(&ctx.err, [](std::ostream*) {});
    opts.events_on_stderr = true;
    return;
  }
  auto file = std::make_shared<std::ofstream>(*path, std::ios::out | std::ios::trunc);
  if (!*file) throw_usage("--events: cannot write " + *path + ": " + std::strerror(errno));
  opts.events = file;
}

WaitOutcome wait_for_deployment(Context& ctx, Runtime& rt, const std::string& cluster, const std::string& service,
                                const std::string& target_td, const WaitOptions& opts) {
  const bool text = text_progress(ctx, opts);
  Progress progress(ctx);
  Poller poller(rt, opts.poll);
  const double start = rt.now();
  double last_progress = start;
  long last_running = -1;
  std::string last_summary;
  std::set<std::string> seen = opts.known_events.value_or(std::set<std::string>());
  bool first = !opts.known_events.has_value();
  WaitOutcome out;
  for (;;) {
    check_interrupted();
    bool changed = false;
    try {
      out.service = describe_service(rt, cluster, service);
      std::vector<const Json*> fresh;
      if (out.service.contains("events") && out.service["events"].is_array())
        for (const auto& e : out.service["events"])
          if (seen.insert(str(e, "id") + str(e, "message")).second && !first) fresh.push_back(&e);
      for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) {
        emit_event(opts, "service-event", {{"service", service}, {"message", str(**it, "message")}});
        if (text) progress.note(str(**it, "message"));
        changed = true;
      }
      first = false;
      out.status = evaluate_deployment(out.service, target_td, opts.steady_only);
      // Blue/green: the stage of the deployment (ECS's lifecycleStage).
      if (out.status.phase == DeployPhase::in_progress)
        if (std::string stage = stage_note(rt, cluster, out.service); !stage.empty())
          out.status.summary += ", " + stage;
      if (out.status.summary != last_summary) {
        last_summary = out.status.summary;
        emit_event(opts, "status", {{"service", service}, {"summary", out.status.summary},
                                    {"running", out.status.running}, {"desired", out.status.desired},
                                    {"pending", out.status.pending}});
        if (text) progress.status(out.status.summary);
        changed = true;
      }
      if (out.status.running != last_running) last_running = out.status.running, last_progress = rt.now();
      if (out.status.phase != DeployPhase::in_progress) return out;
    } catch (const ServiceError& e) {
      if (!is_throttling(e)) throw;
      emit_event(opts, "throttled", {{"service", service}, {"code", e.error_code()}});
      if (text) progress.note("throttled (" + e.error_code() + "); backing off");
    }
    double now = rt.now();
    if (opts.timeout > 0 && now - start >= opts.timeout) return out.timed_out = true, out;
    if (opts.stall_timeout > 0 && now - last_progress >= opts.stall_timeout) return out.stalled = true, out;
    double cap = -1;
    if (opts.timeout > 0) cap = opts.timeout - (now - start);
    if (opts.stall_timeout > 0) {
      double s = opts.stall_timeout - (now - last_progress);
      cap = cap < 0 ? s : std::min(cap, s);
    }
    poller.wait(changed, cap);
  }
}

}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands::workflow {

std::vector<std::string> stopped_task_reasons(Runtime& rt, const std::string& cluster, const std::string& service) {
  std::vector<std::string> out;
  try {
    Json in = {{"serviceName", service}, {"desiredStatus", "STOPPED"}, {"maxResults", 10}};
    if (!cluster.empty()) in["cluster"] = cluster;
    Json arns = rt.call("ecs", "ListTasks", in)["taskArns"];
    if (!arns.is_array() || arns.empty()) return out;
    Json din = {{"tasks", arns}};
    if (!cluster.empty()) din["cluster"] = cluster;
    Json tasks = rt.call("ecs", "DescribeTasks", din)["tasks"];
    for (const auto& t : tasks) {
      std::string r = str(t, "stoppedReason");
      if (t.contains("containers"))
        for (const auto& c : t["containers"])
          if (!str(c, "reason").empty()) r += (r.empty() ? "" : ": ") + str(c, "reason");
      if (!r.empty() && std::find(out.begin(), out.end(), r) == out.end() && out.size() < 5) out.push_back(r);
    }
  } catch (const ServiceError&) {
  }
  return out;
}

static std::string with_reasons(std::string msg, const std::vector<std::string>& reasons) {
  for (const auto& r : reasons) msg += "\n  stopped task: " + r;
  return msg;
}

// The service's newest events, and older ones that explain a stall (ECS
// repeats "unable to place a task" only every so often, so it may be older
// than the deployment), oldest first.
static std::string with_events(std::string msg, const Json& service) {
  const Json events = service.value("events", Json::array());
  if (!events.is_array() || events.empty()) return msg;
  std::vector<std::string> picked;
  for (std::size_t i = 0; i < events.size() && i < 5; ++i) picked.push_back(str(events[i], "message"));
  std::size_t explaining = 0;
  for (std::size_t i = 5; i < events.size() && explaining < 3; ++i) {
    std::string m = str(events[i], "message");
    if (m.find("unable to") == std::string::npos && m.find("insufficient") == std::string::npos) continue;
    if (std::find(picked.begin(), picked.end(), m) != picked.end()) continue;
    picked.push_back(m);
    ++explaining;
  }
  msg += "\n  the service's recent events (newest first):";
  for (const auto& m : picked) msg += "\n    " + m;
  return msg;
}

static void roll_back(Context& ctx, Runtime& rt, const DeployPlan& plan, Journal& journal) {
  Json in = {{"service", plan.service}, {"taskDefinition", plan.previous_td}};
  if (!plan.cluster.empty()) in["cluster"] = plan.cluster;
  try {
    rt.call("ecs", "UpdateService", in);
  } catch (const Error& e) {
    journal.fail(e, {"rolling the service back to " + taskdef_short(plan.previous_td)}, plan.service);
  }
  journal.done("rolled the service back to " + taskdef_short(plan.previous_td));
  emit_event(plan.wait, "rolling-back", {{"service", plan.service}, {"taskDefinition", plan.previous_td}});
  if (text_progress(ctx, plan.wait)) ctx.err << "rolling back to " << taskdef_short(plan.previous_td) << "\n";
  WaitOptions wait = plan.wait;
  wait.known_events.reset();  // the first wait printed the events so far
  WaitOutcome back = wait_for_deployment(ctx, rt, plan.cluster, plan.service, plan.previous_td, wait);
  if (back.status.phase == DeployPhase::completed) journal.done("the rollback completed");
  else journal.done("the rollback did not complete (" + back.status.summary + ")");
}

Json await_deployment(Context& ctx, Runtime& rt, const DeployPlan& plan, Journal& journal) {
  const std::string target = taskdef_short(plan.target_td);
  WaitOutcome o;
  try {
    o = wait_for_deployment(ctx, rt, plan.cluster, plan.service, plan.target_td, plan.wait);
  } catch (const Error& e) {
    // Polling failed (expired credentials, a service or network error): ECS
    // carries on with the deployment; say so, with the error's own exit code.
    if (!is_interruption(e.code()))
      journal.fail(e, {"waiting for the deployment to finish (ECS carries on with it)"}, plan.service);
    const std::string how = e.code() == Exit::terminated ? "terminated" : "interrupted";
    throw Error(e.code(), how + " while waiting for the deployment of " + target + " to " + plan.service,
                plan.service, journal.summary({"waiting for the deployment to finish (ECS carries on with it)"}));
  }
  if (o.status.phase == DeployPhase::completed) {
    journal.done("deployment of " + target + " completed");
    return o.service;
  }
  if (o.status.phase == DeployPhase::rolled_back) {
    std::string msg = "the deployment of " + target + " was rolled back (circuit breaker): " + o.status.reason +
                      "; the service runs " + taskdef_short(o.service.value("taskDefinition", ""));
    throw Error(Exit::deployment_failed, with_reasons(msg, stopped_task_reasons(rt, plan.cluster, plan.service)),
                plan.service, journal.summary({"the new revision is not running"}));
  }
  std::string what;
  if (o.status.phase == DeployPhase::failed) what = "the deployment of " + target + " failed: " + o.status.reason;
  else if (o.stalled)
    what = "the deployment of " + target + " stalled: no change in the running count for " +
           std::to_string(static_cast<long>(plan.wait.stall_timeout)) + "s (" + o.status.summary + ")";
  else
    what = "timed out after " + std::to_string(static_cast<long>(plan.wait.timeout)) +
           "s waiting for the deployment of " + target + " (" + o.status.summary + ")";
  what = with_reasons(what, stopped_task_reasons(rt, plan.cluster, plan.service));
  if (o.stalled || o.timed_out) what = with_events(what, o.service);
  if (plan.rollback_on_failure && !plan.previous_td.empty() && taskdef_short(plan.previous_td) != target) {
    roll_back(ctx, rt, plan, journal);
    throw Error(Exit::deployment_failed, what, plan.service, journal.summary({"the new revision is not running"}));
  }
  Exit code = o.status.phase == DeployPhase::failed ? Exit::deployment_failed : Exit::wait_timed_out;
  throw Error(code, what, plan.service,
              journal.summary({"waiting for the deployment to finish (ECS carries on with it)"}));
}

const std::vector<FlagSpec>& deployment_wait_flags() {
  static const std::vector<FlagSpec> flags = {
      {.name = "--timeout", .metavar = "DURATION", .help = "give up waiting after this long (default 30m; exit 4)",
       .complete = Completer::duration},
      {.name = "--stall-timeout", .metavar = "DURATION",
       .help = "give up when the deployment makes no progress for this long (exit 4)",
       .complete = Completer::duration},
      {.name = "--poll-interval", .metavar = "DURATION",
       .help = "first delay between polls (default 3s or ECSCTL_POLL_INTERVAL)", .complete = Completer::duration},
      {.name = "--no-wait", .help = "return after UpdateService without waiting"},
      {.name = "--events", .metavar = "FILE",
       .help = "also write NDJSON progress events with ISO 8601 times to FILE (- for stderr, instead of the text lines)",
       .complete = Completer::file},
  };
  return flags;
}

}  // namespace ecsctl::commands::workflow
