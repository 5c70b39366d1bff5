// Container statistics as ECS service metrics (local/engine_stats.hpp).
#include "local/engine_stats.hpp"

#include <algorithm>

namespace ecsctl::local {

namespace {

double number(const Json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    try {
      return std::stod(j.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return 0;
}

}  // namespace

std::optional<double> EngineStats::cpu_units(const std::string& container_id, const Json& stats, double now) {
  if (!stats.is_object() || !stats.contains("cpu_stats")) return std::nullopt;
  double usage = number(stats["cpu_stats"].value("cpu_usage", Json::object()).value("total_usage", Json(0)));
  std::lock_guard lock(m_mutex);
  auto it = m_last_cpu.find(container_id);
  std::optional<double> out;
  if (it != m_last_cpu.end() && now > it->second.first && usage >= it->second.second) {
    double cores = (usage - it->second.second) / ((now - it->second.first) * 1e9);
    out = cores * 1024;
  }
  m_last_cpu[container_id] = {now, usage};
  return out;
}

double EngineStats::memory_mib(const Json& stats) {
  if (!stats.is_object()) return 0;
  const Json m = stats.value("memory_stats", Json::object());
  double usage = number(m.value("usage", Json(0)));
  const Json s = m.value("stats", Json::object());
  // cgroup v1 counts the page cache in usage (docker stats subtracts it); v2 has inactive_file.
  double cache = s.contains("total_inactive_file") ? number(s["total_inactive_file"])
                 : s.contains("inactive_file")     ? number(s["inactive_file"])
                                                   : number(s.value("cache", Json(0)));
  return std::max(0.0, usage - std::min(cache, usage)) / (1024.0 * 1024.0);
}

double EngineStats::reserved_cpu_units(const Json& td) {
  double cpu = number(td.value("cpu", Json(0)));
  if (cpu <= 0)
    for (const auto& c : td.value("containerDefinitions", Json::array())) cpu += number(c.value("cpu", Json(0)));
  return cpu > 0 ? cpu : 1024;
}

double EngineStats::reserved_memory_mib(const Json& td) {
  double mem = number(td.value("memory", Json(0)));
  if (mem <= 0)
    for (const auto& c : td.value("containerDefinitions", Json::array())) {
      double hard = number(c.value("memory", Json(0)));
      mem += hard > 0 ? hard : number(c.value("memoryReservation", Json(0)));
    }
  return mem;
}

void EngineStats::add(const std::string& cluster_arn, const std::string& group, const Sample& s) {
  std::lock_guard lock(m_mutex);
  auto& q = m_samples[cluster_arn + "|" + group];
  q.push_back(s);
  while (!q.empty() && q.front().time < s.time - k_keep_seconds) q.pop_front();
  // Groups with nothing recent go.
  for (auto it = m_samples.begin(); it != m_samples.end();) {
    if (!it->second.empty() && it->second.back().time < s.time - k_keep_seconds) it = m_samples.erase(it);
    else ++it;
  }
}

void EngineStats::forget(const std::string& container_id) {
  std::lock_guard lock(m_mutex);
  m_last_cpu.erase(container_id);
}

std::optional<double> EngineStats::service_metric(const Json& service, const std::string& metric, double from,
                                                  double to) const {
  std::string key = service.value("clusterArn", "") + "|service:" + service.value("serviceName", "");
  std::lock_guard lock(m_mutex);
  auto it = m_samples.find(key);
  if (it == m_samples.end()) return std::nullopt;
  bool cpu = metric == "CPUUtilization";
  double used = 0, reserved = 0;
  bool any = false;
  for (const auto& s : it->second) {
    if (s.time < from || s.time >= to) continue;
    double r = cpu ? s.cpu_reserved : s.mem_reserved;
    if (r <= 0) continue;
    used += cpu ? s.cpu_used : s.mem_used;
    reserved += r;
    any = true;
  }
  if (!any) return std::nullopt;
  return used / reserved * 100.0;
}

}  // namespace ecsctl::local
