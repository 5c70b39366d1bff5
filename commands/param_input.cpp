#include "commands/param_input.hpp"

#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/pyformat.hpp"
#include "commands/shorthand.hpp"

namespace ecsctl::commands::param {
namespace {

using model::Shape;
using model::Type;

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

[[noreturn]] void param_error(std::string_view cli_name, const std::string& message, std::string location = {},
                              std::string hint = {}) {
  throw Error(Exit::usage, "Error parsing parameter '" + std::string(cli_name) + "': " + message,
              std::move(location), std::move(hint));
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// A scalar from its string form, typed by `shape` (the AWS CLI's int()/float()
// conversions; booleans accept true/false in any case).
Json scalar_from_string(const Shape& shape, const std::string& s, std::string_view cli_name,
                        const std::string& where) {
  const Type t = shape.type;
  auto bad = [&](const char* expected) -> Json {
    param_error(cli_name, "invalid " + std::string(expected) + " value '" + s + "'" +
                              (where.empty() ? "" : " for " + where));
  };
  if (t == Type::integer || t == Type::long_) {
    std::string v = trim(s);
    if (v.empty()) return bad("integer");
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return bad("integer");
    return n;
  }
  if (t == Type::double_ || t == Type::float_) {
    std::string v = trim(s);
    if (v.empty()) return bad("number");
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (*end != '\0') return bad("number");
    return d;
  }
  if (t == Type::boolean) {
    if (iequals(s, "true")) return true;
    if (iequals(s, "false")) return false;
    return bad("boolean (true or false)");
  }
  return s;
}

// awscli.shorthand.BackCompatVisitor: a scalar where the model says list becomes
// a one-element list; string leaves become numbers and booleans by the model.
void coerce(const Shape& shape, Json& value, std::string_view cli_name, const std::string& path) {
  const Type t = shape.type;
  if (shape.document) {
    param_error(cli_name,
                "Shorthand syntax does not support document types. Use JSON input for top-level argument "
                "to specify nested parameter: " + path);
  }
  if (t == Type::structure) {
    if (!value.is_object()) return;
    for (auto& [k, v] : value.items()) {
      const model::Member* m = shape.member(k);
      if (!m) continue;  // reported by validation with the valid names
      coerce(m->target(), v, cli_name, path + "." + k);
    }
  } else if (t == Type::list) {
    if (!value.is_array()) value = Json::array({std::move(value)});
    const Shape& member = shape.list_member.target();
    for (std::size_t i = 0; i < value.size(); ++i)
      coerce(member, value[i], cli_name, path + "[" + std::to_string(i) + "]");
  } else if (t == Type::map) {
    if (!value.is_object()) return;
    const Shape& vs = shape.map_value.target();
    for (auto& [k, v] : value.items()) coerce(vs, v, cli_name, path + "." + k);
  } else if (value.is_string()) {
    value = scalar_from_string(shape, value.get<std::string>(), cli_name, path);
  }
}

Json parse_shorthand(const Shape& shape, std::string_view cli_name, const std::string& text, const std::string& path) {
  // A structure whose only member is a string "Value" takes a bare value.
  if (shape.type == Type::structure && text.find('=') == std::string::npos) {
    if (shape.members.size() == 1 && shape.members[0].name == "Value" &&
        shape.members[0].target().type == Type::string)
      return Json{{"Value", text}};
  }
  Json parsed;
  try {
    parsed = shorthand::parse(text);
  } catch (const shorthand::ParseError& e) {
    param_error(cli_name, e.what(), "column " + std::to_string(e.column()) + " of the value of " + std::string(cli_name),
                "shorthand is Key=value,Key2=[a,b],Key3={k=v}; or pass JSON");
  }
  coerce(shape, parsed, cli_name, path);
  return parsed;
}

bool looks_like_json(const std::string& s, char open) {
  std::string t = trim(s);
  return !t.empty() && t[0] == open;
}

Json parse_complex(const Shape& shape, std::string_view cli_name, const std::string& text, const std::string& path) {
  if (shape.document || looks_like_json(text, '{') || looks_like_json(text, '[')) return parse_json(text, cli_name);
  return parse_shorthand(shape, cli_name, text, path);
}


}  // namespace

std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Json parse_json(std::string_view text, std::string_view cli_name) {
  // No API shape nests deeper than a few dozen levels.
  constexpr std::size_t max_nesting = 1000;
  if (json_nesting_depth(text) > max_nesting)
    param_error(cli_name, "Invalid JSON: arrays and objects nested more than " + std::to_string(max_nesting) +
                              " levels deep");
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string message = e.what();
    if (auto p = message.find("parse error"); p != std::string::npos) message = message.substr(p);
    param_error(cli_name, "Invalid JSON: " + message + "\nJSON received: " + std::string(text),
                "byte " + std::to_string(at + 1) + " of the value of " + std::string(cli_name),
                "structures and lists take JSON or the shorthand syntax (Key=value,...)");
  } catch (const Json::out_of_range& e) {  // a number beyond double, e.g. 1e999
    std::string message = e.what();
    if (auto p = message.find("] "); p != std::string::npos) message = message.substr(p + 2);
    param_error(cli_name, "Invalid JSON: " + message + "\nJSON received: " + std::string(text));
  }
}

std::optional<std::string> read_param_file(std::string_view value, std::string_view cli_name, const Environment& env,
                                           bool* binary) {
  std::string_view path;
  bool is_binary = false;
  if (value.rfind("fileb://", 0) == 0) {
    path = value.substr(8);
    is_binary = true;
  } else if (value.rfind("file://", 0) == 0) {
    path = value.substr(7);
  } else {
    return std::nullopt;
  }
  if (binary) *binary = is_binary;
  std::string file(path);
  if (file.rfind("~/", 0) == 0 || file == "~")
    if (auto home = env.get_nonempty("HOME")) file = *home + file.substr(1);
  std::ifstream in(file, std::ios::binary);
  if (!in) param_error(cli_name, "Unable to load paramfile " + std::string(value) + ": cannot open " + file);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) param_error(cli_name, "Unable to load paramfile " + std::string(value) + ": read error");
  return ss.str();
}

