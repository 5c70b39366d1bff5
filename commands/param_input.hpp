// Turning command-line words into API input values, typed by the API model's
// view (schemas/model_view.hpp): scalars, JSON, the shorthand syntax, file://
// and fileb:// values, YAML (--cli-input-yaml). The result is validated by
// schemas/validate_input.hpp.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/environment.hpp"
#include "core/json.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::commands::param {

// The contents of a `file://PATH` (text) or `fileb://PATH` (bytes) value, or
// nullopt when `value` has neither prefix. `~` is expanded from HOME in `env`.
// Throws Error(Exit::usage) naming `cli_name` when the file cannot be read.
std::optional<std::string> read_param_file(std::string_view value, std::string_view cli_name,
                                           const Environment& env, bool* binary = nullptr);

// The value of an input member of shape `shape` from the words that followed
// `cli_name` on the command line, as the AWS CLI unpacks them (JSON,
// shorthand, space-separated lists, typed scalars, file:// contents). Throws
// Error(Exit::usage) for what cannot be read; validating the value against the
// model is validate_input's job.
Json parse_argument(const model::Shape& shape, std::string_view cli_name, const std::vector<std::string>& words,
                    const Environment& env);

// Parses `text` as JSON, with the error worded for parameter `cli_name`.
Json parse_json(std::string_view text, std::string_view cli_name);

// The deepest nesting of arrays and objects in JSON `text` (strings skipped),
// checked before parsing: serialising and validating recurse, so a document
// nested tens of thousands deep would overflow the stack.
std::size_t json_nesting_depth(std::string_view text);

// Parses a YAML document into JSON as the AWS CLI does (PyYAML's safe loader:
// YAML 1.1 scalar types, `<<` merge keys). Throws Error(Exit::usage) naming `cli_name`.
Json parse_yaml(std::string_view text, std::string_view cli_name);

// Seconds since the epoch for an ISO 8601 date/time or an epoch number.
std::optional<double> parse_timestamp(std::string_view text);

// Whether the AWS CLI accepts shorthand for this shape (structures, maps, and
// lists of those), and a one-line shorthand example for help (empty if none).
bool supports_shorthand(const model::Shape& shape);
std::string shorthand_example(const model::Shape& shape);

}  // namespace ecsctl::commands::param
