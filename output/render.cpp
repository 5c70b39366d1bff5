#include "output/render.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/error.hpp"
#include "output/jmespath.hpp"
#include "core/pyformat.hpp"

namespace ecsctl {

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "json") return OutputFormat::json;
  if (name == "yaml") return OutputFormat::yaml;
  if (name == "yaml-stream") return OutputFormat::yaml_stream;
  if (name == "text") return OutputFormat::text;
  if (name == "table") return OutputFormat::table;
  if (name == "off") return OutputFormat::off;
  return std::nullopt;
}

// ---- json: Python's json.dump(indent=4, ensure_ascii=False) ------------------

static void json_string(const std::string& raw, std::string& out) {
  std::string s = pyfmt::sanitize_utf8(raw);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

static void json_value(const Json& v, std::string& out, int depth) {
  const std::string pad(static_cast<std::size_t>(depth + 1) * 4, ' ');
  const std::string close_pad(static_cast<std::size_t>(depth) * 4, ' ');
  switch (v.type()) {
    case Json::value_t::object: {
      if (v.empty()) { out += "{}"; return; }
      out += "{\n";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ",\n";
        first = false;
        out += pad;
        json_string(it.key(), out);
        out += ": ";
        json_value(it.value(), out, depth + 1);
      }
      out += "\n" + close_pad + "}";
      return;
    }
    case Json::value_t::array: {
      if (v.empty()) { out += "[]"; return; }
      out += "[\n";
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ",\n";
        out += pad;
        json_value(v[i], out, depth + 1);
      }
      out += "\n" + close_pad + "]";
      return;
    }
    case Json::value_t::string: json_string(v.get_ref<const std::string&>(), out); return;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
      else out += pyfmt::float_repr(d);
      return;
    }
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: out += pyfmt::str(v); return;
    default: out += "null"; return;
  }
}

std::string render_json(const Json& value) {
  std::string out;
  json_value(value, out, 0);
  return out + "\n";
}

// ---- text: the AWS CLI's tab-separated format -------------------------------

// str() of a value, as text.py writes it.
static std::string text_scalar(const Json& v) { return pyfmt::str(v); }

static bool is_container(const Json& v) { return v.is_object() || v.is_array(); }

static std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

static void text_value(const Json& item, std::string& out, const std::string* identifier,
                       const std::vector<std::string>* scalar_keys);

static void text_scalar_list(const std::vector<const Json*>& elements, const std::string* identifier,
                             std::string& out) {
  if (identifier) {
    for (const Json* e : elements) out += upper(*identifier) + "\t" + text_scalar(*e) + "\n";
    return;
  }
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i) out += '\t';
    out += text_scalar(*elements[i]);
  }
  out += '\n';
}

static void text_list(const Json& list, std::string& out, const std::string* identifier) {
  if (list.empty()) return;
  bool any_dict = std::any_of(list.begin(), list.end(), [](const Json& e) { return e.is_object(); });
  bool any_list = std::any_of(list.begin(), list.end(), [](const Json& e) { return e.is_array(); });
  if (any_dict) {
    // Every object of the list prints the union of the scalar keys, sorted.
    std::set<std::string> keys;
    for (const auto& e : list)
      if (e.is_object())
        for (auto it = e.begin(); it != e.end(); ++it)
          if (!is_container(it.value())) keys.insert(it.key());
    std::vector<std::string> all(keys.begin(), keys.end());
    for (const auto& e : list) text_value(e, out, identifier, &all);
  } else if (any_list) {
    std::vector<const Json*> scalars, others;
    for (const auto& e : list) (is_container(e) ? others : scalars).push_back(&e);
    if (!scalars.empty()) text_scalar_list(scalars, identifier, out);
    for (const Json* e : others) text_value(*e, out, identifier, nullptr);
  } else {
    std::vector<const Json*> all;
    for (const auto& e : list) all.push_back(&e);
    text_scalar_list(all, identifier, out);
  }
}

