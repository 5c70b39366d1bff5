// Validation of API input against the model, timestamps and the shorthand
// examples of `--help` (see param_input.hpp); YAML input is param_input_yaml.cpp.
#include <algorithm>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "core/suggest.hpp"

namespace ecsctl::param {
namespace {

const Json& shape_of(const Json& model, std::string_view name) {
  const Json& shapes = model.at("shapes");
  auto it = shapes.find(std::string(name));
  if (it == shapes.end()) throw Error(Exit::other, "the API model has no shape '" + std::string(name) + "'");
  return *it;
}

std::string type_of(const Json& shape) { return shape.value("type", std::string("string")); }

std::string json_type_name(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "list";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return "null";
}

std::string short_value(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string join(const Json& list, const char* sep = ", ") {
  std::string out;
  for (const auto& e : list) {
    if (!out.empty()) out += sep;
    out += e.is_string() ? e.get<std::string>() : e.dump();
  }
  return out;
}

[[noreturn]] void invalid(const std::string& message, const std::string& path, std::string hint = {}) {
  throw Error(Exit::usage, "Parameter validation failed: " + message, path.empty() ? "" : "parameter " + path,
              std::move(hint));
}

[[noreturn]] void bad_type(const std::string& path, const Json& v, const char* valid) {
  invalid("Invalid type for parameter " + path + ", value: " + short_value(v) + ", type: " + json_type_name(v) +
              ", valid types: " + valid,
          path);
}

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

void validate_structure(const Json& model, const Json& shape, Json& value, const std::string& path,
                        const std::vector<std::string>& supplied_later = {}) {
  if (!value.is_object()) bad_type(path.empty() ? "input" : path, value, "object");
  if (shape.value("document", false)) return;
  const Json& members = shape.value("members", Json::object());
  for (auto& [k, v] : value.items()) {
    auto m = members.find(k);
    if (m == members.end()) {
      std::vector<std::string> names;
      for (auto& [n, _] : members.items()) names.push_back(n);
      Json list = names;
      std::string hint;
      if (auto near = closest_match(k, names)) hint = "did you mean \"" + *near + "\"?";
      invalid("Unknown parameter in " + (path.empty() ? std::string("input") : path) + ": \"" + k +
                  "\", must be one of: " + join(list),
              path, hint);
    }
    validate(model, m->at("shape").get<std::string>(), v, child(path, k));
  }
  for (const auto& r : shape.value("required", Json::array())) {
    const std::string name = r.get<std::string>();
    if (std::find(supplied_later.begin(), supplied_later.end(), name) != supplied_later.end()) continue;
    if (!value.contains(name))
      invalid("Missing required parameter in " + (path.empty() ? std::string("input") : path) + ": \"" +
                  r.get<std::string>() + "\"",
              path);
  }
}

void check_min(const Json& shape, double actual, const std::string& path, const Json& v, const char* what) {
  if (shape.contains("min") && shape["min"].is_number() && actual < shape["min"].get<double>())
    invalid(std::string("Invalid ") + what + " for parameter " + path + ", value: " + short_value(v) +
                ", valid min " + (std::string(what) == "range" ? "value" : "length") + ": " + shape["min"].dump(),
            path);
}

}  // namespace

void validate(const Json& model, std::string_view shape_name, Json& value, const std::string& path,
              const std::vector<std::string>& supplied_later) {
  const Json& shape = shape_of(model, shape_name);
  const std::string t = type_of(shape);
  if (t == "structure") return validate_structure(model, shape, value, path, supplied_later);
  if (t == "list") {
    if (!value.is_array()) bad_type(path, value, "list");
    check_min(shape, static_cast<double>(value.size()), path, value, "length");
    std::string member = shape.at("member").at("shape").get<std::string>();
    for (std::size_t i = 0; i < value.size(); ++i) validate(model, member, value[i], path + "[" + std::to_string(i) + "]");
  } else if (t == "map") {
    if (!value.is_object()) bad_type(path, value, "object");
    std::string vs = shape.at("value").at("shape").get<std::string>();
    for (auto& [k, v] : value.items()) validate(model, vs, v, child(path, k));
  } else if (t == "string") {
    if (!value.is_string()) bad_type(path, value, "string");
    const auto& s = value.get_ref<const std::string&>();
    check_min(shape, static_cast<double>(s.size()), path, value, "length");
    if (shape.contains("enum")) {
      const Json& allowed = shape["enum"];
      if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        std::vector<std::string> names = allowed.get<std::vector<std::string>>();
        std::string hint;
        if (auto near = closest_match(s, names)) hint = "did you mean '" + *near + "'?";
        invalid("Invalid value for parameter " + path + ": '" + s + "', valid values: " + join(allowed, " | "), path,
                hint);
      }
    }
  } else if (t == "integer" || t == "long") {
    if (!value.is_number_integer()) bad_type(path, value, "integer");
    check_min(shape, value.get<double>(), path, value, "range");
  } else if (t == "double" || t == "float") {
    if (!value.is_number()) bad_type(path, value, "number");
    check_min(shape, value.get<double>(), path, value, "range");
  } else if (t == "boolean") {
    if (!value.is_boolean()) bad_type(path, value, "boolean");
  } else if (t == "timestamp") {
    if (value.is_string()) {
      auto ts = parse_timestamp(value.get<std::string>());
      if (!ts)
        invalid("Invalid timestamp for parameter " + path + ": " + short_value(value) +
                    " (use ISO 8601, e.g. 2024-05-01T12:00:00Z, or epoch seconds)",
                path);
      if (*ts == std::floor(*ts)) value = static_cast<long long>(*ts);
      else value = *ts;
    } else if (!value.is_number()) {
      bad_type(path, value, "timestamp");
    }
  } else if (t == "blob") {
    if (!value.is_string()) bad_type(path, value, "string (base64)");
  }
}

std::optional<double> parse_timestamp(std::string_view text) {
  std::string s(text);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double epoch = std::strtod(s.c_str(), &end);
  if (*end == '\0' && s.find_first_of("-:T") == std::string::npos) return epoch;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
  double sec = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return std::nullopt;
  std::size_t i = 10;
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    int m = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5) return std::nullopt;
    i += 1 + 5;
    if (i < s.size() && s[i] == ':') {
      char* e = nullptr;
      sec = std::strtod(s.c_str() + i + 1, &e);
      if (e == s.c_str() + i + 1) return std::nullopt;
      i = static_cast<std::size_t>(e - s.c_str());
    }
  }
  double offset = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int oh = 0, om = 0, m = 0;
      if (std::sscanf(s.c_str() + i + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5) return std::nullopt;
      offset = (s[i] == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
      i += 6;
    }
  }
  if (i != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec >= 61) return std::nullopt;
  // Days from the civil date (Howard Hinnant's algorithm).
  int yy = mo <= 2 ? y - 1 : y;
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  double days = era * 146097.0 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec - offset;
}

