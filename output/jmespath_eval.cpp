// JMESPath evaluation: walks the syntax tree against a const input document,
// returning references into it where nothing new has to be built.
#include <algorithm>

#include "output/jmespath_ast.hpp"

namespace ecsctl::jmespath::detail {

const Json& Value::null_json() {
  static const Json k_null;
  return k_null;
}

bool truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return v.get<bool>();
    case Json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !v.empty();
    default: return true;
  }
}

bool equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a == b;  // nlohmann compares mixed numbers by value
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !equal(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "number";
  }
}

namespace {

const Json& k_true() {
  static const Json v = true;
  return v;
}
const Json& k_false() {
  static const Json v = false;
  return v;
}
Value boolean(bool b) { return Value::ref(b ? k_true() : k_false()); }

// Evaluates `right` against the result of `left`; a result that refers into a
// temporary left value is copied before the temporary goes away.
Value chain(const Node& left, const Node& right, const Json& current) {
  Value base = evaluate(left, current);
  Value result = evaluate(right, base.get());
  if (base.owned() && !result.owned()) return Value::own(result.get());
  return result;
}

Value field(const Node& n, const Json& current) {
  if (!current.is_object()) return {};
  auto it = current.find(n.name);
  return it == current.end() ? Value() : Value::ref(*it);
}

Value index(const Node& n, const Json& current) {
  if (!current.is_array()) return {};
  const auto size = static_cast<std::int64_t>(current.size());
  const std::int64_t i = n.index < 0 ? n.index + size : n.index;
  if (i < 0 || i >= size) return {};
  return Value::ref(current[static_cast<std::size_t>(i)]);
}

std::int64_t slice_endpoint(std::int64_t v, std::int64_t size, std::int64_t step) {
  if (v < 0) {
    v += size;
    if (v < 0) v = step < 0 ? -1 : 0;
  } else if (v >= size) {
    v = step < 0 ? size - 1 : size;
  }
  return v;
}

Value slice(const Node& n, const Json& current) {
  if (!current.is_array()) return {};
  const auto size = static_cast<std::int64_t>(current.size());
  const std::int64_t step = n.slice[2].value_or(1);
  const std::int64_t start = n.slice[0] ? slice_endpoint(*n.slice[0], size, step) : (step < 0 ? size - 1 : 0);
  const std::int64_t stop = n.slice[1] ? slice_endpoint(*n.slice[1], size, step) : (step < 0 ? -1 : size);
  Json out = Json::array();
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    out.push_back(current[static_cast<std::size_t>(i)]);
  return Value::own(std::move(out));
}

void push_if_not_null(Json& out, Value v) {
  if (!v.get().is_null()) out.push_back(v.take());
}

Value projection(const Node& n, const Json& current) {
  Value base = evaluate(*n.children[0], current);
  const Json& list = base.get();
  if (!list.is_array()) return {};
  Json out = Json::array();
  for (const auto& e : list) push_if_not_null(out, evaluate(*n.children[1], e));
  return Value::own(std::move(out));
}

Value value_projection(const Node& n, const Json& current) {
  Value base = evaluate(*n.children[0], current);
  const Json& obj = base.get();
  if (!obj.is_object()) return {};
  Json out = Json::array();
  for (const auto& e : obj) push_if_not_null(out, evaluate(*n.children[1], e));
  return Value::own(std::move(out));
}

Value filter_projection(const Node& n, const Json& current) {
  Value base = evaluate(*n.children[0], current);
  const Json& list = base.get();
  if (!list.is_array()) return {};
  Json out = Json::array();
  for (const auto& e : list)
    if (truthy(evaluate(*n.children[2], e).get())) push_if_not_null(out, evaluate(*n.children[1], e));
  return Value::own(std::move(out));
}

Value flatten(const Node& n, const Json& current) {
  Value base = evaluate(*n.children[0], current);
  const Json& list = base.get();
  if (!list.is_array()) return {};
  Json out = Json::array();
  for (const auto& e : list) {
    if (e.is_array())
      for (const auto& inner : e) out.push_back(inner);
    else
      out.push_back(e);
  }
  return Value::own(std::move(out));
}

Value compare(const Node& n, const Json& current) {
  Value l = evaluate(*n.children[0], current);
  Value r = evaluate(*n.children[1], current);
  const Json& a = l.get();
  const Json& b = r.get();
  switch (n.op) {
    case Comparator::eq: return boolean(equal(a, b));
    case Comparator::ne: return boolean(!equal(a, b));
    default: break;
  }
  // Ordering: numbers with numbers and, as jmespath.py (the AWS CLI's JMESPath)
  // does, strings with strings, by code point (UTF-8 byte order is code point
  // order). Anything else, mixed pairs included, is null (jmespath.py raises a
  // TypeError there).
  bool numbers = a.is_number() && b.is_number();
  bool strings = a.is_string() && b.is_string();
  if (!numbers && !strings) return {};
  if (strings) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    switch (n.op) {
      case Comparator::lt: return boolean(c < 0);
      case Comparator::le: return boolean(c <= 0);
      case Comparator::gt: return boolean(c > 0);
      default: return boolean(c >= 0);
    }
  }
  switch (n.op) {
    case Comparator::lt: return boolean(a < b);
    case Comparator::le: return boolean(a <= b);
    case Comparator::gt: return boolean(a > b);
    default: return boolean(a >= b);
  }
}

