// Model-driven Query protocol decoding and XML encoding.
#include "local/elbv2_query.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <map>

#include "core/pyformat.hpp"
#include "local/router.hpp"
#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::local::query {

namespace {

using model::Shape;
using model::Type;

constexpr int k_max_list = 1000;
constexpr int k_max_depth = 20;

using ParamMap = std::map<std::string, std::string, std::less<>>;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Whether any parameter is `key` itself or lies below it ("key.…").
bool present(const ParamMap& p, const std::string& key) {
  if (p.count(key)) return true;
  std::string below = key + ".";
  auto it = p.lower_bound(below);
  return it != p.end() && it->first.compare(0, below.size(), below) == 0;
}

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// The views of a model document's operations, built once each.
const model::OperationView& view_of(const Json& m, const std::string& operation) { return model::document_view(m, operation); }

[[noreturn]] void invalid(Dialect d, const std::string& key, const std::string& value, const char* want) {
  if (d == Dialect::ec2) throw ApiError("InvalidParameterValue", "Value (" + value + ") for parameter " + key + " is invalid.");
  throw ApiError("ValidationError", "Value '" + value + "' at '" + lower_first(key) +
                                        "' failed to satisfy constraint: Member must be " + want);
}

// A member's parameter name: as the model names it on the wire (awsQuery), or
// its queryName, else its capitalised locationName or name (EC2).
std::string param_name(const model::Member& m, Dialect d, bool top) {
  if (d == Dialect::query) return top ? m.name : m.wire_name(m.name);
  if (!m.query_name.empty()) return m.query_name;
  std::string n = m.location_name.empty() ? m.name : m.location_name;
  if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
  return n;
}

Json decode(const Shape& shape, const ParamMap& p, const std::string& key, int depth, Dialect d);

// awsQuery lists are Name.member.N ("Name=" alone is an empty list); EC2's are
// flattened, Name.N.
Json decode_list(const Shape& shape, const ParamMap& p, const std::string& key, int depth, Dialect d) {
  std::string items = key;
  if (d == Dialect::query) {
    auto exact = p.find(key);
    if (exact != p.end() && exact->second.empty()) return Json::array();
    items += ".member";
  }
  if (!present(p, items)) return nullptr;
  Json out = Json::array();
  for (int i = 1; i <= k_max_list; ++i) {
    std::string k = items + "." + std::to_string(i);
    if (!present(p, k)) break;
    out.push_back(decode(shape.list_member.target(), p, k, depth + 1, d));
  }
  return out;
}

Json decode_map(const Shape& shape, const ParamMap& p, const std::string& key, int depth, Dialect d) {
  if (!present(p, key + ".entry")) return nullptr;
  Json out = Json::object();
  for (int i = 1; i <= k_max_list; ++i) {
    std::string k = key + ".entry." + std::to_string(i);
    auto name = p.find(k + ".key");
    if (name == p.end()) break;
    out[name->second] = decode(shape.map_value.target(), p, k + ".value", depth + 1, d);
  }
  return out;
}

// Form parameters -> JSON of `shape`. Only what the wire form decides is
// checked here (numbers and booleans must parse); the model's constraints are
// checked on the result by validate_input, as for the JSON services.
Json decode(const Shape& shape, const ParamMap& p, const std::string& key, int depth, Dialect d) {
  if (depth > k_max_depth) return nullptr;
  if (shape.type == Type::structure) {
    if (!key.empty() && !present(p, key)) return nullptr;
    Json out = Json::object();
    for (const auto& m : shape.members) {
      std::string k = key.empty() ? param_name(m, d, true) : key + "." + param_name(m, d, false);
      Json v = decode(m.target(), p, k, depth + 1, d);
      if (!v.is_null()) out[m.name] = std::move(v);
    }
    return out;
  }
  if (shape.type == Type::list) return decode_list(shape, p, key, depth, d);
  if (shape.type == Type::map) return decode_map(shape, p, key, depth, d);
  auto it = p.find(key);
  if (it == p.end()) return nullptr;
  const std::string& v = it->second;
  if (shape.type == Type::integer || shape.type == Type::long_) {
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || v.size() > 18) invalid(d, key, v, "a number");
    return n;
  }
  if (shape.type == Type::boolean) {
    if (v == "true") return true;
    if (v == "false") return false;
    invalid(d, key, v, "true or false");
  }
  if (shape.type == Type::double_ || shape.type == Type::float_) {
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) invalid(d, key, v, "a number");
    return x;
  }
  return v;
}

