// Values from a local Terraform state file (format version 4), for the
// ${tfstate:ADDRESS} lookup of service and task-definition files: an output
// (`output.NAME`, then `.key` and `[N]` into its value) or a resource attribute
// (`[module.M.][data.]TYPE.NAME[INDEX].ATTRIBUTE...`, as `terraform state show`
// names them).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ecsctl::tfstate {

// The value at `address` in `state` (the parsed state file), or nullopt with
// `error` saying what is missing.
std::optional<Json> lookup(const Json& state, std::string_view address, std::string& error);

// The value as template text: strings as they are, numbers and booleans as
// JSON writes them; lists, maps and null are errors (index into them instead).
std::optional<std::string> lookup_text(const Json& state, std::string_view address, std::string& error);

}  // namespace ecsctl::tfstate