// ---- shorthand examples for --help (awscli's ParamShorthandDocGen) ----------

namespace {
struct TooComplex {};

std::string shorthand_doc(const Json& model, const std::string& name, std::vector<std::string>& stack);

std::string structure_doc(const Json& model, const Json& shape, std::vector<std::string>& stack) {
  std::string parts;
  const Json members = shape.value("members", Json::object());  // kept alive for items()
  for (auto& [member, ref] : members.items()) {
    std::string sn = ref.at("shape").get<std::string>();
    if (shape_of(model, sn).value("document", false)) continue;
    if (!parts.empty()) parts += ',';
    if (std::count(stack.begin(), stack.end(), sn) > 0) {
      parts += member + "=( ... recursive ... )";
      continue;
    }
    stack.push_back(sn);
    std::string doc = shorthand_doc(model, sn, stack);
    stack.pop_back();
    parts += member + "=" + doc;
  }
  return stack.empty() ? parts : "{" + parts + "}";
}

std::string shorthand_doc(const Json& model, const std::string& name, std::vector<std::string>& stack) {
  if (stack.size() > 3) throw TooComplex{};
  const Json& shape = shape_of(model, name);
  const std::string t = type_of(shape);
  if (t == "structure") return structure_doc(model, shape, stack);
  if (t == "list") {
    std::string member = shape.at("member").at("shape").get<std::string>();
    stack.push_back(member);
    std::string e = shorthand_doc(model, member, stack);
    stack.pop_back();
    std::string mt = type_of(shape_of(model, member));
    if (mt == "structure" || mt == "list" || mt == "map" || stack.size() > 1) return "[" + e + "," + e + "]";
    return e + "," + e;
  }
  if (t == "map") {
    std::string v = shorthand_doc(model, shape.at("value").at("shape").get<std::string>(), stack);
    std::string start = "KeyName1=" + v + ",KeyName2=" + v;
    return stack.empty() ? start : "{" + start + "}";
  }
  return t;
}
}  // namespace

std::string shorthand_example(const Json& model, std::string_view shape_name) {
  if (!supports_shorthand(model, shape_name)) return {};
  const Json& shape = shape_of(model, shape_name);
  std::vector<std::string> stack;
  try {
    if (type_of(shape) == "list")
      return shorthand_doc(model, shape.at("member").at("shape").get<std::string>(), stack) + " ...";
    return shorthand_doc(model, std::string(shape_name), stack);
  } catch (const TooComplex&) {
    return {};
  }
}

}  // namespace ecsctl::param