Value multi_list(const Node& n, const Json& current) {
  if (current.is_null()) return {};
  Json out = Json::array();
  for (const auto& c : n.children) out.push_back(evaluate(*c, current).take());
  return Value::own(std::move(out));
}

Value multi_hash(const Node& n, const Json& current) {
  if (current.is_null()) return {};
  Json out = Json::object();
  for (std::size_t i = 0; i < n.children.size(); ++i) out[n.keys[i]] = evaluate(*n.children[i], current).take();
  return Value::own(std::move(out));
}

Value function(const Node& n, const Json& current) {
  std::vector<Arg> args;
  args.reserve(n.children.size());
  for (const auto& c : n.children) {
    Arg a;
    if (c->type == NodeType::expref)
      a.expref = c->children[0].get();
    else
      a.value = evaluate(*c, current);
    args.push_back(std::move(a));
  }
  // As jmespath.py: the arguments first, then the name, then the arity.
  if (!n.function) throw Error(ErrorKind::unknown_function, "unknown function: " + n.name + "()", n.pos);
  check_arity(*n.function, n.children.size(), n.pos);
  // Functions never return a reference into an argument's own storage.
  return call_function(*n.function, args);
}

}  // namespace

Value evaluate(const Node& n, const Json& current) {
  switch (n.type) {
    case NodeType::current: return Value::ref(current);
    case NodeType::field: return field(n, current);
    case NodeType::literal: return Value::ref(n.value);
    case NodeType::index: return index(n, current);
    case NodeType::slice: return slice(n, current);
    case NodeType::subexpression:
    case NodeType::index_expression:
    case NodeType::pipe: return chain(*n.children[0], *n.children[1], current);
    case NodeType::projection: return projection(n, current);
    case NodeType::value_projection: return value_projection(n, current);
    case NodeType::filter_projection: return filter_projection(n, current);
    case NodeType::flatten: return flatten(n, current);
    case NodeType::or_expr: {
      Value l = evaluate(*n.children[0], current);
      if (truthy(l.get())) return l;
      return evaluate(*n.children[1], current);
    }
    case NodeType::and_expr: {
      Value l = evaluate(*n.children[0], current);
      if (!truthy(l.get())) return l;
      return evaluate(*n.children[1], current);
    }
    case NodeType::not_expr: return boolean(!truthy(evaluate(*n.children[0], current).get()));
    case NodeType::comparator: return compare(n, current);
    case NodeType::multi_list: return multi_list(n, current);
    case NodeType::multi_hash: return multi_hash(n, current);
    case NodeType::function: return function(n, current);
    case NodeType::expref: return {};  // only meaningful as a function argument
  }
  return {};
}

}  // namespace ecsctl::jmespath::detail
