// YAML input, timestamps and the shorthand examples of `--help` (see
// param_input.hpp). Validation of API input lives in schemas/validate_input.
#include <algorithm>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::param {

std::optional<double> parse_timestamp(std::string_view text) {
  return model::parse_timestamp_text(text);
}

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

// ---- shorthand examples for --help (awscli's ParamShorthandDocGen) ----------

namespace {
struct TooComplex {};

using model::Shape;
using model::Type;

std::string shorthand_doc(const Shape& shape, std::vector<std::string>& stack);

std::string structure_doc(const Shape& shape, std::vector<std::string>& stack) {
  std::string parts;
  for (const auto& m : shape.members) {
    const std::string& sn = m.shape_name;
    if (m.target().document) continue;
    if (!parts.empty()) parts += ',';
    if (std::count(stack.begin(), stack.end(), sn) > 0) {
      parts += m.name + "=( ... recursive ... )";
      continue;
    }
    stack.push_back(sn);
    std::string doc = shorthand_doc(m.target(), stack);
    stack.pop_back();
    parts += m.name + "=" + doc;
  }
  return stack.empty() ? parts : "{" + parts + "}";
}

std::string shorthand_doc(const Shape& shape, std::vector<std::string>& stack) {
  if (stack.size() > 3) throw TooComplex{};
  if (shape.type == Type::structure) return structure_doc(shape, stack);
  if (shape.type == Type::list) {
    const Shape& member = shape.list_member.target();
    stack.push_back(member.name);
    std::string e = shorthand_doc(member, stack);
    stack.pop_back();
    if (!member.is_scalar() || stack.size() > 1) return "[" + e + "," + e + "]";
    return e + "," + e;
  }
  if (shape.type == Type::map) {
    std::string v = shorthand_doc(shape.map_value.target(), stack);
    std::string start = "KeyName1=" + v + ",KeyName2=" + v;
    return stack.empty() ? start : "{" + start + "}";
  }
  return shape.type_name;
}
}  // namespace

std::string shorthand_example(const Shape& shape) {
  if (!supports_shorthand(shape)) return {};
  std::vector<std::string> stack;
  try {
    if (shape.type == Type::list) return shorthand_doc(shape.list_member.target(), stack) + " ...";
    return shorthand_doc(shape, stack);
  } catch (const TooComplex&) {
    return {};
  }
}

}  // namespace ecsctl::param
