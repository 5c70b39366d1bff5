#include "commands/workflow_taskdef.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <sys/stat.h>

#include "core/error.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::commands::workflow {

bool is_taskdef_file(const std::string& value) {
  struct stat st {};
  if (::stat(value.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return true;
  for (const char* ext : {".json", ".yaml", ".yml"}) {
    std::string e(ext);
    if (value.size() > e.size() && value.compare(value.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

static std::pair<std::string, std::string> split_at(const std::string& s, char sep, std::string_view flag) {
  auto p = s.find(sep);
  if (p == std::string::npos || p == 0)
    throw_usage("argument " + std::string(flag) + ": expected CONTAINER" + std::string(1, sep) + "VALUE, got '" + s + "'");
  return {s.substr(0, p), s.substr(p + 1)};
}

ContainerOverrides parse_overrides(const std::vector<std::string>& images, const std::vector<std::string>& commands,
                                   const std::vector<std::string>& envs) {
  ContainerOverrides o;
  for (const auto& i : images) {
    auto [c, img] = split_at(i, '=', "--image");
    if (img.empty()) throw_usage("argument --image: empty image for container '" + c + "'");
    o.image[c] = img;
  }
  for (const auto& cmd : commands) {
    auto [c, text] = split_at(cmd, '=', "--command");
    o.command[c] = split_command(text);
  }
  for (const auto& e : envs) {
    auto [c, kv] = split_at(e, ':', "--env");
    auto [k, v] = split_at(kv, '=', "--env");
    o.env[c].emplace_back(k, v);
  }
  return o;
}

static Json* find_container(Json& def, const std::string& name) {
  if (!def.contains("containerDefinitions") || !def["containerDefinitions"].is_array()) return nullptr;
  for (auto& c : def["containerDefinitions"])
    if (c.is_object() && c.value("name", "") == name) return &c;
  return nullptr;
}

static std::string retag(const std::string& image, const std::string& tag) {
  std::string repo = image.substr(0, image.find('@'));
  auto slash = repo.rfind('/');
  auto colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo.resize(colon);
  return repo + ":" + tag;
}

static Json& container_or_throw(Json& def, const std::string& name) {
  Json* c = find_container(def, name);
  if (!c) throw_usage("the task definition has no container named '" + name + "'");
  return *c;
}

void apply_overrides(Json& def, const ContainerOverrides& o, const std::optional<std::string>& tag) {
  if (tag && def.contains("containerDefinitions"))
    for (auto& c : def["containerDefinitions"])
      if (c.contains("image") && c["image"].is_string()) c["image"] = retag(c["image"].get<std::string>(), *tag);
  for (const auto& [name, img] : o.image) container_or_throw(def, name)["image"] = img;
  for (const auto& [name, cmd] : o.command) container_or_throw(def, name)["command"] = cmd;
  for (const auto& [name, vars] : o.env) {
    Json& c = container_or_throw(def, name);
    if (!c.contains("environment") || !c["environment"].is_array()) c["environment"] = Json::array();
    for (const auto& [k, v] : vars) {
      bool replaced = false;
      for (auto& e : c["environment"])
        if (e.value("name", "") == k) e["value"] = v, replaced = true;
      if (!replaced) c["environment"].push_back({{"name", k}, {"value", v}});
    }
  }
}

Json run_task_container_overrides(const ContainerOverrides& o) {
  std::map<std::string, Json> by_name;
  for (const auto& [name, cmd] : o.command) by_name[name]["command"] = cmd;
  for (const auto& [name, vars] : o.env)
    for (const auto& [k, v] : vars) by_name[name]["environment"].push_back({{"name", k}, {"value", v}});
  Json out = Json::array();
  for (auto& [name, body] : by_name) {
    Json item = {{"name", name}};
    for (auto& [k, v] : body.items()) item[k] = v;
    out.push_back(item);
  }
  return out;
}

Json registration_input(const Json& described, const Json& tags) {
  Json def = described;
  for (const char* k : {"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                        "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt"})
    def.erase(k);
  if (tags.is_array() && !tags.empty()) def["tags"] = tags;
  return def;
}

namespace {

bool is_default(const std::string& key, const Json& v, const Json& parent) {
  if (v.is_null() || ((v.is_array() || v.is_object()) && v.empty())) return true;
  if (key == "essential" && v == true) return true;
  if (key == "protocol" && v == "tcp") return true;
  if (key == "cpu" && v.is_number() && v == 0) return true;
  if (key == "networkMode" && v == "bridge") return true;
  if (key == "hostPort" && parent.contains("containerPort") && parent["containerPort"] == v) return true;
  return false;
}

std::string scalar_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool subset(const Json& want, const Json& have) {
  if (want.is_object()) {
    if (!have.is_object()) return false;
    for (auto& [k, v] : want.items()) {
      if (k == "tags") continue;
      if (!have.contains(k)) {
        if (!is_default(k, v, want)) return false;
      } else if (!subset(v, have[k])) {
        return false;
      }
    }
    for (auto& [k, v] : have.items())
      if (!want.contains(k) && !is_default(k, v, have)) return false;
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return false;
    for (std::size_t i = 0; i < want.size(); ++i)
      if (!subset(want[i], have[i])) return false;
    return true;
  }
  if (want.is_number() && have.is_number()) return want.get<double>() == have.get<double>();
  if (want.is_structured() || have.is_structured()) return false;
  if (want.type() != have.type() && (want.is_null() || have.is_null())) return false;
  return want == have || scalar_text(want) == scalar_text(have);
}

}  // namespace

bool same_definition(const Json& wanted, const Json& existing) {
  return subset(registration_input(wanted), registration_input(existing));
}

Registered register_or_reuse(Runtime& rt, const Json& def) {
  std::string family = def.value("family", "");
  if (family.empty()) throw_usage("the task definition has no family");
  try {
    Json cur = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", family}});
    const Json& td = cur["taskDefinition"];
    if (td.is_object() && td.value("status", "ACTIVE") == "ACTIVE" && same_definition(def, td))
      return {td.value("taskDefinitionArn", ""), true};
  } catch (const ServiceError& e) {
    if (e.error_code() != "ClientException" && e.error_code() != "InvalidParameterException") throw;
  }
  Json out = rt.call("ecs", "RegisterTaskDefinition", def);
  return {out["taskDefinition"].value("taskDefinitionArn", ""), false};
}

static std::vector<std::string> lines_of(const Json& j) {
  std::vector<std::string> out;
  std::istringstream in(j.dump(2));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> json_diff(const Json& before, const Json& after) {
  auto a = lines_of(before), b = lines_of(after);
  const std::size_t n = a.size(), m = b.size();
  if (n * m > 4'000'000) return {"- (previous definition, too large to diff)", "+ (new definition)"};
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::string> all;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) all.push_back("  " + a[i++]), ++j;
    else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) all.push_back("+ " + b[j++]);
    else all.push_back("- " + a[i++]);
  }
  std::vector<std::string> out;
  const std::size_t k_context = 3;
  std::size_t last_printed = 0;
  bool any = false;
  for (std::size_t x = 0; x < all.size(); ++x) {
    if (all[x][0] == ' ') continue;
    std::size_t from = x >= k_context ? x - k_context : 0;
    from = std::max(from, last_printed);
    if (any && from > last_printed) out.push_back("  ...");
    for (std::size_t y = from; y <= x; ++y) out.push_back(all[y]);
    std::size_t to = std::min(all.size(), x + 1 + k_context);
    for (std::size_t y = x + 1; y < to && all[y][0] == ' '; ++y) out.push_back(all[y]), last_printed = y + 1;
    last_printed = std::max(last_printed, x + 1);
    any = true;
  }
  return out;
}

}  // namespace ecsctl::commands::workflow