std::string iso_time(double seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  int ms = static_cast<int>((seconds - static_cast<double>(t)) * 1000) % 1000;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, ms < 0 ? 0 : ms);
  return buf;
}

void encode(const Shape& shape, const Json& v, const std::string& name, std::string& out, int depth, Dialect d) {
  if (depth > k_max_depth || v.is_null()) return;
  out += "<" + name + ">";
  if (shape.type == Type::structure && v.is_object()) {
    for (const auto& m : shape.members) {
      auto it = v.find(m.name);
      if (it == v.end()) continue;
      encode(m.target(), *it, m.wire_name(m.name), out, depth + 1, d);
    }
  } else if (shape.type == Type::list && v.is_array()) {
    static const std::string k_member = "member", k_item = "item";
    const std::string& tag = shape.list_member.wire_name(d == Dialect::ec2 ? k_item : k_member);
    for (const auto& x : v) encode(shape.list_member.target(), x, tag, out, depth + 1, d);
  } else if (shape.type == Type::map && v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      out += "<entry><key>" + xml_escape(k) + "</key>";
      encode(shape.map_value.target(), x, "value", out, depth + 1, d);
      out += "</entry>";
    }
  } else if (shape.type == Type::timestamp && v.is_number()) {
    out += iso_time(v.get<double>());
  } else if (v.is_string()) {
    out += xml_escape(v.get<std::string>());
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    out += v.dump();
  }
  out += "</" + name + ">";
}

std::string xmlns(const Json& model) { return model["metadata"].value("xmlNamespace", ""); }

}  // namespace

Json decode_shape(const model::Shape& shape, const Params& params, Dialect d) {
  ParamMap p(params.begin(), params.end());
  return decode(shape, p, "", 0, d);
}

void encode_shape(const model::Shape& shape, const Json& v, const std::string& name, std::string& out, Dialect d) {
  encode(shape, v, name, out, 1, d);
}

Params parse_form(const std::string& body, const Params& extra) {
  Params out = extra;
  std::string_view rest = body;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    size_t eq = part.find('=');
    if (!part.empty())
      out.emplace_back(url_decode(part.substr(0, eq)), eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

std::string param(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

Json decode_input(const Json& model, const std::string& operation, const Params& params) {
  const model::OperationView& view = view_of(model, operation);
  if (!view.input) return Json::object();
  // Percent-decoding yields any bytes; AWS answers non-UTF-8 parameters with a
  // 400, and stored state must stay serialisable JSON.
  for (const auto& [k, v] : params)
    if (pyfmt::sanitize_utf8(k) != k || pyfmt::sanitize_utf8(v) != v)
      throw ApiError("ValidationError", "1 validation error detected: parameter '" + pyfmt::sanitize_utf8(k) +
                                            "' is not valid UTF-8");
  Json input = decode_shape(*view.input, params, Dialect::query);
  // Only ELBv2 speaks the Query protocol here: its code is ValidationError.
  if (auto r = model::service_rejection(model::check(*view.input, input, model::service_checks()), "elbv2"))
    throw ApiError(r->code, r->message);
  return input;
}

std::string encode_response(const Json& model, const std::string& operation, const Json& output,
                            const std::string& request_id) {
  const model::OperationView& view = view_of(model, operation);
  std::string out = "<" + operation + "Response xmlns=\"" + xmlns(model) + "\">";
  if (view.output) {
    std::string wrapper = view.result_wrapper.empty() ? operation + "Result" : view.result_wrapper;
    std::string body;
    encode(*view.output, output.is_object() ? output : Json::object(), wrapper, body, 0, Dialect::query);
    out += body;
  }
  out += "<ResponseMetadata><RequestId>" + xml_escape(request_id) + "</RequestId></ResponseMetadata></" + operation +
         "Response>";
  return out;
}

std::string encode_error(const Json& model, const std::string& code, const std::string& message,
                         const std::string& request_id, bool sender) {
  return "<ErrorResponse xmlns=\"" + xmlns(model) + "\"><Error><Type>" + (sender ? "Sender" : "Receiver") +
         "</Type><Code>" + xml_escape(code) + "</Code><Message>" + xml_escape(message) + "</Message></Error><RequestId>" +
         xml_escape(request_id) + "</RequestId></ErrorResponse>";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace ecsctl::local::query
