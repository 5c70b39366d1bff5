// The one error type of ecsctl and the exit-code contract (README, "Exit codes").
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace ecsctl {

// Process exit codes. 252-255 and 130 are the AWS CLI v2's, so scripts that test
// `$?` after `aws ecs ...` keep working; 3-5 are situations the AWS CLI lacks.
enum class Exit : int {
  ok = 0,
  validation_failed = 3,   // a task definition (or other input file) failed validation
  wait_timed_out = 4,      // a waiter or --wait gave up
  deployment_failed = 5,   // a deployment failed or was rolled back
  interrupted = 130,       // SIGINT (128 + 2)
  terminated = 143,        // SIGTERM (128 + 15)
  usage = 252,             // the command line is wrong
  config = 253,            // configuration or credentials missing or broken
  service = 254,           // the service returned an error
  other = 255,             // anything else
};

// Every exit code with what it means, in the order help and the README list them.
struct ExitCodeInfo {
  Exit code;
  const char* meaning;
};
const std::vector<ExitCodeInfo>& exit_codes();
// "0 success, 3 validation failed, ..." for help texts, wrapped at `width` columns.
std::string exit_codes_text(std::size_t width = 100);

// What failed, where (file:line:column, a JSON path, or operation + request id)
// and what to do about it. main() prints it and exits with code().
class Error : public std::runtime_error {
 public:
  Error(Exit code, std::string message, std::string location = {}, std::string hint = {})
      : std::runtime_error(std::move(message)),
        m_code(code), m_location(std::move(location)), m_hint(std::move(hint)) {}
  Exit code() const { return m_code; }
  const std::string& location() const { return m_location; }
  const std::string& hint() const { return m_hint; }
  // For a layer that learns more on the way up (a service error about a value
  // the client passed through unchecked).
  void set_hint(std::string hint) { m_hint = std::move(hint); }

 private:
  Exit m_code;
  std::string m_location;
  std::string m_hint;
};

// An error response from an AWS (or compatible) service. message() is the AWS
// CLI's wording: "An error occurred (Code) when calling the Op operation: msg".
class ServiceError : public Error {
 public:
  ServiceError(std::string code, std::string message, std::string operation,
               int http_status, std::string request_id);
  const std::string& error_code() const { return m_error_code; }
  const std::string& service_message() const { return m_service_message; }
  const std::string& operation() const { return m_operation; }
  int http_status() const { return m_http_status; }
  const std::string& request_id() const { return m_request_id; }

 private:
  std::string m_error_code, m_service_message, m_operation;
  int m_http_status;
  std::string m_request_id;
};

// Shorthands for the common cases.
[[noreturn]] void throw_usage(std::string message, std::string hint = {});
[[noreturn]] void throw_config(std::string message, std::string location = {}, std::string hint = {});

}  // namespace ecsctl
