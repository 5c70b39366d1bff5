// Request routing of the local control plane, by wire protocol: JSON 1.1
// (X-Amz-Target "Prefix.Operation"), Query (Action=...), and REST paths.
// Services (ECS here; ELBv2, EventBridge, Scheduler later) register handlers.
#pragma once
#include <functional>
#include <map>
#include <tuple>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::local {

// An error answered to the client as AWS does (code, message, HTTP status).
struct ApiError : std::runtime_error {
  ApiError(std::string code, const std::string& message, int status = 400)
      : std::runtime_error(message), code(std::move(code)), status(status) {}
  std::string code;
  int status;
};

// A request id (x-amzn-RequestId) in a UUID's form: unique, not secret, so a
// per-thread generator seeded once rather than the entropy source per character.
std::string request_id();

struct HttpRequest {
  std::string method, path, target;  // target: path and query as sent
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;
  std::string header(std::string_view name) const;  // case-insensitive, "" when absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/x-amz-json-1.1";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A JSON-protocol operation: input and output in the model's shapes.
using JsonHandler = std::function<Json(const Json& input)>;
// A handler of the raw request (Query and REST services parse and render themselves).
using RawHandler = std::function<HttpResponse(const HttpRequest& request)>;

class Router {
 public:
  // JSON 1.1: `target_prefix` is the model's metadata.targetPrefix; when
  // `model_service` is set, inputs are checked against that model first.
  void add_json(const std::string& target_prefix, const std::string& operation, JsonHandler handler,
                const std::string& model_service = {});
  // Query protocol: requests whose Action= is `action` (and Version= `version` when set).
  void add_query(const std::string& action, const std::string& version, RawHandler handler);
  // REST: requests whose method matches and whose path starts with `path_prefix`.
  void add_rest(const std::string& method, const std::string& path_prefix, RawHandler handler);

  // Finds the handler and runs it under the state lock, then waits for its
  // changes to be written; errors become AWS error responses.
  HttpResponse dispatch(const HttpRequest& request);
  // The operation name of a request for the log ("AmazonEC2...DescribeClusters", "Action=...").
  static std::string operation_of(const HttpRequest& request);
  // Serialises handlers and the background engine; everything touching state holds it.
  std::mutex& state_mutex() { return m_mutex; }
  // Called after each handler: under the lock, `stage` when it succeeded (it
  // returns the batch number to wait for) and `rollback` when it failed; then,
  // outside the lock and before the response goes out, `flush(batch)` (its
  // failure fails the request).
  void set_transaction(std::function<long()> stage, std::function<void()> rollback, std::function<void(long)> flush) {
    m_stage = std::move(stage);
    m_rollback = std::move(rollback);
    m_flush = std::move(flush);
  }

 private:
  struct JsonOp {
    JsonHandler handler;
    std::string model_service, operation;
  };
  std::map<std::string, JsonOp, std::less<>> m_json;  // "Prefix.Operation"
  std::map<std::string, RawHandler, std::less<>> m_query;  // "Version|Action"
  std::vector<std::tuple<std::string, std::string, RawHandler>> m_rest;
  std::mutex m_mutex;
  std::function<long()> m_stage;
  std::function<void()> m_rollback;
  std::function<void(long)> m_flush;
  HttpResponse transact(const RawHandler& handler, const HttpRequest& request);
  // The message of an UnknownOperationException for an X-Amz-Target no handler has (never empty).
  std::string unknown_target(const std::string& target) const;
};

// The AWS JSON error response {"__type": code, "message": ...}.
HttpResponse json_error(int status, const std::string& code, const std::string& message);

// Checks `input` against the input shape of `operation` in the model of
// `service` as the service does (schemas/validate_input.hpp: required members,
// types, length and value bounds, enums) and throws ApiError with the
// service's code and wording.
void validate_input(const std::string& service, const std::string& operation, const Json& input);

}  // namespace ecsctl::local
