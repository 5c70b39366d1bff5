// The JSON value type used everywhere in ecsctl: insertion-ordered, so output
// keeps the key order of the API response, as the AWS CLI does.
#pragma once
#include <nlohmann/json.hpp>

namespace ecsctl {
using Json = nlohmann::ordered_json;
}  // namespace ecsctl
