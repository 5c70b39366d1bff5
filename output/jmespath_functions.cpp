// The JMESPath built-in functions with their signatures and type checks.
// Implementations return a moved argument, a new value, or a reference into an
// argument that refers into the input, never into an argument's own storage.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "output/jmespath_ast.hpp"

namespace ecsctl::jmespath::detail {
namespace {

enum : unsigned {
  t_number = 1, t_string = 2, t_boolean = 4, t_array = 8, t_object = 16, t_null = 32,
  t_expref = 64, t_array_number = 128, t_array_string = 256,
  t_any = t_number | t_string | t_boolean | t_array | t_object | t_null,
};

std::string mask_names(unsigned mask) {
  static const char* const names[] = {"number", "string", "boolean", "array", "object", "null",
                                      "expression", "array[number]", "array[string]"};
  if (mask == t_any) return "any value";
  std::string out;
  for (int bit = 0; bit < 9; ++bit) {
    if (!(mask & (1u << bit))) continue;
    if (!out.empty()) out += " or ";
    out += names[bit];
  }
  return out;
}

bool all_of_type(const Json& list, bool (Json::*pred)() const noexcept) {
  return std::all_of(list.begin(), list.end(), [&](const Json& e) { return (e.*pred)(); });
}

bool matches(unsigned mask, const Arg& a) {
  if (a.expref) return mask & t_expref;
  const Json& v = a.value.get();
  switch (v.type()) {
    case Json::value_t::null: return mask & t_null;
    case Json::value_t::boolean: return mask & t_boolean;
    case Json::value_t::string: return mask & t_string;
    case Json::value_t::object: return mask & t_object;
    case Json::value_t::array:
      if (mask & t_array) return true;
      if ((mask & t_array_number) && all_of_type(v, &Json::is_number)) return true;
      return (mask & t_array_string) && all_of_type(v, &Json::is_string);
    default: return mask & t_number;
  }
}

[[noreturn]] void type_error(std::string_view fn, std::string what) {
  throw Error(ErrorKind::invalid_type, "invalid type in " + std::string(fn) + "(): " + what);
}

// A value from inside argument `a`: referenced when `a` refers into the input, copied when owned.
Value pick(const Arg& a, const Json& element) {
  return a.value.owned() ? Value::own(element) : Value::ref(element);
}

const Json& arg(std::vector<Arg>& args, std::size_t i) { return args[i].value.get(); }

bool as_int(const Json& v, std::int64_t& out) {
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    out = v.get<std::int64_t>();
    return true;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
    out = static_cast<std::int64_t>(v.get<std::uint64_t>());
    return true;
  }
  return false;
}

// An integral double as an integer when it fits (Python's math.ceil/floor return ints).
Json integral(double d) {
  if (std::isfinite(d) && d >= -9.2e18 && d <= 9.2e18) return static_cast<std::int64_t>(d);
  return d;
}

Value fn_abs(std::vector<Arg>& args) {
  const Json& v = arg(args, 0);
  std::int64_t i = 0;
  if (as_int(v, i) && i != std::numeric_limits<std::int64_t>::min()) return Value::own(i < 0 ? -i : i);
  if (v.is_number_unsigned()) return std::move(args[0].value);
  return Value::own(std::fabs(v.get<double>()));
}

Value fn_sum(std::vector<Arg>& args) {
  std::int64_t isum = 0;
  double dsum = 0;
  bool is_int = true;
  for (const auto& e : arg(args, 0)) {
    std::int64_t i = 0;
    if (is_int && as_int(e, i) && !__builtin_add_overflow(isum, i, &isum)) continue;
    if (is_int) dsum = static_cast<double>(isum);
    is_int = false;
    dsum += e.get<double>();
  }
  return is_int ? Value::own(isum) : Value::own(dsum);
}

Value fn_avg(std::vector<Arg>& args) {
  const Json& list = arg(args, 0);
  if (list.empty()) return {};
  double sum = 0;
  for (const auto& e : list) sum += e.get<double>();
  return Value::own(sum / static_cast<double>(list.size()));
}

Value fn_ceil(std::vector<Arg>& args) {
  if (!arg(args, 0).is_number_float()) return std::move(args[0].value);
  return Value::own(integral(std::ceil(arg(args, 0).get<double>())));
}

Value fn_floor(std::vector<Arg>& args) {
  if (!arg(args, 0).is_number_float()) return std::move(args[0].value);
  return Value::own(integral(std::floor(arg(args, 0).get<double>())));
}

Value fn_contains(std::vector<Arg>& args) {
  const Json& subject = arg(args, 0);
  const Json& search = arg(args, 1);
  if (subject.is_string()) {
    if (!search.is_string()) return Value::own(false);
    return Value::own(subject.get_ref<const std::string&>().find(search.get_ref<const std::string&>()) !=
                      std::string::npos);
  }
  for (const auto& e : subject)
    if (equal(e, search)) return Value::own(true);
  return Value::own(false);
}

const std::string& str(std::vector<Arg>& args, std::size_t i) {
  return arg(args, i).get_ref<const std::string&>();
}

Value fn_starts_with(std::vector<Arg>& args) {
  return Value::own(str(args, 0).rfind(str(args, 1), 0) == 0);
}

Value fn_ends_with(std::vector<Arg>& args) {
  const std::string& s = str(args, 0);
  const std::string& suffix = str(args, 1);
  return Value::own(s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0);
}

Value fn_join(std::vector<Arg>& args) {
  std::string out;
  bool first = true;
  for (const auto& e : arg(args, 1)) {
    if (!first) out += str(args, 0);
    out += e.get_ref<const std::string&>();
    first = false;
  }
  return Value::own(std::move(out));
}

Value fn_keys(std::vector<Arg>& args) {
  Json out = Json::array();
  for (auto it = arg(args, 0).begin(); it != arg(args, 0).end(); ++it) out.push_back(it.key());
  return Value::own(std::move(out));
}

Value fn_values(std::vector<Arg>& args) {
  Json out = Json::array();
  for (const auto& v : arg(args, 0)) out.push_back(v);
  return Value::own(std::move(out));
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

Value fn_length(std::vector<Arg>& args) {
  const Json& v = arg(args, 0);
  return Value::own(v.is_string() ? code_points(v.get_ref<const std::string&>()) : v.size());
}

Value fn_map(std::vector<Arg>& args) {
  Json out = Json::array();
  for (const auto& e : arg(args, 1)) out.push_back(evaluate(*args[0].expref, e).take());
  return Value::own(std::move(out));
}

// Orders two values of the same sortable type (numbers or strings).
bool less(const Json& a, const Json& b) {
  if (a.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  return a < b;
}

Value fn_max(std::vector<Arg>& args) {
  const Json& list = arg(args, 0);
  if (list.empty()) return {};
  auto it = std::max_element(list.begin(), list.end(), less);
  return pick(args[0], *it);
}

Value fn_min(std::vector<Arg>& args) {
  const Json& list = arg(args, 0);
  if (list.empty()) return {};
  auto it = std::min_element(list.begin(), list.end(), less);
  return pick(args[0], *it);
}

// The keys of `list` under `expref` for sort_by/max_by/min_by: all numbers or all strings.
std::vector<Json> sort_keys(std::string_view fn, const Json& list, const Node& expref) {
  std::vector<Json> keys;
  keys.reserve(list.size());
  for (const auto& e : list) {
    Json k = evaluate(expref, e).take();
    if (!k.is_number() && !k.is_string())
      type_error(fn, std::string("the expression must return a number or a string, got ") + type_name(k));
    if (!keys.empty() && k.is_number() != keys.front().is_number())
      type_error(fn, std::string("the expression returned both numbers and strings"));
    keys.push_back(std::move(k));
  }
  return keys;
}

Value fn_sort_by(std::vector<Arg>& args) {
  const Json& list = arg(args, 0);
  std::vector<Json> keys = sort_keys("sort_by", list, *args[1].expref);
  std::vector<std::size_t> order(list.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return less(keys[a], keys[b]); });
  Json out = Json::array();
  for (std::size_t i : order) out.push_back(list[i]);
  return Value::own(std::move(out));
}

Value extreme_by(std::vector<Arg>& args, std::string_view fn, bool want_max) {
  const Json& list = arg(args, 0);
  if (list.empty()) return {};
  std::vector<Json> keys = sort_keys(fn, list, *args[1].expref);
  std::size_t best = 0;
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (want_max ? less(keys[best], keys[i]) : less(keys[i], keys[best])) best = i;
  return pick(args[0], list[best]);
}

Value fn_max_by(std::vector<Arg>& args) { return extreme_by(args, "max_by", true); }
Value fn_min_by(std::vector<Arg>& args) { return extreme_by(args, "min_by", false); }

Value fn_sort(std::vector<Arg>& args) {
  Json out = args[0].value.take();
  std::stable_sort(out.begin(), out.end(), less);
  return Value::own(std::move(out));
}

Value fn_merge(std::vector<Arg>& args) {
  if (args.size() == 1) return std::move(args[0].value);
  Json out = Json::object();
  for (auto& a : args)
    for (auto it = a.value.get().begin(); it != a.value.get().end(); ++it) out[it.key()] = it.value();
  return Value::own(std::move(out));
}

Value fn_not_null(std::vector<Arg>& args) {
  for (auto& a : args)
    if (!a.value.get().is_null()) return std::move(a.value);
  return {};
}

Value fn_reverse(std::vector<Arg>& args) {
  const Json& v = arg(args, 0);
  if (v.is_array()) {
    Json out = args[0].value.take();
    std::reverse(out.begin(), out.end());
    return Value::own(std::move(out));
  }
  const std::string& s = v.get_ref<const std::string&>();
  std::string out;
  out.reserve(s.size());
  std::size_t end = s.size();
  while (end > 0) {  // copy whole UTF-8 sequences, last first
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    out.append(s, start, end - start);
    end = start;
  }
  return Value::own(std::move(out));
}

Value fn_to_array(std::vector<Arg>& args) {
  if (arg(args, 0).is_array()) return std::move(args[0].value);
  Json out = Json::array();
  out.push_back(args[0].value.take());
  return Value::own(std::move(out));
}

Value fn_to_string(std::vector<Arg>& args) {
  if (arg(args, 0).is_string()) return std::move(args[0].value);
  // Python's json.dumps(x, separators=(',', ':')): compact, non-ASCII escaped.
  return Value::own(arg(args, 0).dump(-1, ' ', true, Json::error_handler_t::replace));
}

// A string in the JSON number grammar as a number, else null.
Json parse_number(const std::string& s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t int_start = i;
  std::size_t n = digits();
  if (n == 0 || (n > 1 && s[int_start] == '0')) return nullptr;
  bool is_integer = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return nullptr;
    is_integer = false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return nullptr;
    is_integer = false;
  }
  if (i != s.size()) return nullptr;
  if (is_integer) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    (void)p;
    if (ec == std::errc()) return v;
  }
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);
  return d;
}

