#include "client/protocols.hpp"

#include <pugixml.hpp>

#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::client {
namespace {

using model::OperationView;
using model::Shape;
using model::Type;

const std::string k_member = "member", k_key = "key", k_value = "value";

std::string percent_encode(std::string_view s, bool keep_slash = false) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return v.dump();
  }
  return v.dump();
}

std::string iso_utc(double epoch) {
  std::time_t t = static_cast<std::time_t>(std::floor(epoch));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Input JSON in the AWS CLI's shape -> the JSON protocols' wire form (timestamps as epoch seconds).
Json to_wire_json(const Shape& shape, const Json& v) {
  if (shape.type == Type::structure && v.is_object()) {
    Json out = Json::object();
    for (auto& [k, val] : v.items()) {
      if (const model::Member* ref = shape.member(k)) {
        if (!ref->location.empty()) continue;  // bound to the URI or headers
        out[ref->wire_name(k)] = to_wire_json(ref->target(), val);
      } else {
        out[k] = val;
      }
    }
    return out;
  }
  if (shape.type == Type::list && v.is_array()) {
    Json out = Json::array();
    for (auto& e : v) out.push_back(to_wire_json(shape.list_member.target(), e));
    return out;
  }
  if (shape.type == Type::map && v.is_object()) {
    Json out = Json::object();
    for (auto& [k, e] : v.items()) out[k] = to_wire_json(shape.map_value.target(), e);
    return out;
  }
  if (shape.type == Type::timestamp) {
    if (auto t = parse_timestamp(v)) return *t;
  }
  return v;
}

void query_flatten(const Shape& shape, const Json& v, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  if (shape.type == Type::structure && v.is_object()) {
    for (auto& [k, val] : v.items()) {
      const model::Member* ref = shape.member(k);
      std::string name = ref ? ref->wire_name(k) : k;
      std::string key = prefix.empty() ? name : prefix + "." + name;
      if (ref) query_flatten(ref->target(), val, key, out);
      else out.emplace_back(key, scalar_text(val));
    }
  } else if (shape.type == Type::list && v.is_array()) {
    if (v.empty()) {
      out.emplace_back(prefix, "");
      return;
    }
    std::string base = shape.flattened ? prefix : prefix + "." + shape.list_member.wire_name(k_member);
    int i = 1;
    for (auto& e : v) query_flatten(shape.list_member.target(), e, base + "." + std::to_string(i++), out);
  } else if (shape.type == Type::map && v.is_object()) {
    std::string base = shape.flattened ? prefix : prefix + ".entry";
    const std::string& kname = shape.map_key.wire_name(k_key);
    const std::string& vname = shape.map_value.wire_name(k_value);
    int i = 1;
    for (auto& [k, e] : v.items()) {
      std::string entry = base + "." + std::to_string(i++);
      out.emplace_back(entry + "." + kname, k);
      query_flatten(shape.map_value.target(), e, entry + "." + vname, out);
    }
  } else if (shape.type == Type::timestamp) {
    auto t = parse_timestamp(v);
    out.emplace_back(prefix, t ? iso_utc(*t) : scalar_text(v));
  } else {
    out.emplace_back(prefix, scalar_text(v));
  }
}

// The EC2 protocol's parameter name of a member: queryName, else its
// locationName with the first letter upper-cased, else the member name.
std::string ec2_name(const model::Member& m) {
  if (!m.query_name.empty()) return m.query_name;
  std::string n = m.location_name.empty() ? m.name : m.location_name;
  if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
  return n;
}

// The EC2 protocol: as Query, but every list is flattened ("Name.N") and
// empty lists are left out.
void ec2_flatten(const Shape& shape, const Json& v, const std::string& prefix,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (shape.type == Type::structure && v.is_object()) {
    for (auto& [k, val] : v.items()) {
      const model::Member* ref = shape.member(k);
      std::string name = ref ? ec2_name(*ref) : k;
      std::string key = prefix.empty() ? name : prefix + "." + name;
      if (ref) ec2_flatten(ref->target(), val, key, out);
      else out.emplace_back(key, scalar_text(val));
    }
  } else if (shape.type == Type::list && v.is_array()) {
    int i = 1;
    for (auto& e : v) ec2_flatten(shape.list_member.target(), e, prefix + "." + std::to_string(i++), out);
  } else if (shape.type == Type::timestamp) {
    auto t = parse_timestamp(v);
    out.emplace_back(prefix, t ? iso_utc(*t) : scalar_text(v));
  } else {
    out.emplace_back(prefix, scalar_text(v));
  }
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body;
  for (auto& [k, v] : params) {
    if (!body.empty()) body += '&';
    body += percent_encode(k) + "=" + percent_encode(v);
  }
  return body;
}

std::string trim_slash(std::string_view endpoint) {
  std::string e(endpoint);
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

HttpRequest serialize_rest_json(const OperationView& view, const Json& input, std::string_view endpoint) {
  const Json& op = *view.definition;
  HttpRequest req;
  req.method = op["http"].value("method", std::string("POST"));
  std::string uri = op["http"].value("requestUri", std::string("/"));
  std::string static_query;
  if (auto q = uri.find('?'); q != std::string::npos) static_query = uri.substr(q + 1), uri.resize(q);
  std::vector<std::pair<std::string, std::string>> query;
  Json body = Json::object();
  static const std::vector<model::Member> k_none;
  const std::vector<model::Member>& members = view.input ? view.input->members : k_none;
  for (const auto& ref : members) {
    const std::string& name = ref.name;
    if (!input.is_object() || !input.contains(name)) continue;
    const Json& val = input[name];
    const std::string& loc = ref.location;
    const std::string& wire = ref.wire_name(name);
    if (loc == "uri") {
      for (bool greedy : {false, true}) {
        std::string token = "{" + wire + (greedy ? "+}" : "}");
        if (auto p = uri.find(token); p != std::string::npos)
          uri.replace(p, token.size(), percent_encode(scalar_text(val), greedy));
      }
    } else if (loc == "querystring") {
      if (val.is_array()) for (auto& e : val) query.emplace_back(wire, scalar_text(e));
      else if (val.is_object()) for (auto& [k, e] : val.items()) query.emplace_back(k, scalar_text(e));
      else query.emplace_back(wire, scalar_text(val));
    } else if (loc == "header") {
      req.headers.emplace_back(wire, scalar_text(val));
    } else if (loc == "headers") {
      for (auto& [k, e] : val.items()) req.headers.emplace_back(wire + k, scalar_text(e));
    } else {
      body[wire] = to_wire_json(ref.target(), val);
    }
  }
  if (uri.find('{') != std::string::npos)
    throw_usage("missing required parameter for the request URI " + op["http"].value("requestUri", std::string()));
  std::string qs = static_query;
  for (auto& [k, v] : query) qs += (qs.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
  req.url = trim_slash(endpoint) + uri + (qs.empty() ? "" : "?" + qs);
  bool has_body_members = false;
  for (const auto& ref : members) has_body_members |= ref.location.empty();
  if (has_body_members && req.method != "GET") {
    req.body = body.dump();
    req.headers.emplace_back("Content-Type", "application/json");
  }
  return req;
}

}  // namespace

// The protocol to speak: the model's `protocol` when ecsctl speaks it, else the
// first of its `protocols` that ecsctl speaks, as botocore chooses (CloudWatch's
// model lists smithy-rpc-v2-cbor, json, query: ecsctl sends json).
static std::string wire_protocol(const Json& meta) {
  auto known = [](const std::string& p) { return p == "json" || p == "query" || p == "rest-json"; };
  std::string protocol = meta.value("protocol", std::string("json"));
  if (known(protocol)) return protocol;
  for (const auto& p : meta.value("protocols", Json::array()))
    if (p.is_string() && known(p.get<std::string>())) return p.get<std::string>();
  return protocol;
}

HttpRequest serialize_request(const Json& m, std::string_view operation, const Json& input, std::string_view endpoint) {
  return serialize_request(model::build_view(m, operation), input, endpoint);
}

HttpRequest serialize_request(const OperationView& view, const Json& input, std::string_view endpoint) {
  static const Json k_no_metadata = Json::object();
  const Json& meta = view.metadata ? *view.metadata : k_no_metadata;
  const std::string& operation = view.name;
  std::string protocol = wire_protocol(meta);
  static const Shape k_empty{"", Type::structure};
  const Shape& shape = view.input ? *view.input : k_empty;
  if (protocol == "rest-json") return serialize_rest_json(view, input, endpoint);
  HttpRequest req;
  req.method = "POST";
  req.url = trim_slash(endpoint) + "/";
  if (protocol == "query" || protocol == "ec2") {
    std::vector<std::pair<std::string, std::string>> params{{"Action", std::string(operation)},
                                                            {"Version", meta.value("apiVersion", std::string())}};
    if (input.is_object() && !input.empty())
      (protocol == "ec2" ? ec2_flatten : query_flatten)(shape, input, "", params);
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.body = form_encode(params);
    return req;
  }
  req.headers.emplace_back("Content-Type", "application/x-amz-json-" + meta.value("jsonVersion", std::string("1.1")));
  req.headers.emplace_back("X-Amz-Target", meta.value("targetPrefix", std::string()) + "." + std::string(operation));
  req.body = input.is_object() ? to_wire_json(shape, input).dump() : "{}";
  return req;
}

namespace {

// Wire JSON -> the AWS CLI's output, parsed as botocore parses it: a structure's
// members in the model's order (not the wire's), members the model does not know
// and null values dropped, documents kept as they are, timestamps formatted.
Json from_wire_json(const Shape& shape, const Json& v) {
  if (shape.type == Type::structure && v.is_object()) {
    if (shape.document) return v;
    Json out = Json::object();
    for (const auto& ref : shape.members) {
      auto it = v.find(ref.wire_name(ref.name));
      if (it == v.end() || it->is_null()) continue;
      out[ref.name] = from_wire_json(ref.target(), *it);
    }
    return out;
  }
  if (shape.type == Type::list && v.is_array()) {
    Json out = Json::array();
    for (auto& e : v) out.push_back(from_wire_json(shape.list_member.target(), e));
    return out;
  }
  if (shape.type == Type::map && v.is_object()) {
    Json out = Json::object();
    for (auto& [k, e] : v.items()) out[k] = from_wire_json(shape.map_value.target(), e);
    return out;
  }
  if (shape.type == Type::timestamp) {
    if (v.is_number()) return wire_timestamps() ? v : Json(format_epoch(v.get<double>()));
    if (v.is_string()) return format_iso_timestamp(v.get<std::string>());
  }
  return v;
}

Json xml_value(const Shape& shape, const pugi::xml_node& node);

std::vector<pugi::xml_node> children_named(const pugi::xml_node& node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : node.children())
    if (c.type() == pugi::node_element && name == c.name()) out.push_back(c);
  return out;
}

Json xml_structure(const Shape& shape, const pugi::xml_node& node) {
  Json out = Json::object();
  for (const auto& ref : shape.members) {
    const Shape& member_shape = ref.target();
    const std::string& wire = ref.wire_name(ref.name);
    bool flattened = ref.xml_flattened || member_shape.flattened;
    if (flattened && member_shape.type == Type::list) {
      const std::string& item = member_shape.list_member.wire_name(wire);
      auto items = children_named(node, item);
      if (items.empty()) continue;
      Json arr = Json::array();
      for (auto& i : items) arr.push_back(xml_value(member_shape.list_member.target(), i));
      out[ref.name] = std::move(arr);
      continue;
    }
    auto child = node.child(wire.c_str());
    if (!child) continue;
    out[ref.name] = xml_value(member_shape, child);
  }
  return out;
}

Json xml_value(const Shape& shape, const pugi::xml_node& node) {
  if (shape.type == Type::structure) return xml_structure(shape, node);
  if (shape.type == Type::list) {
    Json arr = Json::array();
    const std::string& item = shape.list_member.wire_name(k_member);
    for (auto& c : children_named(node, item)) arr.push_back(xml_value(shape.list_member.target(), c));
    return arr;
  }
  if (shape.type == Type::map) {
    Json obj = Json::object();
    const std::string& kname = shape.map_key.wire_name(k_key);
    const std::string& vname = shape.map_value.wire_name(k_value);
    for (auto& e : children_named(node, "entry"))
      obj[e.child(kname.c_str()).text().get()] = xml_value(shape.map_value.target(), e.child(vname.c_str()));
    return obj;
  }
  std::string text = node.text().get();
  if (shape.type == Type::boolean) return text == "true";
  if (shape.type == Type::integer || shape.type == Type::long_) {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return text;
    }
  }
  if (shape.type == Type::double_ || shape.type == Type::float_) {
    try {
      return std::stod(text);
    } catch (const std::exception&) {
      return text;
    }
  }
  if (shape.type == Type::timestamp) return format_iso_timestamp(text);
  return text;
}

pugi::xml_node first_element(const pugi::xml_node& n) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element) return c;
  return {};
}

}  // namespace

