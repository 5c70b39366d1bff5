// `OPERATION --help` and --generate-cli-skeleton for the model-driven commands.
#include <algorithm>
#include <ostream>

#include "commands/param_input.hpp"
#include "commands/api.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::commands::api {
namespace {

using model::Shape;
using model::Type;

const model::OperationView& view_of(const Operation& op) { return model::view(op.service, op.name); }

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// botocore's ArgumentGenerator: one element per list, "KeyName" per map,
// recursion cut at the second visit of a structure.
Json skeleton(const Shape& shape, std::vector<std::string>& stack, bool member_names, const std::string& name) {
  stack.push_back(shape.name);
  Json out;
  switch (shape.type) {
    case Type::structure:
      out = Json::object();
      if (std::count(stack.begin(), stack.end(), shape.name) <= 1)
        for (const auto& m : shape.members) out[m.name] = skeleton(m.target(), stack, member_names, m.name);
      break;
    case Type::list:
      out = Json::array({skeleton(shape.list_member.target(), stack, member_names,
                                  member_names ? shape.list_member.shape_name : "")});
      break;
    case Type::map:
      out = Json::object({{"KeyName", skeleton(shape.map_value.target(), stack, member_names, "")}});
      break;
    case Type::string:
      if (member_names) out = name;
      else if (shape.has_enum()) out = shape.enum_values[0];
      else out = "";
      break;
    case Type::integer:
    case Type::long_: out = 0; break;
    case Type::float_:
    case Type::double_: out = 0.0; break;
    case Type::boolean: out = true; break;
    case Type::timestamp: out = "1970-01-01T00:00:00"; break;
    case Type::blob: break;
  }
  stack.pop_back();
  return out;
}

std::string yaml_scalar(const Json& v, Type type) {
  if (type == Type::timestamp) return "1970-01-01 00:00:00";
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return "''";
    return s;
  }
  if (v.is_null()) return "!!binary ''";
  return v.dump();
}

void yaml_value(const Shape& shape, const Json& v, int indent, std::string& out);

// One "key: value  # comment" entry of a mapping at `indent` spaces.
void yaml_entry(const std::string& key, const Shape& shape, const Json& v, bool required, int indent,
                bool first_in_item, std::string& out) {
  std::string comment;
  if (required) comment = "[REQUIRED]";
  if (shape.has_enum())
    comment += (comment.empty() ? "" : " ") + std::string("Valid values are: ") + join(shape.enum_values, ", ") + ".";
  if (!first_in_item) out.append(static_cast<std::size_t>(indent), ' ');
  out += key + ":";
  bool nested = (v.is_object() && !v.empty()) || (v.is_array() && !v.empty());
  if (!nested) out += " " + (v.is_object() ? std::string("{}") : v.is_array() ? "[]" : yaml_scalar(v, shape.type));
  if (!comment.empty()) out += "  # " + comment;
  out += "\n";
  if (nested) yaml_value(shape, v, v.is_object() ? indent + 2 : indent, out);
}

void yaml_value(const Shape& shape, const Json& v, int indent, std::string& out) {
  if (shape.type == Type::structure) {
    for (auto& [k, sub] : v.items()) {
      const model::Member* m = shape.member(k);
      yaml_entry(k, m->target(), sub, m->required, indent, false, out);
    }
  } else if (shape.type == Type::map) {
    for (auto& [k, sub] : v.items()) yaml_entry(k, shape.map_value.target(), sub, false, indent, false, out);
  } else if (shape.type == Type::list) {
    const Shape& mshape = shape.list_member.target();
    for (const auto& e : v) {
      out.append(static_cast<std::size_t>(indent), ' ');
      out += "- ";
      if (e.is_object() && !e.empty() && mshape.type == Type::structure) {
        std::string item;
        yaml_value(mshape, e, indent + 2, item);
        out += item.substr(static_cast<std::size_t>(indent) + 2);
      } else if (e.is_array() || e.is_object()) {
        out += e.is_object() ? "{}\n" : "[]\n";
      } else {
        out += yaml_scalar(e, mshape.type) + "\n";
      }
    }
  }
}

