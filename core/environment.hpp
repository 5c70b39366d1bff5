// Read access to environment variables, replaceable in tests.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ecsctl {

// The process environment, optionally overlaid (or fully replaced) by a map, so
// tests can set variables without touching the real environment.
class Environment {
 public:
  Environment() = default;
  // An environment that sees only `vars`, not the process environment.
  static Environment isolated(std::map<std::string, std::string> vars);

  // The value of `name`, or nullopt when unset. Empty values count as set.
  std::optional<std::string> get(std::string_view name) const;
  // The value of `name`, or nullopt when unset or empty.
  std::optional<std::string> get_nonempty(std::string_view name) const;
  void set(std::string name, std::string value) { m_overlay[std::move(name)] = std::move(value); }
  void unset(const std::string& name);

 private:
  std::map<std::string, std::string, std::less<>> m_overlay;
  std::map<std::string, bool, std::less<>> m_unset;
  bool m_isolated = false;
};

}  // namespace ecsctl