Json xml_to_json(const Shape& shape, std::string_view text) {
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size())) throw Error(Exit::other, "the service returned malformed XML");
  return xml_value(shape, first_element(doc));
}

Json parse_output(const Json& m, std::string_view operation, const HttpResponse& response) {
  return parse_output(model::build_view(m, operation), response);
}

Json parse_output(const OperationView& view, const HttpResponse& response) {
  const std::string& operation = view.name;
  std::string protocol = view.metadata ? wire_protocol(*view.metadata) : "json";
  if (!view.output) return Json::object();
  const Shape& shape = *view.output;
  if (protocol == "query" || protocol == "ec2") {
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size()))
      throw Error(Exit::other, "the service returned malformed XML for " + operation);
    auto root = first_element(doc);
    if (protocol == "ec2") return xml_structure(shape, root);  // no result wrapper
    const std::string& wrapper = view.result_wrapper;
    auto node = wrapper.empty() ? root : root.child(wrapper.c_str());
    if (!node) return Json::object();
    return xml_structure(shape, node);
  }
  Json body = Json::object();
  if (!response.body.empty()) {
    body = Json::parse(response.body, nullptr, false);
    if (body.is_discarded())
      throw Error(Exit::other, "the service returned malformed JSON for " + operation);
  }
  Json out = from_wire_json(shape, body);
  if (protocol == "rest-json") {
    for (const auto& ref : shape.members) {
      if (ref.location == "header") {
        auto v = response.header(ref.wire_name(ref.name));
        if (!v.empty()) out[ref.name] = v;
      } else if (ref.location == "statusCode") {
        out[ref.name] = response.status;
      }
    }
  }
  return out;
}

