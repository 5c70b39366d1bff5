// The public face of the JMESPath implementation: error kinds and compiled
// expressions. Lexer and parser: jmespath_parser.cpp; evaluation:
// jmespath_eval.cpp; built-in functions: jmespath_functions.cpp.
#include "output/jmespath.hpp"

#include "output/jmespath_ast.hpp"

namespace ecsctl::jmespath {

const char* kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::syntax: return "syntax";
    case ErrorKind::invalid_type: return "invalid-type";
    case ErrorKind::invalid_arity: return "invalid-arity";
    case ErrorKind::unknown_function: return "unknown-function";
    case ErrorKind::invalid_value: return "invalid-value";
  }
  return "syntax";
}

const char* Error::kind_name() const { return jmespath::kind_name(m_kind); }

Expression::Expression(std::string_view expression) : m_root(detail::parse(expression)) {}

Json Expression::search(const Json& data) const { return detail::evaluate(*m_root, data).take(); }

Json search(std::string_view expression, const Json& data) { return Expression(expression).search(data); }

}  // namespace ecsctl::jmespath
