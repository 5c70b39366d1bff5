// The validator's driver: derived facts, accessors, and the rule groups in order.
#include <algorithm>

#include "schemas/taskdef_check.hpp"
#include "schemas/taskdef_rules.hpp"
#include "schemas/taskdef_size.hpp"

namespace ecsctl::taskdef {

void Checker::add(std::string_view rule, const std::string& path, std::string message, std::string hint) {
  if (!seen.emplace(std::string(rule), path).second) return;
  const Rule* r = find_rule(rule);
  Finding f;
  f.rule = std::string(rule);
  f.severity = r ? r->severity : Severity::error;
  f.path = path;
  f.message = std::move(message);
  if (!hint.empty()) f.hint = std::move(hint);
  else if (r) f.hint = std::string(r->hint);
  out.push_back(std::move(f));
}

const Json* member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}
const Json* list_at(const Json& obj, std::string_view key) {
  const Json* v = member(obj, key);
  return v && v->is_array() ? v : nullptr;
}
const Json* object_at(const Json& obj, std::string_view key) {
  const Json* v = member(obj, key);
  return v && v->is_object() ? v : nullptr;
}
std::optional<std::string> string_at(const Json& obj, std::string_view key) {
  const Json* v = member(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}
std::optional<long long> int_at(const Json& obj, std::string_view key) {
  const Json* v = member(obj, key);
  if (!v || !v->is_number_integer()) return std::nullopt;
  return v->get<long long>();
}
std::optional<bool> bool_at(const Json& obj, std::string_view key) {
  const Json* v = member(obj, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}
bool is_set(const Json* v) {
  if (!v || v->is_null()) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string() || v->is_array() || v->is_object()) return !v->empty();
  return true;
}
bool is_set(const Json& obj, std::string_view key) { return is_set(member(obj, key)); }
bool essential(const Json& c) { return bool_at(c, "essential").value_or(true); }

std::string container_label(const Json& c, std::size_t index) {
  if (auto n = string_at(c, "name"); n && !n->empty()) return "'" + *n + "'";
  return "#" + std::to_string(index);
}

static void derive(Checker& k) {
  bool any_valid = false;
  if (const Json* rc = list_at(k.td, "requiresCompatibilities")) {
    for (const auto& v : *rc) {
      if (!v.is_string()) continue;
      std::string s = v.get<std::string>();
      if (s == "FARGATE") { k.fg = true; any_valid = true; }
      else if (s == "EC2" || s == "EXTERNAL" || s == "MANAGED_INSTANCES") {
        k.ec2like = true;
        any_valid = true;
        if (s == "EXTERNAL") k.external = true;
        if (s == "MANAGED_INSTANCES") k.managed = true;
      }
    }
  }
  if (k.opts.launch_type) {
    const std::string& lt = *k.opts.launch_type;
    if (lt == "FARGATE") k.fg = true;
    else {
      k.ec2like = true;
      if (lt == "EXTERNAL") k.external = true;
      if (lt == "MANAGED_INSTANCES") k.managed = true;
    }
  } else if (!any_valid) {
    k.ec2like = true;
  }
  if (const Json* rp = object_at(k.td, "runtimePlatform"))
    if (auto os = string_at(*rp, "operatingSystemFamily")) k.windows = os->rfind("WINDOWS_SERVER_", 0) == 0;
  k.nm = string_at(k.td, "networkMode").value_or(k.windows ? "default" : "bridge");
  // A number (`cpu: 256`) is an input-type error, but it still says what size
  // was meant: the size rules check it too, so that one round fixes both.
  if (auto cpu = string_at(k.td, "cpu")) k.task_cpu = parse_task_cpu(*cpu);
  else if (const Json* c = member(k.td, "cpu"); c && c->is_number_integer()) k.task_cpu = c->get<long long>();
  if (auto mem = string_at(k.td, "memory")) k.task_mem = parse_task_memory(*mem);
  else if (const Json* m = member(k.td, "memory"); m && m->is_number_integer()) k.task_mem = m->get<long long>();
  if (const Json* cs = list_at(k.td, "containerDefinitions"))
    for (std::size_t i = 0; i < cs->size(); ++i)
      if ((*cs)[i].is_object()) k.containers.emplace_back(&(*cs)[i], path_index("containerDefinitions", i));
}

void validate(Document& doc, const ValidateOptions& opts) {
  if (!doc.parsed) return;
  std::vector<Finding> found;
  Checker k(doc.def, opts, found);
  derive(k);
  check_model(k);
  check_task_size(k);
  check_network(k);
  check_names(k);
  check_containers(k);
  check_linux(k);
  check_task_members(k);
  doc.redact = std::move(k.redact);
  for (auto& f : found) {
    f.pos = doc.locate(f.path, f.rule == "input-unknown-field");
    doc.findings.push_back(std::move(f));
  }
  std::stable_sort(doc.findings.begin(), doc.findings.end(), [](const Finding& a, const Finding& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.col < b.pos.col;
  });
}

bool fails(const std::vector<Finding>& findings, bool strict) {
  for (const auto& f : findings) {
    if (strict) return true;
    if (f.severity != Severity::error) continue;
    const Rule* r = find_rule(f.rule);
    if (!r || r->verified) return true;
  }
  return false;
}

}  // namespace ecsctl::taskdef
