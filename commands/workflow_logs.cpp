#include "commands/workflow_logs.hpp"

#include <algorithm>
#include <ctime>
#include <ostream>

#include "core/error.hpp"

namespace ecsctl::commands::workflow {

std::string LogConfig::stream_of(const std::string& task_arn) const {
  std::string id = arn_tail(task_arn);
  return (prefix.empty() ? "" : prefix + "/") + container + "/" + id;
}

std::optional<LogConfig> log_config(const Json& definition, const std::string& container) {
  if (!definition.contains("containerDefinitions") || !definition["containerDefinitions"].is_array()) return std::nullopt;
  for (const auto& c : definition["containerDefinitions"]) {
    std::string name = c.value("name", "");
    if (!container.empty() && name != container) continue;
    const Json lc = c.value("logConfiguration", Json::object());
    if (lc.value("logDriver", "") != "awslogs") {
      if (!container.empty()) return std::nullopt;
      continue;
    }
    const Json o = lc.value("options", Json::object());
    LogConfig cfg;
    cfg.container = name;
    cfg.group = o.value("awslogs-group", "");
    cfg.prefix = o.value("awslogs-stream-prefix", "");
    cfg.region = o.value("awslogs-region", "");
    if (cfg.group.empty()) continue;
    return cfg;
  }
  return std::nullopt;
}

std::string format_log_event(const Json& event, bool with_stream) {
  long long ms = event.value("timestamp", 0LL);
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = buf;
  if (with_stream) line += " " + event.value("logStreamName", "");
  std::string msg = event.value("message", "");
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  return line + " " + msg;
}

LogFollower::LogFollower(Runtime& rt, std::ostream& out, LogConfig cfg, Json stream_filter, long long start_ms,
                         std::string pattern)
    : m_rt(rt), m_out(out), m_cfg(std::move(cfg)), m_filter(std::move(stream_filter)), m_start_ms(start_ms),
      m_pattern(std::move(pattern)) {
  m_with_stream = !(m_filter.contains("logStreamNames") && m_filter["logStreamNames"].size() == 1);
}

bool LogFollower::poll() {
  Json in = {{"logGroupName", m_cfg.group}, {"startTime", m_start_ms}};
  for (auto& [k, v] : m_filter.items()) in[k] = v;
  if (!m_pattern.empty()) in["filterPattern"] = m_pattern;
  bool printed = false;
  long long newest = m_start_ms;
  for (int page = 0; page < 100; ++page) {
    Json out;
    try {
      out = m_rt.call("logs", "FilterLogEvents", in);
    } catch (const ServiceError& e) {
      if (e.error_code() == "ResourceNotFoundException" || is_throttling(e)) return printed;
      throw;
    }
    for (const auto& ev : out.value("events", Json::array())) {
      std::string id = ev.value("eventId", "") + "/" + std::to_string(ev.value("timestamp", 0LL)) + ev.value("message", "");
      if (!m_seen.insert(id).second) continue;
      m_out << format_log_event(ev, m_with_stream) << "\n";
      newest = std::max(newest, ev.value("timestamp", 0LL));
      printed = true;
    }
    if (!out.contains("nextToken") || !out["nextToken"].is_string()) break;
    in["nextToken"] = out["nextToken"];
  }
  m_out << std::flush;
  m_start_ms = newest;  // events at the same millisecond are de-duplicated by m_seen
  return printed;
}

std::unique_ptr<LogFollower> make_task_follower(Context& ctx, Runtime& rt, const Json& definition, const Json& task,
                                                const std::optional<std::string>& container) {
  std::string name = container && *container != "essential" ? *container : "";
  auto cfg = log_config(definition, name);
  if (!cfg) {
    if (!ctx.opts.quiet)
      ctx.err << "note: --follow: " << (name.empty() ? "no container has" : "container " + name + " has no")
              << " awslogs log configuration; not streaming logs\n";
    return nullptr;
  }
  Json filter = {{"logStreamNames", {cfg->stream_of(task.value("taskArn", ""))}}};
  return std::make_unique<LogFollower>(rt, ctx.err, *cfg, filter, 0);
}

}  // namespace ecsctl::commands::workflow
