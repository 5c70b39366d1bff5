// `--cli-input-yaml` and YAML parameter files: YAML text as JSON (see
// param_input.hpp), read as the AWS CLI reads it: PyYAML's safe loader, which
// types plain scalars by the YAML 1.1 rules (yes/no/on/off are booleans, 1_000
// and 017 are integers, 1:30 is 90, 1e3 is a string) and merges `<<` keys.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <vector>

#include "commands/param_input.hpp"
#include "core/error.hpp"

namespace ecsctl::commands::param {

namespace {

// PyYAML's implicit resolvers (yaml/resolver.py, Resolver for YAML 1.1).
const std::regex& k_bool() {
  static const std::regex r("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  return r;
}
const std::regex& k_int() {
  static const std::regex r(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return r;
}
const std::regex& k_float() {
  static const std::regex r(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  return r;
}

struct YamlValueError {
  std::string message;
};

std::string without_underscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

// PyYAML's construct_yaml_int: sign, then 0 / 0b / 0x / 0 (octal) /
// sexagesimal (a:b:c in base 60) / decimal. Integers beyond 64 bits become
// doubles (Python's have no limit).
Json yaml_int(const std::string& text) {
  std::string v = without_underscores(text);
  int sign = 1;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    if (v[0] == '-') sign = -1;
    v.erase(0, 1);
  }
  auto number = [&](const std::string& digits, int base) -> Json {
    if (digits.empty())
      throw YamlValueError{"invalid literal for int() with base " + std::to_string(base) + ": ''"};
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(digits.c_str(), &end, base);
    if (errno == ERANGE) {
      double d = 0;
      for (char c : digits) d = d * base + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
      return sign * d;
    }
    return sign * n;
  };
  if (v == "0") return 0;
  if (v.rfind("0b", 0) == 0) return number(v.substr(2), 2);
  if (v.rfind("0x", 0) == 0) return number(v.substr(2), 16);
  if (v[0] == '0') return number(v.substr(1), 8);
  if (v.find(':') != std::string::npos) {
    long long total = 0;
    std::size_t start = 0;
    for (;;) {
      std::size_t colon = v.find(':', start);
      total = total * 60 + std::stoll(v.substr(start, colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return sign * total;
  }
  return number(v, 10);
}

// PyYAML's construct_yaml_float.
double yaml_float(const std::string& text) {
  std::string v = without_underscores(text);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = 1;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    if (v[0] == '-') sign = -1;
    v.erase(0, 1);
  }
  if (v == ".inf") return sign * HUGE_VAL;
  if (v == ".nan") return std::nan("");
  if (v.find(':') != std::string::npos) {
    double total = 0;
    std::size_t start = 0;
    for (;;) {
      std::size_t colon = v.find(':', start);
      total = total * 60 + std::strtod(v.substr(start, colon - start).c_str(), nullptr);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return sign * total;
  }
  return sign * std::strtod(v.c_str(), nullptr);
}

bool plain(const YAML::Node& node) { return node.Tag() == "?"; }

Json yaml_scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return s;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (std::regex_match(s, k_bool())) {
    char c = s[0];
    return c == 'y' || c == 'Y' || c == 't' || c == 'T' || s == "on" || s == "On" || s == "ON";
  }
  if (std::regex_match(s, k_int())) return yaml_int(s);
  if (std::regex_match(s, k_float())) return yaml_float(s);
  if (plain(node) && (s == "<<" || s == "="))
    throw YamlValueError{std::string("could not determine a constructor for the tag 'tag:yaml.org,2002:") +
                         (s == "<<" ? "merge" : "value") + "'"};
  // Timestamps (2001-12-14, ...) stay text: the parameter validator reads them.
  return s;
}

Json yaml_to_json(const YAML::Node& node);

// The entries a `<<` key merges in: one mapping, or a list of them (earlier
// ones win), as PyYAML's flatten_mapping does.
void merge_into(Json& merged, const YAML::Node& value) {
  auto one = [&](const YAML::Node& m) {
    if (!m.IsMap())
      throw YamlValueError{"while constructing a mapping: expected a mapping for merging, but found " +
                           std::string(m.IsSequence() ? "sequence" : "scalar")};
    Json j = yaml_to_json(m);
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!merged.contains(it.key())) merged[it.key()] = it.value();
  };
  if (value.IsMap()) return one(value);
  if (!value.IsSequence())
    throw YamlValueError{"while constructing a mapping: expected a mapping or list of mappings for merging, but found scalar"};
  for (const auto& m : value) one(m);
}

Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      // Explicit keys win over merged ones; among several `<<` keys, the last wins.
      std::vector<YAML::Node> merges;
      for (const auto& kv : node)
        if (kv.first.IsScalar() && plain(kv.first) && kv.first.Scalar() == "<<") merges.push_back(kv.second);
      Json merged = Json::object();
      for (auto it = merges.rbegin(); it != merges.rend(); ++it) merge_into(merged, *it);
      Json obj = std::move(merged);
      for (const auto& kv : node) {
        if (kv.first.IsScalar() && plain(kv.first) && kv.first.Scalar() == "<<") continue;
        obj[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& e : node) arr.push_back(yaml_to_json(e));
      return arr;
    }
    case YAML::NodeType::Scalar:
      return yaml_scalar(node);
    default:
      return nullptr;
  }
}

}  // namespace

Json parse_yaml(std::string_view text, std::string_view cli_name) {
  try {
    return yaml_to_json(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw Error(Exit::usage, "Error parsing parameter '" + std::string(cli_name) + "': Invalid YAML received: " + e.msg,
                "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1));
  } catch (const YamlValueError& e) {
    throw Error(Exit::usage, "Error parsing parameter '" + std::string(cli_name) + "': Invalid YAML received: " + e.message);
  }
}

}  // namespace ecsctl::commands::param
