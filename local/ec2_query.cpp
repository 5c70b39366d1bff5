// EC2 protocol decoding and XML encoding for the local plane.
#include "local/ec2_query.hpp"

#include <cctype>
#include <cstdlib>
#include <map>

#include "local/router.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::local::ec2_protocol {

namespace {

using model::Shape;
using model::Type;
using ParamMap = std::map<std::string, std::string, std::less<>>;

constexpr int k_max_list = 1000;
constexpr int k_max_depth = 20;

std::string param_name(const model::Member& m) {
  if (!m.query_name.empty()) return m.query_name;
  std::string n = m.location_name.empty() ? m.name : m.location_name;
  if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
  return n;
}

bool present(const ParamMap& p, const std::string& key) {
  if (p.count(key)) return true;
  std::string below = key + ".";
  auto it = p.lower_bound(below);
  return it != p.end() && it->first.compare(0, below.size(), below) == 0;
}

[[noreturn]] void invalid(const std::string& key, const std::string& value) {
  throw ApiError("InvalidParameterValue", "Value (" + value + ") for parameter " + key + " is invalid.");
}

Json decode(const Shape& shape, const ParamMap& p, const std::string& key, int depth) {
  if (depth > k_max_depth) return nullptr;
  if (shape.type == Type::structure) {
    if (!key.empty() && !present(p, key)) return nullptr;
    Json out = Json::object();
    for (const auto& m : shape.members) {
      std::string k = key.empty() ? param_name(m) : key + "." + param_name(m);
      Json v = decode(m.target(), p, k, depth + 1);
      if (!v.is_null()) out[m.name] = std::move(v);
    }
    return out;
  }
  if (shape.type == Type::list) {
    if (!present(p, key)) return nullptr;
    Json out = Json::array();
    for (int i = 1; i <= k_max_list; ++i) {
      std::string k = key + "." + std::to_string(i);
      if (!present(p, k)) break;
      out.push_back(decode(shape.list_member.target(), p, k, depth + 1));
    }
    return out;
  }
  auto it = p.find(key);
  if (it == p.end()) return nullptr;
  const std::string& v = it->second;
  if (shape.type == Type::integer || shape.type == Type::long_) {
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || v.size() > 18) invalid(key, v);
    return n;
  }
  if (shape.type == Type::boolean) {
    if (v == "true") return true;
    if (v == "false") return false;
    invalid(key, v);
  }
  return v;
}

void encode(const Shape& shape, const Json& v, const std::string& name, std::string& out, int depth) {
  if (depth > k_max_depth || v.is_null()) return;
  out += "<" + name + ">";
  if (shape.type == Type::structure && v.is_object()) {
    for (const auto& m : shape.members) {
      auto it = v.find(m.name);
      if (it != v.end()) encode(m.target(), *it, m.wire_name(m.name), out, depth + 1);
    }
  } else if (shape.type == Type::list && v.is_array()) {
    static const std::string k_item = "item";
    const std::string& tag = shape.list_member.wire_name(k_item);
    for (const auto& x : v) encode(shape.list_member.target(), x, tag, out, depth + 1);
  } else if (v.is_string()) {
    out += query::xml_escape(v.get<std::string>());
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    out += v.dump();
  }
  out += "</" + name + ">";
}

}  // namespace

Json decode_input(const Json& model, const std::string& operation, const query::Params& params) {
  const model::OperationView& view = model::document_view(model, operation);
  if (!view.input) return Json::object();
  ParamMap p(params.begin(), params.end());
  return decode(*view.input, p, "", 0);
}

std::string encode_response(const Json& model, const std::string& operation, const Json& output,
                            const std::string& request_id) {
  const model::OperationView& view = model::document_view(model, operation);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + operation + "Response xmlns=\"" +
                    model["metadata"].value("xmlNamespace", "") + "/\"><requestId>" + query::xml_escape(request_id) +
                    "</requestId>";
  if (view.output && output.is_object()) {
    for (const auto& m : view.output->members) {
      auto it = output.find(m.name);
      if (it != output.end()) encode(m.target(), *it, m.wire_name(m.name), out, 1);
    }
  }
  return out + "</" + operation + "Response>";
}

std::string encode_error(const std::string& code, const std::string& message, const std::string& request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + query::xml_escape(code) +
         "</Code><Message>" + query::xml_escape(message) + "</Message></Error></Errors><RequestID>" +
         query::xml_escape(request_id) + "</RequestID></Response>";
}

}  // namespace ecsctl::local::ec2_protocol
