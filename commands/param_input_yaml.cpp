// `--cli-input-yaml` and YAML parameter files: YAML text as JSON (see param_input.hpp).
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "commands/param_input.hpp"
#include "core/error.hpp"

namespace ecsctl::param {

static Json yaml_scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return s;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  char* end = nullptr;
  errno = 0;
  long long i = std::strtoll(s.c_str(), &end, 0);
  if (*end == '\0' && errno == 0 && s.find_first_not_of("+-0123456789xXoabcdefABCDEF") == std::string::npos &&
      !(s.size() > 1 && s[0] == '0' && std::isdigit(static_cast<unsigned char>(s[1]))))
    return i;
  double d = std::strtod(s.c_str(), &end);
  if (*end == '\0' && s.find_first_not_of("+-0123456789.eE") == std::string::npos) return d;
  if (s == ".inf" || s == "+.inf") return HUGE_VAL;
  if (s == "-.inf") return -HUGE_VAL;
  return s;
}

static Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yaml_to_json(kv.second);
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

Json parse_yaml(std::string_view text, std::string_view cli_name) {
  try {
    return yaml_to_json(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw Error(Exit::usage, "Error parsing parameter '" + std::string(cli_name) + "': Invalid YAML received: " + e.msg,
                "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1));
  }
}

}  // namespace ecsctl::param
