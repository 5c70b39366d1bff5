// The AWS CLI's shorthand syntax for structure, map and list values:
// `Key=a,Value=b`, `subnets=[a,b]`, `awsvpcConfiguration={subnets=[s-1],assignPublicIp=ENABLED}`,
// `key=v1,v2` (a list), quoted values with escapes. Parsing is purely
// syntactic (every scalar is a string); cli/param_input types it by the model.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ecsctl::commands::shorthand {

// A syntax error. what() is the AWS CLI's wording, including the input with a
// caret line under the failing character; column() is 1-based, in characters.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string message, std::size_t offset, std::size_t column)
      : std::runtime_error(std::move(message)), m_offset(offset), m_column(column) {}
  std::size_t offset() const { return m_offset; }  // byte offset into the input
  std::size_t column() const { return m_column; }  // 1-based character column on its line

 private:
  std::size_t m_offset;
  std::size_t m_column;
};

// Parses `text` as `keyval *("," keyval)` into an object whose leaves are
// strings, arrays and objects, exactly as awscli.shorthand.ShorthandParser.
// Throws ParseError.
Json parse(std::string_view text);

// The input line holding `offset`, then a line with a caret under it
// (the layout of the AWS CLI's shorthand errors).
std::string caret_excerpt(std::string_view text, std::size_t offset);

}  // namespace ecsctl::commands::shorthand
