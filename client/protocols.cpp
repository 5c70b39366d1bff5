#include "client/protocols.hpp"

#include <pugixml.hpp>

#include <cmath>

#include "core/error.hpp"
#include "schemas/model.hpp"

namespace ecsctl::client {
namespace {

const Json& shape_of(const Json& m, const Json& ref) { return model::shape(m, ref.at("shape").get<std::string>()); }

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
Json to_wire_json(const Json& m, const Json& shape, const Json& v) {
  std::string type = shape.value("type", std::string());
  if (type == "structure" && v.is_object()) {
    Json out = Json::object();
    const Json& members = shape.contains("members") ? shape["members"] : Json::object();
    for (auto& [k, val] : v.items()) {
      if (members.contains(k)) {
        const Json& ref = members[k];
        if (ref.contains("location")) continue;  // bound to the URI or headers
        out[ref.value("locationName", k)] = to_wire_json(m, shape_of(m, ref), val);
      } else {
        out[k] = val;
      }
    }
    return out;
  }
  if (type == "list" && v.is_array()) {
    Json out = Json::array();
    for (auto& e : v) out.push_back(to_wire_json(m, shape_of(m, shape["member"]), e));
    return out;
  }
  if (type == "map" && v.is_object()) {
    Json out = Json::object();
    for (auto& [k, e] : v.items()) out[k] = to_wire_json(m, shape_of(m, shape["value"]), e);
    return out;
  }
  if (type == "timestamp") {
    if (auto t = parse_timestamp(v)) return *t;
  }
  return v;
}

void query_flatten(const Json& m, const Json& shape, const Json& v, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  std::string type = shape.value("type", std::string());
  if (type == "structure" && v.is_object()) {
    const Json& members = shape.contains("members") ? shape["members"] : Json::object();
    for (auto& [k, val] : v.items()) {
      const Json* ref = members.contains(k) ? &members[k] : nullptr;
      std::string name = ref ? ref->value("locationName", k) : k;
      std::string key = prefix.empty() ? name : prefix + "." + name;
      if (ref) query_flatten(m, shape_of(m, *ref), val, key, out);
      else out.emplace_back(key, scalar_text(val));
    }
  } else if (type == "list" && v.is_array()) {
    if (v.empty()) {
      out.emplace_back(prefix, "");
      return;
    }
    const Json& member = shape["member"];
    std::string base = shape.value("flattened", false) ? prefix : prefix + "." + member.value("locationName", std::string("member"));
    int i = 1;
    for (auto& e : v) query_flatten(m, shape_of(m, member), e, base + "." + std::to_string(i++), out);
  } else if (type == "map" && v.is_object()) {
    std::string base = shape.value("flattened", false) ? prefix : prefix + ".entry";
    std::string kname = shape["key"].value("locationName", std::string("key"));
    std::string vname = shape["value"].value("locationName", std::string("value"));
    int i = 1;
    for (auto& [k, e] : v.items()) {
      std::string entry = base + "." + std::to_string(i++);
      out.emplace_back(entry + "." + kname, k);
      query_flatten(m, shape_of(m, shape["value"]), e, entry + "." + vname, out);
    }
  } else if (type == "timestamp") {
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

HttpRequest serialize_rest_json(const Json& m, const Json& op, const Json& input, std::string_view endpoint) {
  HttpRequest req;
  req.method = op["http"].value("method", std::string("POST"));
  std::string uri = op["http"].value("requestUri", std::string("/"));
  std::string static_query;
  if (auto q = uri.find('?'); q != std::string::npos) static_query = uri.substr(q + 1), uri.resize(q);
  std::vector<std::pair<std::string, std::string>> query;
  Json body = Json::object();
  const Json empty = Json::object();
  const Json& shape = op.contains("input") ? shape_of(m, op["input"]) : empty;
  const Json& members = shape.contains("members") ? shape["members"] : empty;
  for (auto& [name, ref] : members.items()) {
    if (!input.is_object() || !input.contains(name)) continue;
    const Json& val = input[name];
    std::string loc = ref.value("location", std::string());
    std::string wire = ref.value("locationName", name);
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
      body[wire] = to_wire_json(m, shape_of(m, ref), val);
    }
  }
  if (uri.find('{') != std::string::npos)
    throw_usage("missing required parameter for the request URI " + op["http"].value("requestUri", std::string()));
  std::string qs = static_query;
  for (auto& [k, v] : query) qs += (qs.empty() ? "" : "&") + percent_encode(k) + "=" + percent_encode(v);
  req.url = trim_slash(endpoint) + uri + (qs.empty() ? "" : "?" + qs);
  bool has_body_members = false;
  for (auto& [name, ref] : members.items()) has_body_members |= !ref.contains("location");
  if (has_body_members && req.method != "GET") {
    req.body = body.dump();
    req.headers.emplace_back("Content-Type", "application/json");
  }
  return req;
}

}  // namespace

HttpRequest serialize_request(const Json& m, std::string_view operation, const Json& input, std::string_view endpoint) {
  const Json& meta = m["metadata"];
  const Json& op = m["operations"].at(std::string(operation));
  std::string protocol = meta.value("protocol", std::string("json"));
  const Json empty = Json::object();
  const Json& shape = op.contains("input") ? shape_of(m, op["input"]) : empty;
  if (protocol == "rest-json") return serialize_rest_json(m, op, input, endpoint);
  HttpRequest req;
  req.method = "POST";
  req.url = trim_slash(endpoint) + "/";
  if (protocol == "query") {
    std::vector<std::pair<std::string, std::string>> params{{"Action", std::string(operation)},
                                                            {"Version", meta.value("apiVersion", std::string())}};
    if (input.is_object() && !input.empty()) query_flatten(m, shape, input, "", params);
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.body = form_encode(params);
    return req;
  }
  req.headers.emplace_back("Content-Type", "application/x-amz-json-" + meta.value("jsonVersion", std::string("1.1")));
  req.headers.emplace_back("X-Amz-Target", meta.value("targetPrefix", std::string()) + "." + std::string(operation));
  req.body = input.is_object() ? to_wire_json(m, shape, input).dump() : "{}";
  return req;
}

namespace {

// Wire JSON -> the AWS CLI's output, parsed as botocore parses it: a structure's
// members in the model's order (not the wire's), members the model does not know
// and null values dropped, documents kept as they are, timestamps formatted.
Json from_wire_json(const Json& m, const Json& shape, const Json& v) {
  std::string type = shape.value("type", std::string());
  if (type == "structure" && v.is_object()) {
    if (shape.value("document", false)) return v;
    Json out = Json::object();
    if (!shape.contains("members")) return out;
    for (auto& [name, ref] : shape["members"].items()) {
      auto it = v.find(ref.value("locationName", name));
      if (it == v.end() || it->is_null()) continue;
      out[name] = from_wire_json(m, shape_of(m, ref), *it);
    }
    return out;
  }
  if (type == "list" && v.is_array()) {
    Json out = Json::array();
    for (auto& e : v) out.push_back(from_wire_json(m, shape_of(m, shape["member"]), e));
    return out;
  }
  if (type == "map" && v.is_object()) {
    Json out = Json::object();
    for (auto& [k, e] : v.items()) out[k] = from_wire_json(m, shape_of(m, shape["value"]), e);
    return out;
  }
  if (type == "timestamp") {
    if (v.is_number()) return wire_timestamps() ? v : Json(format_epoch(v.get<double>()));
    if (v.is_string()) return format_iso_timestamp(v.get<std::string>());
  }
  return v;
}

Json xml_value(const Json& m, const Json& shape, const pugi::xml_node& node);

std::vector<pugi::xml_node> children_named(const pugi::xml_node& node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : node.children())
    if (c.type() == pugi::node_element && name == c.name()) out.push_back(c);
  return out;
}

Json xml_structure(const Json& m, const Json& shape, const pugi::xml_node& node) {
  Json out = Json::object();
  if (!shape.contains("members")) return out;
  for (auto& [name, ref] : shape["members"].items()) {
    const Json& member_shape = shape_of(m, ref);
    std::string wire = ref.value("locationName", name);
    bool flattened = ref.value("flattened", false) || member_shape.value("flattened", false);
    if (flattened && member_shape.value("type", std::string()) == "list") {
      std::string item = member_shape["member"].value("locationName", wire);
      auto items = children_named(node, item);
      if (items.empty()) continue;
      Json arr = Json::array();
      for (auto& i : items) arr.push_back(xml_value(m, shape_of(m, member_shape["member"]), i));
      out[name] = std::move(arr);
      continue;
    }
    auto child = node.child(wire.c_str());
    if (!child) continue;
    out[name] = xml_value(m, member_shape, child);
  }
  return out;
}

Json xml_value(const Json& m, const Json& shape, const pugi::xml_node& node) {
  std::string type = shape.value("type", std::string());
  if (type == "structure") return xml_structure(m, shape, node);
  if (type == "list") {
    Json arr = Json::array();
    std::string item = shape["member"].value("locationName", std::string("member"));
    for (auto& c : children_named(node, item)) arr.push_back(xml_value(m, shape_of(m, shape["member"]), c));
    return arr;
  }
  if (type == "map") {
    Json obj = Json::object();
    std::string kname = shape["key"].value("locationName", std::string("key"));
    std::string vname = shape["value"].value("locationName", std::string("value"));
    for (auto& e : children_named(node, "entry"))
      obj[e.child(kname.c_str()).text().get()] = xml_value(m, shape_of(m, shape["value"]), e.child(vname.c_str()));
    return obj;
  }
  std::string text = node.text().get();
  if (type == "boolean") return text == "true";
  if (type == "integer" || type == "long") {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return text;
    }
  }
  if (type == "double" || type == "float") {
    try {
      return std::stod(text);
    } catch (const std::exception&) {
      return text;
    }
  }
  if (type == "timestamp") return format_iso_timestamp(text);
  return text;
}

pugi::xml_node first_element(const pugi::xml_node& n) {
  for (auto c : n.children())
    if (c.type() == pugi::node_element) return c;
  return {};
}

}  // namespace

