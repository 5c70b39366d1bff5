// How Python prints values, which the AWS CLI's output formats inherit: float
// repr, str()/repr() of JSON values, and UTF-8 decoding with errors="replace".
// Shared by the json, text, yaml and table renderers.
#pragma once
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ecsctl::pyfmt {

// Python's repr(float): shortest round-trip digits, "1.0", "1e-07", "1e+16".
// NaN and infinities print as "nan", "inf", "-inf".
std::string float_repr(double value);

// Python's str() of a decoded JSON value: strings as they are, True/False/None,
// numbers as Python prints them, and repr() for lists and dicts.
std::string str(const Json& value);

// Python's repr() of a decoded JSON value: "{'a': [1, 'x']}".
std::string repr(const Json& value);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, as Python's
// bytes.decode("utf-8", "replace") does (one replacement per maximal subpart).
std::string sanitize_utf8(std::string_view text);

// Decodes the code point at `text[i]` (valid UTF-8 assumed) and advances `i`.
char32_t next_code_point(std::string_view text, std::size_t& i);

// Appends `cp` to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// Python's json.dumps(value) with its defaults (", " and ": " separators,
// ensure_ascii with surrogate pairs, float repr, NaN/Infinity): how the AWS CLI
// writes JSON it hands on (the session-manager-plugin's arguments, a CodeDeploy
// AppSpec's content).
std::string json_dumps(const Json& value);

}  // namespace ecsctl::pyfmt
