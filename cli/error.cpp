#include "cli/error.hpp"

namespace ecsctl {

static std::string service_text(const std::string& code, const std::string& message,
                                const std::string& operation) {
  std::string text = "An error occurred (" + code + ")";
  if (!operation.empty()) text += " when calling the " + operation + " operation";
  text += ": " + message;
  return text;
}

ServiceError::ServiceError(std::string code, std::string message, std::string operation,
                           int http_status, std::string request_id)
    : Error(Exit::service, service_text(code, message, operation),
            request_id.empty() ? std::string() : "request id " + request_id),
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
