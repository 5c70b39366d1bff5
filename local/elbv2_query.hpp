// The AWS Query protocol as a server speaks it, driven by a service model:
// form parameters (Name.member.N, Name.entry.N.key, Nested.Member) decoded into
// JSON of the operation's input shape, and output JSON encoded as XML.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::model {
struct Shape;
}

namespace ecsctl::local::query {

using Params = std::vector<std::pair<std::string, std::string>>;

// Decodes an application/x-www-form-urlencoded body (and adds `extra` first).
Params parse_form(const std::string& body, const Params& extra = {});
// The value of `name` in `params`, or "" when absent.
std::string param(const Params& params, const std::string& name);

// Builds the input of `operation` from `params` and checks it as the service
// does (schemas/validate_input.hpp); throws ApiError ValidationError for values
// that do not parse and for what the model refuses (missing required members,
// bounds, enums).
Json decode_input(const Json& model, const std::string& operation, const Params& params);

// <OperationResponse xmlns=...><OperationResult>...</OperationResult><ResponseMetadata>...
std::string encode_response(const Json& model, const std::string& operation, const Json& output,
                            const std::string& request_id);
// <ErrorResponse xmlns=...><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>...
std::string encode_error(const Json& model, const std::string& code, const std::string& message,
                         const std::string& request_id, bool sender = true);

// The two dialects of the Query family: awsQuery (ELBv2: members by their wire
// names, Name.member.N lists, <member> elements, ValidationError) and EC2
// (queryName or the capitalised locationName, flattened Name.N lists, <item>
// elements, InvalidParameterValue).
enum class Dialect { query, ec2 };

// JSON of `shape` from form parameters; only what the wire form decides is
// checked (numbers and booleans must parse).
Json decode_shape(const model::Shape& shape, const Params& params, Dialect d);
// <name>...</name> of `v` as `shape`, appended to `out`.
void encode_shape(const model::Shape& shape, const Json& v, const std::string& name, std::string& out, Dialect d);

// Escapes &, <, >, " and ' for XML text.
std::string xml_escape(const std::string& s);

}  // namespace ecsctl::local::query
