#include "schemas/validate_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace ecsctl::model {

Path Finding::member_path() const {
  Path p = path;
  if (problem == Problem::missing_required || problem == Problem::unknown_member)
    p.push_back({PathStep::Kind::member, member, 0});
  return p;
}

ValidateOptions client_checks(std::vector<std::string> supplied_later) {
  ValidateOptions o;
  o.normalise_timestamps = true;
  o.supplied_later = std::move(supplied_later);
  return o;
}

ValidateOptions service_checks() {
  ValidateOptions o;
  o.unknown_members = false;
  o.enums = true;
  o.maxima = true;
  o.nulls_are_absent = true;
  return o;
}

std::optional<double> parse_timestamp_text(std::string_view text);

namespace {

constexpr std::size_t k_max_depth = 64;  // no API shape nests deeper; stops recursive shapes

struct Walker {
  const ValidateOptions& opt;
  bool mutate;
  Findings out;
  Path path;

  void report(Problem p, const Shape* shape, const Json& v, double bound = 0, std::vector<std::string> valid = {}) {
    Finding f;
    f.problem = p;
    f.path = path;
    f.value = v;
    f.shape = shape;
    f.bound = bound;
    f.valid = std::move(valid);
    (p == Problem::not_in_enum && !opt.enums ? out.notes : out.errors).push_back(std::move(f));
  }

  void member_problem(Problem p, const Shape& shape, std::string member, std::vector<std::string> valid = {}) {
    Finding f;
    f.problem = p;
    f.path = path;
    f.member = std::move(member);
    f.shape = p == Problem::missing_required ? &shape : nullptr;
    f.valid = std::move(valid);
    out.errors.push_back(std::move(f));
  }

  void length(const Shape& s, double n, const Json& v) {
    if (s.min && n < *s.min) report(Problem::below_min_length, &s, v, *s.min);
    else if (opt.maxima && s.max && n > *s.max) report(Problem::above_max_length, &s, v, *s.max);
  }

  void range(const Shape& s, double n, const Json& v) {
    if (s.min && n < *s.min) report(Problem::below_min_value, &s, v, *s.min);
    else if (opt.maxima && s.max && n > *s.max) report(Problem::above_max_value, &s, v, *s.max);
  }

  void structure(const Shape& s, Json& v, bool top) {
    if (!v.is_object()) return report(Problem::invalid_type, &s, v);
    if (s.document) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Member* m = s.member(it.key());
      if (!m) {
        if (opt.unknown_members) {
          std::vector<std::string> names;
          for (const auto& x : s.members) names.push_back(x.name);
          member_problem(Problem::unknown_member, s, it.key(), std::move(names));
        }
        continue;
      }
      if (opt.nulls_are_absent && it.value().is_null()) continue;
      path.push_back({PathStep::Kind::member, m->name, 0});
      value(m->target(), it.value());
      path.pop_back();
    }
    for (const auto& r : s.required) {
      if (top && std::find(opt.supplied_later.begin(), opt.supplied_later.end(), r) != opt.supplied_later.end())
        continue;
      auto it = v.find(r);
      if (it == v.end() || (opt.nulls_are_absent && it->is_null())) member_problem(Problem::missing_required, s, r);
    }
  }

  void value(const Shape& s, Json& v, bool top = false) {
    if (path.size() > k_max_depth) return;
    switch (s.type) {
      case Type::structure:
        return structure(s, v, top);
      case Type::list:
        if (!v.is_array()) return report(Problem::invalid_type, &s, v);
        length(s, static_cast<double>(v.size()), v);
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (opt.nulls_are_absent && v[i].is_null()) continue;
          path.push_back({PathStep::Kind::index, {}, i});
          value(s.list_member.target(), v[i]);
          path.pop_back();
        }
        return;
      case Type::map:
        if (!v.is_object()) return report(Problem::invalid_type, &s, v);
        if (opt.maxima) length(s, static_cast<double>(v.size()), v);
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (opt.nulls_are_absent && it.value().is_null()) continue;
          path.push_back({PathStep::Kind::key, it.key(), 0});
          value(s.map_value.target(), it.value());
          path.pop_back();
        }
        return;
      case Type::string: {
        if (!v.is_string()) return report(Problem::invalid_type, &s, v);
        const auto& text = v.get_ref<const std::string&>();
        length(s, static_cast<double>(text.size()), v);
        if (!s.allows(text)) report(Problem::not_in_enum, &s, v, 0, s.enum_values);
        return;
      }
      case Type::integer:
      case Type::long_:
        if (!v.is_number_integer()) return report(Problem::invalid_type, &s, v);
        return range(s, v.get<double>(), v);
      case Type::double_:
      case Type::float_:
        if (!v.is_number()) return report(Problem::invalid_type, &s, v);
        return range(s, v.get<double>(), v);
      case Type::boolean:
        if (!v.is_boolean()) report(Problem::invalid_type, &s, v);
        return;
      case Type::timestamp:
        if (v.is_string()) {
          if (!mutate) return;  // the service parses the text by the protocol's rules
          auto ts = parse_timestamp_text(v.get_ref<const std::string&>());
          if (!ts) return report(Problem::invalid_timestamp, &s, v);
          if (*ts == std::floor(*ts)) v = static_cast<long long>(*ts);
          else v = *ts;
        } else if (!v.is_number()) {
          report(Problem::invalid_type, &s, v);
        }
        return;
      case Type::blob:
        if (!v.is_string()) report(Problem::invalid_type, &s, v);
        return;
    }
  }
};