static void text_dict(const Json& dict, std::string& out, const std::string* identifier,
                      const std::vector<std::string>* scalar_keys) {
  std::vector<std::string> scalars;
  std::vector<std::pair<std::string, const Json*>> non_scalars;
  if (!scalar_keys) {
    std::vector<std::string> keys;
    for (auto it = dict.begin(); it != dict.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      const Json& v = dict.at(k);
      if (is_container(v)) non_scalars.emplace_back(k, &v);
      else scalars.push_back(text_scalar(v));
    }
  } else {
    for (const auto& k : *scalar_keys) {
      auto it = dict.find(k);
      scalars.push_back(it == dict.end() ? std::string() : text_scalar(*it));
    }
    std::vector<std::string> rest;
    for (auto it = dict.begin(); it != dict.end(); ++it)
      if (!std::binary_search(scalar_keys->begin(), scalar_keys->end(), it.key())) rest.push_back(it.key());
    std::sort(rest.begin(), rest.end());
    for (const auto& k : rest) non_scalars.emplace_back(k, &dict.at(k));
  }
  if (!scalars.empty()) {
    if (identifier) scalars.insert(scalars.begin(), upper(*identifier));
    for (std::size_t i = 0; i < scalars.size(); ++i) {
      if (i) out += '\t';
      out += scalars[i];
    }
    out += '\n';
  }
  for (const auto& [k, v] : non_scalars) text_value(*v, out, &k, nullptr);
}

static void text_value(const Json& item, std::string& out, const std::string* identifier,
                       const std::vector<std::string>* scalar_keys) {
  if (item.is_object()) text_dict(item, out, identifier, scalar_keys);
  else if (item.is_array()) text_list(item, out, identifier);
  else out += text_scalar(item) + "\n";
}

std::string render_text(const Json& value) {
  std::string out;
  text_value(value, out, nullptr, nullptr);
  return out;
}

std::string render(const Json& value, OutputFormat format, std::string_view title) {
  switch (format) {
    case OutputFormat::json: return render_json(value);
    case OutputFormat::yaml: return render_yaml(value);
    case OutputFormat::yaml_stream: return render_yaml_stream(value);
    case OutputFormat::text: return render_text(value);
    case OutputFormat::table: return render_table(value, title);
    case OutputFormat::off: return {};
  }
  return {};
}

// The width of the terminal on stdout, 80 when it is not one (as the AWS CLI).
static int terminal_width(const Context& ctx) {
  struct winsize ws {};
  if (ctx.stdout_is_tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void print_result(Context& ctx, const Json& result, std::string_view title) {
  const Json* value = &result;
  Json queried;
  if (ctx.opts.query) {
    try {
      queried = jmespath::search(*ctx.opts.query, result);
    } catch (const jmespath::Error& e) {
      // The expression compiled when the command line was read (cli/); an
      // error now comes from evaluating it against the result, after the
      // request was sent, so it cannot be 252 ("nothing was sent"): 255, as
      // the AWS CLI exits.
      throw Error(e.kind() == jmespath::ErrorKind::syntax ? Exit::usage : Exit::other,
                  std::string(e.kind() == jmespath::ErrorKind::syntax ? "Bad value for --query " + *ctx.opts.query + ": "
                                                                      : "--query: ") + e.what(),
                  "--query, position " + std::to_string(e.position()));
    }
    value = &queried;
  }
  // Like the AWS CLI, an operation with an empty response ({}) prints nothing.
  if (value->is_object() && value->empty() && ctx.opts.output != OutputFormat::table) return;
  if (ctx.opts.output == OutputFormat::table)
    ctx.out << render_table(*value, title, ctx.color_stdout(), terminal_width(ctx));
  else
    ctx.out << render(*value, ctx.opts.output, title);
  ctx.out.flush();
}

}  // namespace ecsctl