std::string example_for(const Operation& op, const ArgSpec& a) {
  const Shape& shape = view_of(op).shape(a.shape);
  if (a.type == "boolean") return "";
  if (shape.has_enum()) return a.cli_name + " " + shape.enum_values[0];
  if (a.type == "integer" || a.type == "long") return a.cli_name + " 1";
  if (a.type == "double" || a.type == "float") return a.cli_name + " 1.5";
  if (a.type == "timestamp") return a.cli_name + " 2024-05-01T12:00:00Z";
  if (a.type == "string" || a.type == "blob") return a.cli_name + " <value>";
  if (a.type == "list" && shape.list_member.target().is_scalar()) return a.cli_name + " <value> <value>";
  std::string sh = param::shorthand_example(shape);
  if (!sh.empty() && sh.size() < 160 && sh.find('\n') == std::string::npos) return a.cli_name + " " + sh;
  std::vector<std::string> stack;
  return a.cli_name + " '" + skeleton(shape, stack, false, "").dump() + "'";
}

}  // namespace

std::string input_skeleton_json(const Operation& op) {
  const Shape* input = view_of(op).input;
  if (!input) return "{}\n";
  std::vector<std::string> stack;
  return skeleton(*input, stack, false, "").dump(4) + "\n";
}

std::string input_skeleton_yaml(const Operation& op) {
  const Shape* input = view_of(op).input;
  if (!input) return "{}\n";
  std::vector<std::string> stack;
  Json sk = skeleton(*input, stack, false, "");
  if (sk.empty()) return "{}\n";
  std::string out;
  yaml_value(*input, sk, 0, out);
  return out;
}

Json output_skeleton(const Operation& op) {
  const Shape* output = view_of(op).output;
  if (!output) return Json::object();
  std::vector<std::string> stack;
  return skeleton(*output, stack, true, "");
}

void print_operation_help(Context& ctx, const Operation& op, std::string_view group) {
  auto& o = ctx.out;
  std::string prefix = "ecsctl " + (group.empty() ? std::string() : std::string(group) + " ") + op.command;
  std::string usage = prefix;
  for (const auto& a : op.args)
    if (a.required && !a.negative) usage += " " + a.cli_name + " <value>";
  o << "Usage: " << usage << " [options]\n\n"
    << op.service << " API operation " << op.name << ", with the AWS CLI's flags and input forms.\n"
    << "Structures and lists of structures take JSON or shorthand (Key=value,List=[a,b],Nested={k=v});\n"
    << "any value can be read from a file with file://PATH (fileb://PATH for binary).\n\nOptions:\n";
  for (const auto& a : op.args) {
    if (a.undocumented || a.negative || a.member.empty()) continue;
    const Shape& shape = view_of(op).shape(a.shape);
    std::string flag = a.cli_name;
    if (a.type == "boolean") {
      for (const auto& n : op.args)
        if (n.negative && n.member == a.member) flag += " | " + n.cli_name;
    } else {
      flag += " <" + a.type + (a.type == "list" ? " of " + shape.list_member.target().type_name : "") + ">";
    }
    o << "  " << flag << (a.required ? "  [required]" : "") << "\n";
    if (shape.has_enum()) o << "      one of: " << join(shape.enum_values, " | ") << "\n";
    if (auto ex = example_for(op, a); !ex.empty()) o << "      e.g. " << ex << "\n";
  }
  if (op.paginator) {
    o << "\nPagination (all pages are fetched and merged unless --no-paginate):\n"
      << "  --starting-token <string>   resume from a NextToken printed by an earlier call\n";
    if (op.paginator->contains("limit_key")) o << "  --page-size <integer>       items per request\n";
    o << "  --max-items <integer>       stop after this many items (prints NextToken)\n"
      << "  --no-paginate               make one request only\n";
  }
  o << "\nInput options:\n"
    << "  --cli-input-json <json|file://PATH>   the whole input as JSON; flags override its keys\n"
    << "  --cli-input-yaml <yaml|file://PATH>   the whole input as YAML; flags override its keys\n"
    << "  --generate-cli-skeleton [input|yaml-input|output]   print an input (or output) skeleton\n"
    << "\nGlobal options (--region, --profile, --endpoint-url, --output, --query, ...): ecsctl --help\n";
}

}  // namespace ecsctl::commands::api