Json xml_to_json(const Json& m, const Json& shape, std::string_view text) {
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size())) throw Error(Exit::other, "the service returned malformed XML");
  return xml_value(m, shape, first_element(doc));
}

Json parse_output(const Json& m, std::string_view operation, const HttpResponse& response) {
  const Json& op = m["operations"].at(std::string(operation));
  std::string protocol = m["metadata"].value("protocol", std::string("json"));
  if (!op.contains("output")) return Json::object();
  const Json& shape = shape_of(m, op["output"]);
  if (protocol == "query") {
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size()))
      throw Error(Exit::other, "the service returned malformed XML for " + std::string(operation));
    auto root = first_element(doc);
    std::string wrapper = op["output"].value("resultWrapper", std::string());
    auto node = wrapper.empty() ? root : root.child(wrapper.c_str());
    if (!node) return Json::object();
    return xml_structure(m, shape, node);
  }
  Json body = Json::object();
  if (!response.body.empty()) {
    body = Json::parse(response.body, nullptr, false);
    if (body.is_discarded())
      throw Error(Exit::other, "the service returned malformed JSON for " + std::string(operation));
  }
  Json out = from_wire_json(m, shape, body);
  if (protocol == "rest-json" && shape.contains("members")) {
    for (auto& [name, ref] : shape["members"].items()) {
      std::string loc = ref.value("location", std::string());
      if (loc == "header") {
        auto v = response.header(ref.value("locationName", name));
        if (!v.empty()) out[name] = v;
      } else if (loc == "statusCode") {
        out[name] = response.status;
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
  std::string protocol = m["metadata"].value("protocol", std::string("json"));
  if (protocol == "query") {
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
