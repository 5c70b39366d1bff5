// Timestamps and the shorthand examples of `--help` (see param_input.hpp).
// YAML input is param_input_yaml.cpp; validation of API input lives in
// schemas/validate_input.
#include <algorithm>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::commands::param {

std::optional<double> parse_timestamp(std::string_view text) {
  return model::parse_timestamp_text(text);
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

}  // namespace ecsctl::commands::param
