// JMESPath (https://jmespath.org/specification.html), written for ecsctl:
// the whole grammar and every built-in function, with the specification's
// error kinds. Used by --query and `ecsctl query`.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ecsctl::jmespath {

enum class ErrorKind { syntax, invalid_type, invalid_arity, unknown_function, invalid_value };

// "syntax", "invalid-type", "invalid-arity", "unknown-function", "invalid-value"
const char* kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, std::size_t position = 0)
      : std::runtime_error(std::move(message)), m_kind(kind), m_position(position) {}
  ErrorKind kind() const { return m_kind; }
  // Offset in the expression where the error was found (syntax errors, and
  // the function name for arity and unknown-function errors).
  std::size_t position() const { return m_position; }
  // "syntax", "invalid-type", "invalid-arity", "unknown-function", "invalid-value"
  const char* kind_name() const;

 private:
  ErrorKind m_kind;
  std::size_t m_position;
};

namespace detail {
struct Node;
}

// A compiled expression: parse once, then search many documents.
class Expression {
 public:
  // Parses `expression`. Throws Error (syntax, unknown-function, invalid-arity,
  // invalid-value for a slice step of 0).
  explicit Expression(std::string_view expression);
  // Evaluates against `data`. Throws Error (invalid-type) for bad function arguments.
  Json search(const Json& data) const;

 private:
  std::shared_ptr<const detail::Node> m_root;
};

// Evaluates `expression` against `data`. Throws jmespath::Error.
Json search(std::string_view expression, const Json& data);

}  // namespace ecsctl::jmespath
