// `OPERATION --help` and --generate-cli-skeleton for the model-driven commands.
#include <algorithm>
#include <ostream>

#include "commands/param_input.hpp"
#include "commands/api.hpp"

namespace ecsctl::api {
namespace {

const Json& shape_of(const Operation& op, const std::string& name) { return op.model->at("shapes").at(name); }
std::string type_of(const Json& shape) { return shape.value("type", std::string("string")); }

// botocore's ArgumentGenerator: one element per list, "KeyName" per map,
// recursion cut at the second visit of a structure.
Json skeleton(const Operation& op, const std::string& shape_name, std::vector<std::string>& stack,
              bool member_names, const std::string& name) {
  stack.push_back(shape_name);
  const Json& shape = shape_of(op, shape_name);
  const std::string t = type_of(shape);
  Json out;
  if (t == "structure") {
    out = Json::object();
    const Json members = shape.value("members", Json::object());  // named: items() must not outlive it
    if (std::count(stack.begin(), stack.end(), shape_name) <= 1)
      for (auto& [m, ref] : members.items())
        out[m] = skeleton(op, ref.at("shape").get<std::string>(), stack, member_names, m);
  } else if (t == "list") {
    std::string member = shape.at("member").at("shape").get<std::string>();
    out = Json::array({skeleton(op, member, stack, member_names, member_names ? member : "")});
  } else if (t == "map") {
    out = Json::object({{"KeyName", skeleton(op, shape.at("value").at("shape").get<std::string>(), stack,
                                             member_names, "")}});
  } else if (t == "string") {
    if (member_names) out = name;
    else if (shape.contains("enum")) out = shape["enum"][0];
    else out = "";
  } else if (t == "integer" || t == "long") {
    out = 0;
  } else if (t == "float" || t == "double") {
    out = 0.0;
  } else if (t == "boolean") {
    out = true;
  } else if (t == "timestamp") {
    out = "1970-01-01T00:00:00";
  }
  stack.pop_back();
  return out;
}

std::string yaml_scalar(const Json& v, const std::string& type) {
  if (type == "timestamp") return "1970-01-01 00:00:00";
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return "''";
    return s;
  }
  if (v.is_null()) return "!!binary ''";
  return v.dump();
}

void yaml_value(const Operation& op, const std::string& shape_name, const Json& v, int indent, std::string& out);

// One "key: value  # comment" entry of a mapping at `indent` spaces.
void yaml_entry(const Operation& op, const std::string& key, const std::string& shape_name, const Json& v,
                bool required, int indent, bool first_in_item, std::string& out) {
  const Json& shape = shape_of(op, shape_name);
  std::string comment;
  if (required) comment = "[REQUIRED]";
  if (shape.contains("enum")) {
    std::string vals;
    for (auto& e : shape["enum"]) vals += (vals.empty() ? "" : ", ") + e.get<std::string>();
    comment += (comment.empty() ? "" : " ") + std::string("Valid values are: ") + vals + ".";
  }
  if (!first_in_item) out.append(static_cast<std::size_t>(indent), ' ');
  out += key + ":";
  bool nested = (v.is_object() && !v.empty()) || (v.is_array() && !v.empty());
  if (!nested) out += " " + (v.is_object() ? std::string("{}") : v.is_array() ? "[]" : yaml_scalar(v, type_of(shape)));
  if (!comment.empty()) out += "  # " + comment;
  out += "\n";
  if (nested) yaml_value(op, shape_name, v, v.is_object() ? indent + 2 : indent, out);
}

void yaml_value(const Operation& op, const std::string& shape_name, const Json& v, int indent, std::string& out) {
  const Json& shape = shape_of(op, shape_name);
  const std::string t = type_of(shape);
  if (t == "structure") {
    const Json required = shape.value("required", Json::array());
    for (auto& [k, sub] : v.items()) {
      const std::string sn = shape.at("members").at(k).at("shape").get<std::string>();
      bool req = std::find(required.begin(), required.end(), k) != required.end();
      yaml_entry(op, k, sn, sub, req, indent, false, out);
    }
  } else if (t == "map") {
    for (auto& [k, sub] : v.items()) yaml_entry(op, k, shape.at("value").at("shape").get<std::string>(), sub, false, indent, false, out);
  } else if (t == "list") {
    const std::string member = shape.at("member").at("shape").get<std::string>();
    const Json& mshape = shape_of(op, member);
    for (const auto& e : v) {
      out.append(static_cast<std::size_t>(indent), ' ');
      out += "- ";
      if (e.is_object() && !e.empty() && type_of(mshape) == "structure") {
        std::string item;
        yaml_value(op, member, e, indent + 2, item);
        out += item.substr(static_cast<std::size_t>(indent) + 2);
      } else if (e.is_array() || e.is_object()) {
        out += e.is_object() ? "{}\n" : "[]\n";
      } else {
        out += yaml_scalar(e, type_of(mshape)) + "\n";
      }
    }
  }
}

std::string example_for(const Operation& op, const ArgSpec& a) {
  const Json& shape = shape_of(op, a.shape);
  if (a.type == "boolean") return "";
  if (shape.contains("enum")) return a.cli_name + " " + shape["enum"][0].get<std::string>();
  if (a.type == "integer" || a.type == "long") return a.cli_name + " 1";
  if (a.type == "double" || a.type == "float") return a.cli_name + " 1.5";
  if (a.type == "timestamp") return a.cli_name + " 2024-05-01T12:00:00Z";
  if (a.type == "string" || a.type == "blob") return a.cli_name + " <value>";
  if (a.type == "list") {
    const std::string mt = type_of(shape_of(op, shape.at("member").at("shape").get<std::string>()));
    if (mt != "structure" && mt != "list" && mt != "map") return a.cli_name + " <value> <value>";
  }
  std::string sh = param::shorthand_example(*op.model, a.shape);
  if (!sh.empty() && sh.size() < 160 && sh.find('\n') == std::string::npos) return a.cli_name + " " + sh;
  std::vector<std::string> stack;
  return a.cli_name + " '" + skeleton(op, a.shape, stack, false, "").dump() + "'";
}

}  // namespace

std::string input_skeleton_json(const Operation& op) {
  if (op.input_shape.empty()) return "{}\n";
  std::vector<std::string> stack;
  return skeleton(op, op.input_shape, stack, false, "").dump(4) + "\n";
}

std::string input_skeleton_yaml(const Operation& op) {
  if (op.input_shape.empty()) return "{}\n";
  std::vector<std::string> stack;
  Json sk = skeleton(op, op.input_shape, stack, false, "");
  if (sk.empty()) return "{}\n";
  std::string out;
  yaml_value(op, op.input_shape, sk, 0, out);
  return out;
}

Json output_skeleton(const Operation& op) {
  if (op.output_shape.empty()) return Json::object();
  std::vector<std::string> stack;
  return skeleton(op, op.output_shape, stack, true, "");
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
    const Json& shape = shape_of(op, a.shape);
    std::string flag = a.cli_name;
    if (a.type == "boolean") {
      for (const auto& n : op.args)
        if (n.negative && n.member == a.member) flag += " | " + n.cli_name;
    } else {
      flag += " <" + a.type + (a.type == "list" ? " of " + type_of(shape_of(op, shape.at("member").at("shape").get<std::string>())) : "") + ">";
    }
    o << "  " << flag << (a.required ? "  [required]" : "") << "\n";
    if (shape.contains("enum")) {
      std::string vals;
      for (auto& e : shape["enum"]) vals += (vals.empty() ? "" : " | ") + e.get<std::string>();
      o << "      one of: " << vals << "\n";
    }
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

}  // namespace ecsctl::api
