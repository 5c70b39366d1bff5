#include "client/api.hpp"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>

#include "core/error.hpp"
#include "client/endpoints.hpp"
#include "client/invoke.hpp"
#include "client/protocols.hpp"
#include "schemas/model.hpp"
#include "schemas/taskdef_rules.hpp"

namespace ecsctl::client {
namespace {

using Clock = std::chrono::steady_clock;

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Signs `req` in place with SigV4 for `region`/`signing_name`.
void sign_request(HttpRequest& req, const sigv4::Credentials& creds, const std::string& region,
                  const std::string& signing_name, std::chrono::system_clock::time_point when) {
  auto url = split_url(req.url);
  sigv4::Request s;
  s.method = req.method;
  s.path = url.path;
  size_t pos = 0;
  while (!url.query.empty() && pos <= url.query.size()) {
    size_t amp = url.query.find('&', pos);
    auto part = std::string_view(url.query).substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    auto eq = part.find('=');
    if (!part.empty())
      s.query.emplace_back(percent_decode(part.substr(0, eq)),
                           eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1)));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  std::erase_if(req.headers, [](auto& h) { return h.first == "Host"; });
  s.headers = req.headers;
  s.headers.insert(s.headers.begin(), {"Host", url.host});
  s.body = req.body;
  sigv4::sign(s, creds, region, signing_name, when);
  req.headers = std::move(s.headers);
}

void log_exchange(Session& s, const HttpRequest& req, int attempt, int max_attempts) {
  auto& err = s.ctx().err;
  err << "[debug] " << req.method << " " << s.redact(req.url) << " (attempt " << attempt << "/" << max_attempts << ")\n";
  for (auto& [k, v] : req.headers) err << "[debug] > " << k << ": " << s.redact(redact_header(k, v)) << "\n";
  if (!req.body.empty()) err << "[debug] > " << s.redact(redact_body(req.body)) << "\n";
}

void log_response(Session& s, const HttpResponse& resp, double ms) {
  auto& err = s.ctx().err;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  err << "[debug] < HTTP " << resp.status << " (" << buf << " ms)\n";
  for (auto& [k, v] : resp.headers) err << "[debug] < " << k << ": " << s.redact(redact_header(k, v)) << "\n";
  if (!resp.body.empty()) err << "[debug] < " << s.redact(redact_body(resp.body)) << "\n";
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& v) {
  std::tm tm{};
  if (!strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return std::nullopt;
  // A server's Date beyond 2262 would overflow system_clock's nanoseconds (UB).
  std::time_t t = timegm(&tm);
  if (t < 0 || t >= 7258118400) return std::nullopt;  // 1970 .. 2199
  return std::chrono::system_clock::from_time_t(t);
}

bool is_clock_skew(const ErrorInfo& e) {
  return e.code == "RequestTimeTooSkewed" || e.code == "RequestExpired" || e.code == "RequestInTheFuture" ||
         (e.code == "InvalidSignatureException" && e.message.starts_with("Signature expired")) ||
         (e.code == "InvalidSignatureException" && e.message.starts_with("Signature not yet current"));
}

struct Target {
  std::string endpoint, region, signing_name;
  bool configured = false;  // an endpoint URL was given, not derived from the region
};

Target resolve_target(Session& s, const Json& m, const CallOptions& o) {
  Target t;
  const ConfigSection* profile = s.profile();
  t.region = o.region ? *o.region : s.region();
  auto truthy = [&](const char* env, const char* key) {
    auto v = s.ctx().env.get_nonempty(env);
    if (!v && profile) v = profile->get(key);
    return v && (*v == "true" || *v == "True" || *v == "TRUE");
  };
  if (auto url = configured_endpoint(s.ctx(), s.config(), profile, m, o.cli_endpoint)) {
    t.endpoint = *url;
    t.configured = true;
  } else t.endpoint = default_endpoint(m, t.region, truthy("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
                                     truthy("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"));
  const Json& meta = m["metadata"];
  t.signing_name = meta.value("signingName", meta.value("endpointPrefix", std::string()));
  if (t.region == "aws-global") t.region = "us-east-1";
  // IAM is global: in the aws partition its one endpoint is iam.amazonaws.com,
  // signed for us-east-1. A configured endpoint (the local plane) is signed for
  // the client's region, as botocore does; the plane accepts both.
  if (meta.value("serviceId", std::string()) == "IAM" && !t.configured &&
      meta.value("globalEndpoint", std::string()) == "iam.amazonaws.com" &&
      default_endpoint(m, t.region, false, false).ends_with(".amazonaws.com")) {
    t.endpoint = "https://iam.amazonaws.com";
    t.region = "us-east-1";
  }
  return t;
}

}  // namespace

Json invoke(Session& s, std::string_view service, std::string_view operation, Json input, const CallOptions& o) {
  const Json* mp = nullptr;
  try {
    model::operation_names(service);
  } catch (const std::out_of_range&) {
    throw_usage("unknown service '" + std::string(service) + "'");
  }
  try {
    mp = &model::operation(service, operation);
  } catch (const std::out_of_range&) {
    throw_usage("unknown operation '" + std::string(operation) + "' of " + std::string(service));
  }
  const Json& m = *mp;
  const Json& op = m.at("operations").at(std::string(operation));
  if (!input.is_object()) input = Json::object();
  fill_idempotency_tokens(m, operation, input);
  Target target = resolve_target(s, m, o);
  const model::OperationView& view = model::view(service, operation);
  HttpRequest req = serialize_request(view, input, target.endpoint);
  req.headers.emplace_back("User-Agent", "ecsctl/" ECSCTL_VERSION);
  bool sign = o.sign && s.ctx().opts.sign_request && op.value("authtype", std::string()) != "none";
  std::optional<sigv4::Credentials> creds;
  if (sign) creds = o.credentials ? *o.credentials : s.credentials().creds;
  if (o.credentials) s.add_secret(o.credentials->secret_access_key), s.add_secret(o.credentials->session_token);
  bool debug = s.ctx().opts.debug;
  RetryConfig retry = s.retry_config();
  bool skew_fixed = false;
  for (int attempt = 1;; ++attempt) {
    check_interrupted();
    if (retry.mode == RetryMode::adaptive)
      s.sleep(s.limiter().before_send(std::chrono::duration<double>(Clock::now().time_since_epoch()).count()));
    if (creds) sign_request(req, *creds, target.region, target.signing_name, s.now() + s.clock_offset);
    if (debug) log_exchange(s, req, attempt, retry.max_attempts);
    AttemptFailure failure;
    HttpResponse resp;
    std::string transport_message, transport_hint;
    auto started = Clock::now();
    try {
      resp = s.transport().send(req);
    } catch (const TransportError& e) {
      failure.connection_error = true;
      failure.timeout = e.timeout();
      transport_message = e.what();
      transport_hint = e.hint();
      // A certificate that fails verification fails again: no retry.
      if (!e.retryable()) throw Error(Exit::other, s.redact(transport_message), {}, transport_hint);
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    ErrorInfo info;
    if (!failure.connection_error) {
      if (debug) log_response(s, resp, ms);
      if (resp.status >= 200 && resp.status < 300) {
        s.quota().on_success();
        s.limiter().after_response(false, std::chrono::duration<double>(Clock::now().time_since_epoch()).count());
        WireTimestamps wire(s.ctx().opts.wire_timestamps);
        return parse_output(view, resp);
      }
      info = parse_error(m, resp);
      if (!skew_fixed && is_clock_skew(info)) {
        if (auto server = parse_http_date(resp.header("Date"))) {
          skew_fixed = true;
          s.clock_offset = std::chrono::duration_cast<std::chrono::seconds>(*server - s.now());
          if (debug) s.ctx().err << "[debug] clock skew: correcting by " << s.clock_offset.count() << " s and retrying\n";
          --attempt;
          continue;
        }
      }
      failure.code = info.code;
      failure.status = info.status;
    } else if (debug) {
      s.ctx().err << "[debug] < no response (" << s.redact(transport_message) << ")\n";
    }
    s.limiter().after_response(is_throttling(failure), std::chrono::duration<double>(Clock::now().time_since_epoch()).count());
    bool retryable = is_retryable(failure) && attempt < retry.max_attempts;
    if (retryable && retry.mode != RetryMode::legacy) retryable = s.quota().acquire(failure);
    if (!retryable) {
      if (failure.connection_error) {
        // A mistyped region ends in a host name that does not resolve: say so.
        std::string hint = target.configured ? std::string() : unknown_region_hint(target.region);
        // A local endpoint (the `local` profile's) that refuses: the plane is down.
        if (target.configured && !failure.timeout) hint = local_plane_hint(target.endpoint);
        throw Error(Exit::other, s.redact(transport_message), {}, hint.empty() ? transport_hint : hint);
      }
      throw ServiceError(info.code, s.redact(info.message), std::string(operation), info.status, info.request_id);
    }
    double delay = backoff_seconds(retry.mode, attempt, s.rng());
    if (debug) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", delay);
      s.ctx().err << "[debug] retrying in " << buf << " s after "
                  << (failure.connection_error ? std::string("a connection error") : info.code) << "\n";
    }
    s.sleep(delay);
  }
}

Json call(Context& ctx, std::string_view service, std::string_view operation, const Json& input) {
  return invoke(session(ctx), service, operation, input);
}

Endpoint resolve_endpoint(Context& ctx, std::string_view service) {
  Json m = {{"metadata", model::metadata(service)}};
  Target t = resolve_target(session(ctx), m, CallOptions{});
  return {t.endpoint, t.region};
}

std::string redact_header(std::string_view name, std::string_view value) {
  std::string l(name);
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "authorization") {
    auto sig = value.find("Signature=");
    if (sig != std::string_view::npos) return std::string(value.substr(0, sig + 10)) + "****";
    return "****";
  }
  if (l == "x-amz-security-token" || l == "x-amz-sso_bearer_token" || l == "x-aws-ec2-metadata-token" ||
      l == "cookie" || l == "set-cookie")
    return "****";
  return std::string(value);
}

namespace {
// {"name": "DB_PASSWORD", "value": "..."} pairs (container environment, overrides,
// Scheduler/EventBridge targets) whose name says secret get their value masked.
bool mask_secret_values(Json& v) {
  bool changed = false;
  if (v.is_object()) {
    auto n = v.find("name");
    auto val = v.find("value");
    if (n != v.end() && val != v.end() && n->is_string() && val->is_string() &&
        taskdef::sensitive_name(n->get<std::string>())) {
      *val = "****";
      changed = true;
    }
    for (auto& [k, child] : v.items()) changed = mask_secret_values(child) || changed;
  } else if (v.is_array()) {
    for (auto& child : v) changed = mask_secret_values(child) || changed;
  }
  return changed;
}
}  // namespace

std::string redact_body(std::string body) {
  if (!body.empty() && (body[0] == '{' || body[0] == '[')) {
    Json j = Json::parse(body, nullptr, false);
    if (!j.is_discarded() && mask_secret_values(j)) body = j.dump();
  }
  static const char* names[] = {"SecretAccessKey", "secretAccessKey", "SessionToken", "sessionToken",
                                "tokenValue", "accessToken", "WebIdentityToken", "Token", "refreshToken", "clientSecret",
                                "SAMLAssertion"};
  auto mask = [&](size_t from, size_t to) {
    body.replace(from, to - from, "****");
    return from + 4;
  };
  for (std::string name : names) {
    // JSON: "name" : "value"
    for (size_t pos = body.find('"' + name + '"'); pos != std::string::npos; pos = body.find('"' + name + '"', pos)) {
      size_t i = pos + name.size() + 2;
      while (i < body.size() && (body[i] == ' ' || body[i] == ':')) ++i;
      if (i >= body.size() || body[i] != '"') {
        pos = i;
        continue;
      }
      size_t j = ++i;
      while (j < body.size() && body[j] != '"') j += body[j] == '\\' ? 2 : 1;
      pos = mask(i, std::min(j, body.size()));
    }
    // XML: <name>value</name>
    std::string open = "<" + name + ">", close = "</" + name + ">";
    for (size_t pos = body.find(open); pos != std::string::npos; pos = body.find(open, pos)) {
      size_t end_tag = body.find(close, pos + open.size());
      if (end_tag == std::string::npos) break;
      pos = mask(pos + open.size(), end_tag);
    }
    // form: name=value&
    for (size_t pos = body.find(name + "="); pos != std::string::npos; pos = body.find(name + "=", pos)) {
      if (pos > 0 && body[pos - 1] != '&') {
        pos += name.size();
        continue;
      }
      size_t from = pos + name.size() + 1;
      pos = mask(from, std::min(body.find('&', from), body.size()));
    }
  }
  return body;
}

namespace {
// Python's json.dumps() with its default separators (", " and ": ") and
// ensure_ascii, as botocore's TokenEncoder writes the token before base64.
void python_dumps(const Json& v, std::string& out) {
  if (v.is_object()) {
    out += '{';
    bool first = true;
    for (auto& [k, e] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += Json(k).dump(-1, ' ', true) + ": ";
      python_dumps(e, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      python_dumps(v[i], out);
    }
    out += ']';
  } else {
    out += v.dump(-1, ' ', true);
  }
}
}  // namespace

std::string encode_page_token(const Json& token) {
  std::string text;
  python_dumps(token, text);
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<Json> decode_page_token(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\0') out.pop_back();  // EVP_DecodeBlock keeps padding bytes
  Json j = Json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

}  // namespace ecsctl::client
