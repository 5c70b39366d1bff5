// AWS Signature Version 4, written for ecsctl on OpenSSL's SHA-256 and HMAC:
// signing for the client, verification for `ecsctl local`.
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsctl::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
};

// An HTTP request as it goes on (or came off) the wire.
struct Request {
  std::string method;  // "POST"
  std::string path;    // "/" or "/schedules/name", as sent (already percent-encoded)
  std::vector<std::pair<std::string, std::string>> query;    // decoded name/value pairs, in order
  std::vector<std::pair<std::string, std::string>> headers;  // as sent; must include Host
  std::string body;
};

// Adds X-Amz-Date, X-Amz-Security-Token (when the credentials have one),
// x-amz-content-sha256 (when `content_sha256_header`) and Authorization.
void sign(Request& request, const Credentials& creds, std::string_view region,
          std::string_view service, std::chrono::system_clock::time_point now,
          bool content_sha256_header = false);

// The pieces of the algorithm, exposed for tests and for verification.
std::string canonical_request(const Request& request, const std::vector<std::string>& signed_headers,
                              std::string_view payload_hash);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signature(std::string_view secret, std::string_view date, std::string_view region,
                      std::string_view service, std::string_view string_to_sign);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes

struct Verification {
  bool ok = false;
  int http_status = 403;
  std::string error_code;  // "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException", ...
  std::string message;     // AWS's wording
  std::string access_key_id;
};

// Server side: parses the Authorization header, looks up the secret for its
// access key, recomputes the signature and compares in constant time. Checks
// X-Amz-Date against `now` within `max_skew`.
Verification verify(const Request& request,
                    const std::function<std::optional<std::string>(std::string_view access_key)>& secret_for,
                    std::chrono::system_clock::time_point now,
                    std::chrono::seconds max_skew = std::chrono::minutes(15));

}  // namespace ecsctl::sigv4