Value fn_to_number(std::vector<Arg>& args) {
  const Json& v = arg(args, 0);
  if (v.is_number()) return std::move(args[0].value);
  if (v.is_string()) return Value::own(parse_number(v.get_ref<const std::string&>()));
  return {};
}

Value fn_type(std::vector<Arg>& args) { return Value::own(type_name(arg(args, 0))); }

const std::vector<FunctionSpec>& table() {
  static const std::vector<FunctionSpec> fns = {
      {"abs", {t_number}, false, fn_abs},
      {"avg", {t_array_number}, false, fn_avg},
      {"ceil", {t_number}, false, fn_ceil},
      {"contains", {t_array | t_string, t_any}, false, fn_contains},
      {"ends_with", {t_string, t_string}, false, fn_ends_with},
      {"floor", {t_number}, false, fn_floor},
      {"join", {t_string, t_array_string}, false, fn_join},
      {"keys", {t_object}, false, fn_keys},
      {"length", {t_string | t_array | t_object}, false, fn_length},
      {"map", {t_expref, t_array}, false, fn_map},
      {"max", {t_array_number | t_array_string}, false, fn_max},
      {"max_by", {t_array, t_expref}, false, fn_max_by},
      {"merge", {t_object}, true, fn_merge},
      {"min", {t_array_number | t_array_string}, false, fn_min},
      {"min_by", {t_array, t_expref}, false, fn_min_by},
      {"not_null", {t_any}, true, fn_not_null},
      {"reverse", {t_array | t_string}, false, fn_reverse},
      {"sort", {t_array_number | t_array_string}, false, fn_sort},
      {"sort_by", {t_array, t_expref}, false, fn_sort_by},
      {"starts_with", {t_string, t_string}, false, fn_starts_with},
      {"sum", {t_array_number}, false, fn_sum},
      {"to_array", {t_any}, false, fn_to_array},
      {"to_number", {t_any}, false, fn_to_number},
      {"to_string", {t_any}, false, fn_to_string},
      {"type", {t_any}, false, fn_type},
      {"values", {t_object}, false, fn_values},
  };
  return fns;
}

}  // namespace

const FunctionSpec* find_function(std::string_view name) {
  for (const auto& f : table())
    if (f.name == name) return &f;
  return nullptr;
}

void check_arity(const FunctionSpec& fn, std::size_t count, std::size_t position) {
  const std::size_t want = fn.params.size();
  if (fn.variadic ? count >= want : count == want) return;
  std::string expected = (fn.variadic ? "at least " : "") + std::to_string(want) +
                         (want == 1 ? " argument" : " arguments");
  throw Error(ErrorKind::invalid_arity, std::string(fn.name) + "() takes " + expected + ", " +
                                            std::to_string(count) + " given", position);
}

Value call_function(const FunctionSpec& fn, std::vector<Arg>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const unsigned mask = fn.params[std::min(i, fn.params.size() - 1)];
    if (matches(mask, args[i])) continue;
    std::string got = args[i].expref ? "expression" : type_name(args[i].value.get());
    if (!args[i].expref && args[i].value.get().is_array() && (mask & (t_array_number | t_array_string)))
      got = "array with elements of other types";
    type_error(fn.name, "argument " + std::to_string(i + 1) + " must be " + mask_names(mask) + ", got " + got);
  }
  return fn.impl(args);
}

}  // namespace ecsctl::jmespath::detail
