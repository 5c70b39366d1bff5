// Internals of the JMESPath implementation (cli/jmespath*.cpp): the syntax
// tree, the evaluation result type and the function table. Not for other areas.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output/jmespath.hpp"

namespace ecsctl::jmespath::detail {

enum class NodeType {
  current,           // @
  field,             // foo, "foo"
  literal,           // `json`, 'raw'
  index,             // [n] applied to the current node
  slice,             // [a:b:c]
  subexpression,     // left.right
  index_expression,  // left[...]: right evaluated against left
  projection,        // left[*] right, left[] right, left[:] right
  value_projection,  // left.* right
  filter_projection, // left[?cond] right (children: left, right, cond)
  flatten,           // left[]
  or_expr,           // left || right
  and_expr,          // left && right
  not_expr,          // !child
  comparator,        // left OP right
  multi_list,        // [a, b]
  multi_hash,        // {k: a, l: b} (keys in Node::keys)
  pipe,              // left | right
  function,          // name(args...)
  expref,            // &child
};

enum class Comparator { eq, ne, lt, le, gt, ge };

struct FunctionSpec;

// One node of the syntax tree. Which members matter depends on `type`.
struct Node {
  NodeType type = NodeType::current;
  std::string name;                         // field name, function name
  Json value;                               // literal value
  std::int64_t index = 0;                   // index
  std::optional<std::int64_t> slice[3];     // start, stop, step
  Comparator op = Comparator::eq;           // comparator
  std::vector<std::string> keys;            // multi_hash keys, one per child
  std::vector<std::unique_ptr<Node>> children;
  const FunctionSpec* function = nullptr;   // resolved at parse time; nullptr: no such function
  std::size_t pos = 0;                      // where a function's name starts in the expression
};

// Parses a whole expression. Throws Error (syntax, invalid-value for a zero
// slice step). An unknown function or a wrong number of arguments is an error
// of the evaluation, when the call is reached, as in jmespath.py (the AWS CLI
// compiles `--query 'foo(x)'` and fails only after the request).
std::unique_ptr<Node> parse(std::string_view expression);

// An evaluation result: a reference into the input (or the syntax tree) when
// nothing new was built, else an owned value. Avoids copying the input.
class Value {
 public:
  Value() : m_ref(&null_json()) {}
  static Value ref(const Json& j) { Value v; v.m_ref = &j; return v; }
  static Value own(Json j) { Value v; v.m_ref = nullptr; v.m_own = std::move(j); return v; }
  const Json& get() const { return m_ref ? *m_ref : m_own; }
  bool owned() const { return m_ref == nullptr; }
  // The value as an owned Json (moved out when owned, copied otherwise).
  Json take() { return m_ref ? *m_ref : std::move(m_own); }
  static const Json& null_json();

 private:
  const Json* m_ref;
  Json m_own;
};

// Evaluates `node` with `current` as the current node. The result may refer
// into `current` or into the tree, so both must outlive it.
Value evaluate(const Node& node, const Json& current);

// The specification's truthiness: false, null, "", [] and {} are false.
bool truthy(const Json& v);
// Deep equality: numbers by value (1 == 1.0), objects regardless of key order.
bool equal(const Json& a, const Json& b);
// The JMESPath type name of a value: "number", "string", "boolean", "array", "object", "null".
const char* type_name(const Json& v);

// A function argument: an evaluated value or an expression reference.
struct Arg {
  Value value;
  const Node* expref = nullptr;
};

using FunctionImpl = Value (*)(std::vector<Arg>& args);

// A built-in function: name, parameter types (bit masks) and implementation.
struct FunctionSpec {
  std::string_view name;
  std::vector<unsigned> params;
  bool variadic;  // the last parameter repeats (at least once)
  FunctionImpl impl;
};

// The built-in function named `name`, or nullptr.
const FunctionSpec* find_function(std::string_view name);
// Checks the arity of a call with `count` arguments. Throws invalid-arity.
void check_arity(const FunctionSpec& fn, std::size_t count, std::size_t position);
// Type-checks `args` against `fn`'s signature and calls it. Throws invalid-type.
Value call_function(const FunctionSpec& fn, std::vector<Arg>& args);

}  // namespace ecsctl::jmespath::detail