std::string header_request_id(const HttpResponse& r) {
  for (auto name : {"x-amzn-RequestId", "x-amz-request-id", "x-amzn-request-id"}) {
    auto v = r.header(name);
    if (!v.empty()) return v;
  }
  return {};
}

namespace {

std::string clean_code(std::string code) {
  if (auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  if (auto colon = code.find(':'); colon != std::string::npos) code = code.substr(0, colon);
  return code;
}

std::string status_text(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP " + std::to_string(status);
  }
}

}  // namespace

ErrorInfo parse_error(const Json& m, const HttpResponse& r) {
  ErrorInfo e;
  e.status = r.status;
  e.request_id = header_request_id(r);
  std::string protocol = wire_protocol(m["metadata"]);
  if (protocol == "query" || protocol == "ec2") {
    pugi::xml_document doc;
    if (!r.body.empty() && doc.load_buffer(r.body.data(), r.body.size())) {
      auto root = first_element(doc);
      auto err = root.child("Error");
      if (!err) err = root.child("Errors").child("Error");
      if (err) {
        e.code = err.child("Code").text().get();
        e.message = err.child("Message").text().get();
      }
      if (auto id = root.child("RequestId").text().get(); *id) e.request_id = id;
      if (auto id = root.child("RequestID").text().get(); *id) e.request_id = id;
    }
  } else {
    Json body = r.body.empty() ? Json() : Json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      for (auto k : {"__type", "code", "Code"})
        if (body.contains(k) && body[k].is_string()) {
          e.code = body[k].get<std::string>();
          break;
        }
      for (auto k : {"message", "Message", "errorMessage"})
        if (body.contains(k) && body[k].is_string()) {
          e.message = body[k].get<std::string>();
          break;
        }
    }
    if (auto t = r.header("x-amzn-ErrorType"); !t.empty()) e.code = t;
  }
  e.code = clean_code(e.code);
  if (e.code.empty()) {
    e.code = std::to_string(r.status);
    if (e.message.empty()) e.message = status_text(r.status);
  }
  return e;
}

}  // namespace ecsctl::client
