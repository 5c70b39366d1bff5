#include "core/error.hpp"

namespace ecsctl {

const std::vector<ExitCodeInfo>& exit_codes() {
  static const std::vector<ExitCodeInfo> table = {
      {Exit::ok, "success"},
      {Exit::validation_failed, "validation failed"},
      {Exit::wait_timed_out, "wait timed out"},
      {Exit::deployment_failed, "deployment failed or rolled back"},
      {Exit::interrupted, "interrupted (Ctrl-C)"},
      {Exit::terminated, "terminated (SIGTERM)"},
      {Exit::usage, "command line wrong (nothing was sent)"},
      {Exit::config, "configuration or credentials"},
      {Exit::service, "the service returned an error"},
      {Exit::other, "anything else"},
  };
  return table;
}

std::string exit_codes_text(std::size_t width) {
  std::string out, line = "Exit codes:";
  for (std::size_t i = 0; i < exit_codes().size(); ++i) {
    const auto& e = exit_codes()[i];
    std::string item = " " + std::to_string(static_cast<int>(e.code)) + " " + e.meaning +
                       (i + 1 < exit_codes().size() ? "," : ".");
    if (line.size() + item.size() > width) {
      out += line + "\n";
      line.clear();
      item.erase(0, 1);
    }
    line += item;
  }
  return out + line + "\n";
}

static std::string service_text(const std::string& code, const std::string& message,
                                const std::string& operation) {
  std::string text = "An error occurred (" + code + ")";
  if (!operation.empty()) text += " when calling the " + operation + " operation";
  text += ": " + message;
  return text;
}

// What usually causes the errors that say only "the signature is wrong" or
// "the key is unknown".
static std::string service_hint(const std::string& code, const std::string& message) {
  if (code == "InvalidSignatureException" || code == "SignatureDoesNotMatch") {
    if (message.starts_with("Signature expired") || message.starts_with("Signature not yet current"))
      return "the clock of this machine is off; set it right (e.g. enable NTP) and try again";
    return "the secret access key does not belong to the access key id (a wrong or mistyped "
           "aws_secret_access_key, or a secret from another profile), or this machine's clock is far off; "
           "check --profile / AWS_PROFILE and the keys in ~/.aws/credentials or the environment";
  }
  if (code == "UnrecognizedClientException" || code == "InvalidClientTokenId")
    return "the access key id or session token is not valid: a key that was deleted or mistyped, "
           "a profile other than the one you meant (check --profile / AWS_PROFILE), or temporary "
           "credentials whose AWS_SESSION_TOKEN is missing or expired (refresh them, e.g. `aws sso login`)";
  return {};
}

ServiceError::ServiceError(std::string code, std::string message, std::string operation,
                           int http_status, std::string request_id)
    : Error(Exit::service, service_text(code, message, operation),
            request_id.empty() ? std::string() : "request id " + request_id, service_hint(code, message)),
      m_error_code(std::move(code)), m_service_message(std::move(message)),
      m_operation(std::move(operation)), m_http_status(http_status),
      m_request_id(std::move(request_id)) {}

void throw_usage(std::string message, std::string hint) {
  throw Error(Exit::usage, std::move(message), {}, std::move(hint));
}

void throw_config(std::string message, std::string location, std::string hint) {
  throw Error(Exit::config, std::move(message), std::move(location), std::move(hint));
}

}  // namespace ecsctl
