// The EC2 protocol as a server speaks it, driven by the EC2 model: form
// parameters named by queryName (else the capitalised locationName), every
// list flattened ("SubnetId.1", "Filter.1.Value.1"); responses are XML whose
// root element holds the output members (no result wrapper) and lists of
// <item> elements; errors are <Response><Errors><Error>.
#pragma once
#include <string>

#include "core/json.hpp"
#include "local/elbv2_query.hpp"

namespace ecsctl::local::ec2_protocol {

// The input of `operation` built from `params` (numbers and booleans must parse,
// else ApiError InvalidParameterValue).
Json decode_input(const Json& model, const std::string& operation, const query::Params& params);
std::string encode_response(const Json& model, const std::string& operation, const Json& output,
                            const std::string& request_id);
std::string encode_error(const std::string& code, const std::string& message, const std::string& request_id);

}  // namespace ecsctl::local::ec2_protocol
