// Generic checks driven by the ECS API model: every nested structure is walked
// with its shape (types, unknown members, enums, required members, bounds).
#include <cmath>

#include "core/suggest.hpp"
#include "schemas/taskdef_check.hpp"
#include "schemas/taskdef_model.hpp"

namespace ecsctl::taskdef {

namespace {

using T = model::Type;
using Shape = model::Shape;

std::string json_type(const Json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

std::string show(const Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string leaf_name(const std::string& path) {
  std::size_t dot = path.find_last_of(".]");
  if (dot == std::string::npos) return path;
  if (path[dot] == '.') return path.substr(dot + 1);
  return path;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

struct Walker {
  Checker& k;

  void type_error(const Json& v, const Shape& s, const std::string& path) {
    std::string msg = "expected " + std::string(type_name(s.type)) + " at " + path + ", got " + json_type(v);
    if (s.type == T::string && v.is_number() && (path == "cpu" || path == "memory"))
      msg += " (task-level " + path + " is a string in the ECS API: write \"" + v.dump() + "\")";
    k.add("input-type", path, msg);
  }

  void check_enum(const Json& v, const Shape& s, const std::string& path) {
    std::string val = v.get<std::string>();
    for (const auto& e : s.enum_values)
      if (e == val) return;
    std::string list;
    std::optional<std::string> near;
    for (const auto& e : s.enum_values) {
      list += (list.empty() ? "" : ", ") + e;
      if (!near && iequal(e, val)) near = e;
    }
    if (!near) near = closest_match(val, s.enum_values);
    std::string msg = "'" + show(v) + "' is not valid for " + leaf_name(path) + "; expected one of " + list;
    if (near) msg += " (did you mean '" + *near + "'?)";
    k.add("input-enum", path, msg);
  }

  void check_bounds(double n, const Shape& s, const std::string& path, const char* what) {
    // Tags and tag keys/values have rules of their own (tags-max, tag-key-format).
    if (s.name == "Tags" || s.name == "TagKey" || s.name == "TagValue") return;
    if ((s.min && n < *s.min) || (s.max && n > *s.max)) {
      std::string b = (s.min ? std::to_string(static_cast<long long>(*s.min)) : "") + ".." +
                      (s.max ? std::to_string(static_cast<long long>(*s.max)) : "");
      k.add("input-range", path, std::string(what) + " of " + path + " must be " + b);
    }
  }

  void structure(const Json& v, const Shape& s, const std::string& path) {
    for (const auto& [name, value] : v.items()) {
      std::string child = path_join(path, name);
      const Shape* m = member_shape(s, name);
      if (!m) {
        std::string msg = "unknown parameter " + name + (path.empty() ? "" : " in " + path);
        if (auto near = closest_match(name, member_names(s))) msg += "; did you mean " + *near + "?";
        k.add("input-unknown-field", child, msg);
        continue;
      }
      walk(value, *m, child);
    }
    for (const auto& r : s.required) {
      const Json* m = member(v, r);
      if (!m || m->is_null())
        k.add("input-required", path_join(path, r), r + " is required" + (path.empty() ? "" : " in " + path));
    }
  }

  void walk(const Json& v, const Shape& s, const std::string& path) {
    if (v.is_null()) return;  // null counts as absent
    switch (s.type) {
      case T::structure:
        if (!v.is_object()) return type_error(v, s, path);
        return structure(v, s, path);
      case T::list:
        if (!v.is_array()) return type_error(v, s, path);
        check_bounds(static_cast<double>(v.size()), s, path, "the length");
        for (std::size_t i = 0; i < v.size(); ++i) walk(v[i], element_shape(s), path_index(path, i));
        return;
      case T::map:
        if (!v.is_object()) return type_error(v, s, path);
        for (const auto& [key, value] : v.items()) walk(value, element_shape(s), path_join(path, key));
        return;
      case T::string:
        if (!v.is_string()) return type_error(v, s, path);
        if (!s.enum_values.empty()) return check_enum(v, s, path);
        check_bounds(static_cast<double>(v.get_ref<const std::string&>().size()), s, path, "the length");
        return;
      case T::integer:
      case T::long_: {
        if (!v.is_number_integer()) return type_error(v, s, path);
        double n = v.is_number_unsigned() ? static_cast<double>(v.get<unsigned long long>()) : static_cast<double>(v.get<long long>());
        if (s.type == T::integer && (n < -2147483648.0 || n > 2147483647.0))
          return k.add("input-range", path, path + " does not fit a 32-bit integer");
        check_bounds(n, s, path, "the value");
        return;
      }
      case T::double_:
      case T::float_:
        if (!v.is_number()) return type_error(v, s, path);
        check_bounds(v.get<double>(), s, path, "the value");
        return;
      case T::boolean:
        if (!v.is_boolean()) return type_error(v, s, path);
        return;
      default:
        return;
    }
  }
};

}  // namespace

void check_model(Checker& k) {
  Walker w{k};
  w.walk(k.td, ecs_shape("RegisterTaskDefinitionRequest"), "");
}

}  // namespace ecsctl::taskdef
