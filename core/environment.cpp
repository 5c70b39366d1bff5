#include "core/environment.hpp"

#include <cstdlib>

namespace ecsctl {

Environment Environment::isolated(std::map<std::string, std::string> vars) {
  Environment env;
  env.m_isolated = true;
  for (auto& [k, v] : vars) env.m_overlay[k] = v;
  return env;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  if (auto it = m_overlay.find(name); it != m_overlay.end()) return it->second;
  if (m_isolated || m_unset.count(name)) return std::nullopt;
  const char* v = std::getenv(std::string(name).c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> Environment::get_nonempty(std::string_view name) const {
  auto v = get(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

void Environment::unset(const std::string& name) {
  m_overlay.erase(name);
  m_unset[name] = true;
}

}  // namespace ecsctl
