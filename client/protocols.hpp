// The wire protocols, driven by the API model: awsJson1_1 ("json"), awsQuery
// with XML responses ("query") and "rest-json". Requests are built from the
// AWS CLI's JSON input shape; responses come back in the AWS CLI's output shape.
#pragma once
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "client/transport.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::client {

// The HTTP request for `operation` of `service_model` with `input`, sent to
// `endpoint` ("https://ecs.us-east-1.amazonaws.com", maybe with a path).
// Throws Error(Exit::usage) when a URI-bound member is missing.
HttpRequest serialize_request(const model::OperationView& operation, const Json& input, std::string_view endpoint);
// The same from a model document (service or operation); builds the view each time.
HttpRequest serialize_request(const Json& service_model, std::string_view operation, const Json& input,
                              std::string_view endpoint);

// The output of a successful (2xx) response, converted by the output shape.
// Throws Error(Exit::other) on an unparseable body.
Json parse_output(const model::OperationView& operation, const HttpResponse& response);
Json parse_output(const Json& service_model, std::string_view operation, const HttpResponse& response);

struct ErrorInfo {
  std::string code;  // without "namespace#" or ":http..." decorations
  std::string message;
  std::string request_id;
  int status = 0;
};
// The error of a non-2xx response, per the protocol's error format.
ErrorInfo parse_error(const Json& service_model, const HttpResponse& response);

// The request id the service returned in headers (x-amzn-RequestId, x-amz-request-id).
std::string header_request_id(const HttpResponse& response);

// XML (as in query responses) converted to JSON by `shape`.
Json xml_to_json(const model::Shape& shape, std::string_view xml_element_text);

// Timestamps as the AWS CLI v2 prints them by default (iso8601): epoch seconds
// in the local time zone, "2024-05-01T12:00:00.123000+00:00"; ISO strings keep their offset.
// With the profile's `cli_timestamp_format = wire` (while a WireTimestamps is
// alive on this thread), timestamps are left as the service sent them.
std::string format_epoch(double seconds);
std::string format_iso_timestamp(std::string_view text);
bool wire_timestamps();
class WireTimestamps {
 public:
  explicit WireTimestamps(bool wire);
  ~WireTimestamps();
  WireTimestamps(const WireTimestamps&) = delete;
  WireTimestamps& operator=(const WireTimestamps&) = delete;

 private:
  bool m_previous;
};
// Parses an input timestamp (epoch number or ISO 8601) into epoch seconds; nullopt when invalid.
std::optional<double> parse_timestamp(const Json& value);

// Fills members marked idempotencyToken (e.g. clientToken) that `input` lacks with a random UUID.
void fill_idempotency_tokens(const Json& service_model, std::string_view operation, Json& input);
std::string random_uuid();

}  // namespace ecsctl::client