Json parse_argument(const Shape& shape, std::string_view cli_name, const std::vector<std::string>& words,
                    const Environment& env) {
  const Type t = shape.type;
  std::vector<std::string> values = words;
  if (values.size() == 1) {
    bool binary = false;
    if (auto content = read_param_file(values[0], cli_name, env, &binary)) {
      values[0] = std::move(*content);
      if (binary && t == Type::blob) return base64_encode(values[0]);
    }
  }
  // Every string ecsctl sends is JSON or XML text: bytes that are not UTF-8
  // are a bad value here, not an internal error when the request is serialised.
  if (t != Type::blob)
    for (const auto& v : values)
      if (pyfmt::sanitize_utf8(v) != v)
        param_error(cli_name, "the value is not valid UTF-8", {},
                    "check the shell's locale and the file's encoding; use fileb:// for binary data");
  if (t != Type::list) {
    if (values.size() != 1)
      throw Error(Exit::usage, "argument " + std::string(cli_name) + ": expected one argument");
    if (shape.is_scalar() && !shape.document) return scalar_from_string(shape, values[0], cli_name, "");
    return parse_complex(shape, cli_name, values[0], "");
  }
  // Lists: one JSON array, or one element per word (JSON or shorthand for complex elements).
  if (values.size() == 1 && looks_like_json(values[0], '[')) return parse_json(values[0], cli_name);
  const Shape& member = shape.list_member.target();
  Json list = Json::array();
  bool json_elements = !values.empty() && (looks_like_json(values[0], '{') || looks_like_json(values[0], '['));
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string where = "[" + std::to_string(i) + "]";
    if (member.is_scalar() && !member.document) {
      list.push_back(scalar_from_string(member, values[i], cli_name, where));
    } else if (json_elements || member.document) {
      if (!looks_like_json(values[i], '{') && !looks_like_json(values[i], '['))
        param_error(cli_name, "Invalid JSON:\n" + values[i]);
      list.push_back(parse_json(values[i], cli_name));
    } else {
      list.push_back(parse_shorthand(member, cli_name, values[i], where));
    }
  }
  return list;
}

bool supports_shorthand(const Shape& shape) {
  if (shape.document) return false;
  if (shape.type == Type::structure || shape.type == Type::map) return true;
  if (shape.type != Type::list) return false;
  const Shape& member = shape.list_member.target();
  return !member.is_scalar() && !member.document;
}

}  // namespace ecsctl::commands::param
