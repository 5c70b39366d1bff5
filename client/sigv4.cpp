// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html),
// on OpenSSL's EVP digests and HMAC.
#include "client/sigv4.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace ecsctl::sigv4 {
namespace {

constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";

std::string hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved set (and '/' when asked).
std::string uri_encode(std::string_view s, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

// Removes "." and ".." segments and empty segments, keeping a trailing slash.
std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    auto seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += segments[i];
  }
  if (!segments.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."))) out += '/';
  return out;
}

// Trims a header value and collapses runs of spaces to one space; folded
// (multi-line) values become comma-separated, as the test suite specifies.
std::string trim_collapse(std::string_view v) {
  if (auto nl = v.find('\n'); nl != std::string_view::npos) {
    auto head = trim_collapse(v.substr(0, nl)), tail = trim_collapse(v.substr(nl + 1));
    return head.empty() ? tail : tail.empty() ? head : head + "," + tail;
  }
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  std::tm tm{};
  std::string str(s);
  if (!strptime(str.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
  // Years beyond 2262 overflow system_clock's nanoseconds (UB in from_time_t);
  // no valid request is dated outside 1970-2199.
  std::time_t t = timegm(&tm);
  if (t < 0 || t >= 7258118400) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::string header_value(const Request& r, std::string_view lname) {
  for (auto& [k, v] : r.headers)
    if (lower(k) == lname) return v;
  return {};
}

bool has_header(const Request& r, std::string_view lname) {
  for (auto& [k, v] : r.headers)
    if (lower(k) == lname) return true;
  return false;
}

void remove_header(Request& r, std::string_view lname) {
  std::erase_if(r.headers, [&](auto& h) { return lower(h.first) == lname; });
}

bool excluded_from_signing(std::string_view lname) {
  return lname == "authorization" || lname == "user-agent" || lname == "expect" ||
         lname == "x-amzn-trace-id" || lname == "content-length" || lname == "connection";
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  return hex(md, n);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(md), n);
}

std::string canonical_request(const Request& request, const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash) {
  std::string out = request.method + "\n";
  out += uri_encode(normalize_path(request.path), true) + "\n";

  std::vector<std::pair<std::string, std::string>> query;
  query.reserve(request.query.size());
  for (auto& [k, v] : request.query) query.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(query.begin(), query.end());
  for (size_t i = 0; i < query.size(); ++i) {
    if (i) out += '&';
    out += query[i].first + "=" + query[i].second;
  }
  out += "\n";

  std::string names;
  for (auto& name : signed_headers) {
    std::string joined;
    bool first = true;
    for (auto& [k, v] : request.headers) {
      if (lower(k) != name) continue;
      if (!first) joined += ',';
      joined += trim_collapse(v);
      first = false;
    }
    out += name + ":" + joined + "\n";
    if (!names.empty()) names += ';';
    names += name;
  }
  out += "\n" + names + "\n";
  out += payload_hash;
  return out;
}

std::string string_to_sign(std::string_view date, std::string_view scope, std::string_view creq) {
  std::string out(k_algorithm);
  out += "\n";
  out += date;
  out += "\n";
  out += scope;
  out += "\n";
  out += sha256_hex(creq);
  return out;
}

std::string signature(std::string_view secret, std::string_view date, std::string_view region,
                      std::string_view service, std::string_view sts) {
  std::string key = hmac_sha256("AWS4" + std::string(secret), date.substr(0, 8));
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  auto raw = hmac_sha256(key, sts);
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

void sign(Request& request, const Credentials& creds, std::string_view region,
          std::string_view service, std::chrono::system_clock::time_point now,
          bool content_sha256_header) {
  for (auto name : {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"})
    remove_header(request, name);
  std::string date = amz_date(now);
  std::string payload_hash = sha256_hex(request.body);
  request.headers.emplace_back("X-Amz-Date", date);
  if (!creds.session_token.empty()) request.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  if (content_sha256_header) request.headers.emplace_back("X-Amz-Content-SHA256", payload_hash);

  std::vector<std::string> names;
  for (auto& [k, v] : request.headers) {
    auto l = lower(k);
    if (!excluded_from_signing(l) && std::find(names.begin(), names.end(), l) == names.end())
      names.push_back(l);
  }
  std::sort(names.begin(), names.end());
  std::string scope = date.substr(0, 8) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  std::string sts = string_to_sign(date, scope, canonical_request(request, names, payload_hash));
  std::string joined;
  for (auto& n : names) joined += (joined.empty() ? "" : ";") + n;
  request.headers.emplace_back(
      "Authorization", std::string(k_algorithm) + " Credential=" + creds.access_key_id + "/" + scope +
                           ", SignedHeaders=" + joined +
                           ", Signature=" + signature(creds.secret_access_key, date, region, service, sts));
}

namespace {

struct ParsedAuthorization {
  std::string access_key, date, region, service, terminator;
  std::vector<std::string> signed_headers;
  std::string signature;
};

// Parses "AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex"; on failure returns the missing part.
std::optional<ParsedAuthorization> parse_authorization(std::string_view value, std::string& problem) {
  if (!value.starts_with(k_algorithm)) {
    problem = "Authorization header must start with " + std::string(k_algorithm);
    return std::nullopt;
  }
  ParsedAuthorization p;
  std::string credential, signed_headers;
  std::string_view rest = value.substr(k_algorithm.size());
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    auto part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = part.substr(0, eq), val = part.substr(eq + 1);
    if (key == "Credential") credential = val;
    else if (key == "SignedHeaders") signed_headers = val;
    else if (key == "Signature") p.signature = val;
  }
  std::vector<std::string> missing;
  if (credential.empty()) missing.push_back("'Credential'");
  if (signed_headers.empty()) missing.push_back("'SignedHeaders'");
  if (p.signature.empty()) missing.push_back("'Signature'");
  if (!missing.empty()) {
    problem = "Authorization header requires " + missing.front() + " parameter.";
    return std::nullopt;
  }
  std::vector<std::string> scope;
  size_t pos = 0;
  while (true) {
    size_t slash = credential.find('/', pos);
    scope.push_back(credential.substr(pos, slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    problem = "Credential should be scoped to a valid region, service and aws4_request terminator.";
    return std::nullopt;
  }
  p.access_key = scope[0], p.date = scope[1], p.region = scope[2], p.service = scope[3];
  pos = 0;
  while (true) {
    size_t semi = signed_headers.find(';', pos);
    p.signed_headers.push_back(signed_headers.substr(pos, semi - pos));
    if (semi == std::string::npos) break;
    pos = semi + 1;
  }
  return p;
}

Verification fail(int status, std::string code, std::string message, std::string key = {}) {
  Verification v;
  v.http_status = status;
  v.error_code = std::move(code);
  v.message = std::move(message);
  v.access_key_id = std::move(key);
  return v;
}

}  // namespace

Verification verify(const Request& request,
                    const std::function<std::optional<std::string>(std::string_view)>& secret_for,
                    std::chrono::system_clock::time_point now, std::chrono::seconds max_skew) {
  if (!has_header(request, "authorization"))
    return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  std::string problem;
  auto auth = parse_authorization(header_value(request, "authorization"), problem);
  if (!auth) return fail(400, "IncompleteSignatureException", problem);
  std::string date = header_value(request, "x-amz-date");
  auto when = parse_amz_date(date);
  if (!when)
    return fail(400, "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
                auth->access_key);
  auto secret = secret_for(auth->access_key);
  if (!secret)
    return fail(400, "UnrecognizedClientException", "The security token included in the request is invalid.",
                auth->access_key);
  if (*when < now - max_skew) {
    return fail(400, "InvalidSignatureException",
                "Signature expired: " + date + " is now earlier than " + amz_date(now - max_skew) + " (" +
                    amz_date(now) + " - " + std::to_string(max_skew.count() / 60) + " min.)",
                auth->access_key);
  }
  if (*when > now + max_skew) {
    return fail(400, "InvalidSignatureException",
                "Signature not yet current: " + date + " is still later than " + amz_date(now + max_skew) +
                    " (" + amz_date(now) + " + " + std::to_string(max_skew.count() / 60) + " min.)",
                auth->access_key);
  }
  bool headers_ok = std::is_sorted(auth->signed_headers.begin(), auth->signed_headers.end()) &&
                    std::find(auth->signed_headers.begin(), auth->signed_headers.end(), "host") !=
                        auth->signed_headers.end();
  std::string scope = auth->date + "/" + auth->region + "/" + auth->service + "/aws4_request";
  std::string expected;
  if (headers_ok && auth->date == date.substr(0, 8)) {
    auto creq = canonical_request(request, auth->signed_headers, sha256_hex(request.body));
    expected = signature(*secret, date, auth->region, auth->service, string_to_sign(date, scope, creq));
  }
  bool same = expected.size() == auth->signature.size() && !expected.empty() &&
              CRYPTO_memcmp(expected.data(), auth->signature.data(), expected.size()) == 0;
  if (!same)
    return fail(400, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your "
                "AWS Secret Access Key and signing method. Consult the service documentation for details.",
                auth->access_key);
  Verification ok;
  ok.ok = true;
  ok.http_status = 200;
  ok.access_key_id = auth->access_key;
  return ok;
}

}  // namespace ecsctl::sigv4
