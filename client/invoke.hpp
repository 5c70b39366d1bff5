// The client's one request loop, with the knobs the credential providers need
// (their own credentials, unsigned calls, an explicit region).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "client/session.hpp"

namespace ecsctl::client {

struct CallOptions {
  std::optional<sigv4::Credentials> credentials;  // sign with these, not the chain's
  bool sign = true;                               // false: send unsigned (web identity, SSO)
  std::optional<std::string> region;              // instead of the region chain
  bool cli_endpoint = true;                       // whether --endpoint-url applies
};

// Serialises, signs, sends (with retries and --debug logging) and parses one call.
Json invoke(Session& session, std::string_view service, std::string_view operation, Json input,
            const CallOptions& options = {});

// Masks the values of secret-bearing fields (SecretAccessKey, SessionToken,
// accessToken, WebIdentityToken, ...) in a JSON, XML or form-encoded body.
std::string redact_body(std::string body);
// Masks secret-bearing headers (the Authorization signature, tokens).
std::string redact_header(std::string_view name, std::string_view value);

// The AWS CLI's --starting-token / NextToken encoding (base64 of a JSON object).
std::string encode_page_token(const Json& token);
std::optional<Json> decode_page_token(std::string_view text);

}  // namespace ecsctl::client