std::string short_value(const Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

std::string json_type_name(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "list";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return "null";
}

const char* valid_types(const Shape& s) {
  switch (s.type) {
    case Type::structure:
    case Type::map: return "object";
    case Type::list: return "list";
    case Type::string: return "string";
    case Type::integer:
    case Type::long_: return "integer";
    case Type::double_:
    case Type::float_: return "number";
    case Type::boolean: return "boolean";
    case Type::timestamp: return "timestamp";
    case Type::blob: return "string (base64)";
  }
  return "string";
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string bound_text(double b) {
  if (b == std::floor(b) && std::fabs(b) < 1e15) return std::to_string(static_cast<long long>(b));
  return fmt::format("{}", b);
}

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

Findings validate(const Shape& shape, Json& value, const ValidateOptions& options) {
  Walker w{options, options.normalise_timestamps, {}, {}};
  w.value(shape, value, true);
  return std::move(w.out);
}

Findings check(const Shape& shape, const Json& value, ValidateOptions options) {
  options.normalise_timestamps = false;
  Walker w{options, false, {}, {}};
  w.value(shape, const_cast<Json&>(value), true);  // not written to: mutate is false
  return std::move(w.out);
}

// ---- the client's wording ------------------------------------------------------

std::string client_path(const Path& path) {
  std::string out;
  for (const auto& s : path) {
    if (s.kind == PathStep::Kind::index) out += fmt::format("[{}]", s.index);
    else out += (out.empty() ? "" : ".") + s.name;
  }
  return out.empty() ? "input" : out;
}

std::string client_line(const Finding& f) {
  const std::string where = client_path(f.path);
  switch (f.problem) {
    case Problem::missing_required:
      return fmt::format("Missing required parameter in {}: \"{}\"", where, f.member);
    case Problem::unknown_member:
      return fmt::format("Unknown parameter in {}: \"{}\", must be one of: {}", where, f.member, join(f.valid, ", "));
    case Problem::invalid_type:
      return fmt::format("Invalid type for parameter {}, value: {}, type: {}, valid types: {}", where,
                         short_value(f.value), json_type_name(f.value), valid_types(*f.shape));
    case Problem::invalid_timestamp:
      return fmt::format("Invalid timestamp for parameter {}: {} (use ISO 8601, e.g. 2024-05-01T12:00:00Z, or epoch "
                         "seconds)",
                         where, short_value(f.value));
    case Problem::below_min_length:
      return fmt::format("Invalid length for parameter {}, value: {}, valid min length: {}", where,
                         short_value(f.value), bound_text(f.bound));
    case Problem::below_min_value:
      return fmt::format("Invalid value for parameter {}, value: {}, valid min value: {}", where, short_value(f.value),
                         bound_text(f.bound));
    case Problem::above_max_length:
      return fmt::format("Invalid length for parameter {}, value: {}, valid max length: {}", where,
                         short_value(f.value), bound_text(f.bound));
    case Problem::above_max_value:
      return fmt::format("Invalid value for parameter {}, value: {}, valid max value: {}", where, short_value(f.value),
                         bound_text(f.bound));
    case Problem::not_in_enum:
      return fmt::format("Invalid value for parameter {}: '{}', valid values: {}", where, short_value(f.value),
                         join(f.valid, " | "));
  }
  return {};
}

std::string client_hint(const Finding& f) {
  if (f.problem == Problem::unknown_member) {
    if (auto near = closest_match(f.member, f.valid)) return fmt::format("did you mean \"{}\"?", *near);
  } else if (f.problem == Problem::not_in_enum && f.value.is_string()) {
    if (auto near = closest_match(f.value.get<std::string>(), f.valid)) return fmt::format("did you mean '{}'?", *near);
  }
  return {};
}

void throw_client_error(const Findings& findings) {
  if (findings.ok()) return;
  std::string lines;
  for (const auto& f : findings.errors) lines += "\n" + client_line(f);
  const Finding& first = findings.errors.front();
  throw Error(Exit::usage, "Parameter validation failed:" + lines, "parameter " + client_path(first.member_path()),
              client_hint(first));
}

std::string client_note(const Finding& f) {
  std::string hint = client_hint(f);
  return fmt::format("{}: '{}' is not one of the values this version of the model knows: {}{}",
                     client_path(f.path), short_value(f.value), join(f.valid, " | "),
                     hint.empty() ? "" : " (" + hint + ")");
}

// ---- the service's wording -------------------------------------------------------

std::string service_path(const Path& path, bool /*query*/) {
  std::string out;
  for (const auto& s : path) {
    if (!out.empty()) out += '.';
    if (s.kind == PathStep::Kind::index) out += fmt::format("{}.member", s.index + 1);
    else if (s.kind == PathStep::Kind::key) out += s.name;
    else out += lower_first(s.name);  // AWS writes "name" for the member Name
  }
  return out;
}

std::string service_line(const Finding& f, bool query) {
  const std::string where = service_path(f.member_path(), query);
  auto value_text = [&] { return f.value.is_string() ? f.value.get<std::string>() : f.value.dump(); };
  switch (f.problem) {
    case Problem::missing_required:
      return fmt::format("Value null at '{}' failed to satisfy constraint: Member must not be null", where);
    case Problem::below_min_length:
      return fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have length greater than or "
                         "equal to {}",
                         short_value(f.value), where, bound_text(f.bound));
    case Problem::above_max_length:
      return fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have length less than or equal "
                         "to {}",
                         short_value(f.value), where, bound_text(f.bound));
    case Problem::below_min_value:
      return fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value greater than or "
                         "equal to {}",
                         value_text(), where, bound_text(f.bound));
    case Problem::above_max_value:
      return fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value less than or equal "
                         "to {}",
                         value_text(), where, bound_text(f.bound));
    case Problem::not_in_enum:
      return fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                         value_text(), where, join(f.valid, ", "));
    case Problem::invalid_type:
    case Problem::invalid_timestamp: {
      const char* got = f.value.is_string()    ? "STRING_VALUE"
                        : f.value.is_boolean() ? "BOOLEAN_VALUE"
                        : f.value.is_number()  ? "NUMBER_VALUE"
                        : f.value.is_array()   ? "START_ARRAY"
                        : f.value.is_object()  ? "START_OBJECT"
                                               : "VALUE_NULL";
      const char* want = "a String";
      switch (f.shape->type) {
        case Type::structure: want = "a structure"; break;
        case Type::list: want = "a list"; break;
        case Type::map: want = "a map"; break;
        case Type::integer: want = "an Integer"; break;
        case Type::long_: want = "a Long"; break;
        case Type::boolean: want = "a Boolean"; break;
        case Type::double_:
        case Type::float_: want = "a Double"; break;
        case Type::timestamp: want = "a Timestamp"; break;
        case Type::blob: want = "a Blob"; break;
        case Type::string: break;
      }
      return fmt::format("{} can not be converted to {} at '{}'", got, want, where);
    }
    case Problem::unknown_member:
      return fmt::format("Member '{}' is not known", where);
  }
  return {};
}

std::optional<Rejection> service_rejection(const Findings& findings, std::string_view service) {
  if (findings.ok()) return std::nullopt;
  const bool query = service == "elbv2";
  for (const auto& f : findings.errors)
    if (f.problem == Problem::invalid_type && !query) return Rejection{"SerializationException", service_line(f, false)};
  std::string lines;
  for (const auto& f : findings.errors) lines += (lines.empty() ? "" : "; ") + service_line(f, query);
  const std::size_t n = findings.errors.size();
  std::string code = service == "ecs" ? "InvalidParameterException" : query ? "ValidationError" : "ValidationException";
  return Rejection{code, fmt::format("{} validation error{} detected: {}", n, n == 1 ? "" : "s", lines)};
}

// ---- timestamps --------------------------------------------------------------------

std::optional<double> parse_timestamp_text(std::string_view text) {
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

}  // namespace ecsctl::model
