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
