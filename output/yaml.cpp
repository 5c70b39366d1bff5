// `--output yaml` and `yaml-stream`, byte for byte as the AWS CLI v2 prints
// them. The AWS CLI dumps with ruamel.yaml (typ="safe", block style), whose
// output is produced by libyaml's emitter: mapping keys sorted, sequences not
// indented under their key, lines folded at spaces past column 80, strings
// quoted when YAML 1.2 would read them as another type. This file follows the
// emitter's rules for those choices; top-level scalars print as JSON.
#include <algorithm>
#include <cmath>
#include <regex>
#include <vector>

#include "output/render.hpp"
#include "core/pyformat.hpp"

namespace ecsctl {
namespace {

constexpr int k_best_width = 80;
constexpr int k_best_indent = 2;

bool is_break(char32_t c) { return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_blankz(char32_t c) { return c == ' ' || c == '\t' || c == 0 || is_break(c); }
bool is_printable(char32_t c) {
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}

// Whether a plain scalar `s` would be read back as a string under ruamel's
// YAML 1.2 implicit resolvers (else it must be quoted to stay a string).
bool resolves_to_string(const std::string& s) {
  static const std::regex k_bool("true|True|TRUE|false|False|FALSE");
  static const std::regex k_float(
      "[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
      "|[-+]?\\.[0-9_]+([eE][-+][0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  static const std::regex k_int("[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+");
  static const std::regex k_timestamp(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \\t]+)[0-9][0-9]?"
      ":[0-9]{2}:[0-9]{2}(\\.[0-9]*)?([ \\t]*(Z|[-+][0-9][0-9]?(:[0-9]{2})?))?");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return false;
  if (s == "<<" || s == "=" || s == "!" || s == "&" || s == "*") return false;
  const char c = s[0];
  if (std::string_view("tTfF").find(c) != std::string_view::npos && std::regex_match(s, k_bool))
    return false;
  const bool numeric_start = std::string_view("-+0123456789.").find(c) != std::string_view::npos;
  if (numeric_start && std::regex_match(s, k_float)) return false;
  if (numeric_start && c != '.' && std::regex_match(s, k_int)) return false;
  if (c >= '0' && c <= '9' && std::regex_match(s, k_timestamp)) return false;
  return true;
}

// What libyaml's scalar analysis finds out about a string.
struct ScalarInfo {
  std::u32string text;
  std::size_t bytes = 0;
  bool multiline = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
};

bool starts_with_run(const std::u32string& t, char32_t c) {
  return t.size() >= 3 && t[0] == c && t[1] == c && t[2] == c;
}

ScalarInfo analyze(const std::string& utf8) {
  ScalarInfo info;
  info.bytes = utf8.size();
  for (std::size_t i = 0; i < utf8.size();) info.text.push_back(pyfmt::next_code_point(utf8, i));
  const std::u32string& t = info.text;
  if (t.empty()) return info;
  bool block_ind = starts_with_run(t, '-') || starts_with_run(t, '.');
  bool breaks = false, special = false, leading_space = false, leading_break = false;
  bool trailing_space = false, trailing_break = false, break_space = false, space_break = false;
  bool preceded_by_ws = true, prev_space = false, prev_break = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char32_t c = t[i];
    const bool followed_by_ws = i + 1 >= t.size() || is_blankz(t[i + 1]);
    if (i == 0) {
      if (std::u32string_view(U"#,[]{}&*!|>'\"%@`").find(c) != std::u32string_view::npos) block_ind = true;
      if ((c == '?' || c == ':' || c == '-') && followed_by_ws) block_ind = true;
    } else {
      if (c == ':' && followed_by_ws) block_ind = true;
      if (c == '#' && preceded_by_ws) block_ind = true;
    }
    if (!is_printable(c)) special = true;
    if (is_break(c)) breaks = true;
    const bool last = i + 1 == t.size();
    if (c == ' ') {
      leading_space |= i == 0;
      trailing_space |= last;
      break_space |= prev_break;
      prev_space = true;
      prev_break = false;
    } else if (is_break(c)) {
      leading_break |= i == 0;
      trailing_break |= last;
      space_break |= prev_space;
      prev_space = false;
      prev_break = true;
    } else {
      prev_space = prev_break = false;
    }
    preceded_by_ws = is_blankz(c);
  }
  info.multiline = breaks;
  if (leading_space || leading_break || trailing_space || trailing_break || break_space ||
      space_break || special || breaks || block_ind)
    info.block_plain_allowed = false;
  if (break_space || space_break || special) info.single_quoted_allowed = false;
  return info;
}

enum class Style { plain, single_quoted, double_quoted };

class YamlEmitter {
 public:
  std::string m_out;

  void document(const Json& root) {
    node(root, Ctx{});
    write_indent();  // the document's final line break
  }

 private:
  struct Ctx {
    bool mapping = false;
    bool simple_key = false;
  };
  int m_column = 0;
  int m_indent = -1;
  std::vector<int> m_indents;
  bool m_whitespace = true;
  bool m_indention = true;

  void put(char c) {
    m_out += c;
    ++m_column;
  }
  void put_break() {
    m_out += '\n';
    m_column = 0;
  }
  void write(char32_t c) {
    pyfmt::append_utf8(m_out, c);
    ++m_column;
  }
  void increase_indent(bool flow, bool indentless) {
    m_indents.push_back(m_indent);
    if (m_indent < 0) m_indent = flow ? k_best_indent : 0;
    else if (!indentless) m_indent += k_best_indent;
  }
  void pop_indent() {
    m_indent = m_indents.back();
    m_indents.pop_back();
  }
  void write_indent() {
    const int indent = std::max(m_indent, 0);
    if (!m_indention || m_column > indent || (m_column == indent && !m_whitespace)) put_break();
    while (m_column < indent) put(' ');
    m_whitespace = m_indention = true;
  }
  void write_indicator(const char* text, bool need_ws, bool is_ws, bool is_indention) {
    if (need_ws && !m_whitespace) put(' ');
    for (const char* p = text; *p; ++p) put(*p);
    m_whitespace = is_ws;
    m_indention = m_indention && is_indention;
  }

  void node(const Json& v, Ctx ctx) {
    if (v.is_array()) {
      if (v.empty()) return empty_collection("[", "]");
      return block_sequence(v, ctx);
    }
    if (v.is_object()) {
      if (v.empty()) return empty_collection("{", "}");
      return block_mapping(v);
    }
    if (v.is_string()) return scalar(pyfmt::sanitize_utf8(v.get_ref<const std::string&>()), true, ctx);
    scalar(plain_form(v), false, ctx);
  }

  // ruamel's representation of a non-string scalar (always emitted plain).
  static std::string plain_form(const Json& v) {
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_null()) return "null";
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      return pyfmt::float_repr(d);
    }
    return pyfmt::str(v);
  }

  void empty_collection(const char* open, const char* close) {
    write_indicator(open, true, true, false);
    write_indicator(close, false, false, false);
  }

  void block_sequence(const Json& v, Ctx ctx) {
    increase_indent(false, ctx.mapping && !m_indention);
    for (const auto& item : v) {
      write_indent();
      write_indicator("-", true, false, true);
      node(item, Ctx{});
    }
    pop_indent();
  }

  void block_mapping(const Json& v) {
    std::vector<std::pair<std::string, const Json*>> items;
    for (auto it = v.begin(); it != v.end(); ++it)
      items.emplace_back(pyfmt::sanitize_utf8(it.key()), &it.value());
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    increase_indent(false, false);
    for (const auto& [key, value] : items) {
      write_indent();
      ScalarInfo info = analyze(key);
      if (!info.multiline && info.bytes <= 128) {
        scalar_analyzed(info, resolves_to_string(key), Ctx{true, true});
        write_indicator(":", false, false, false);
      } else {
        write_indicator("?", true, false, true);
        scalar_analyzed(info, resolves_to_string(key), Ctx{true, false});
        write_indent();
        write_indicator(":", true, false, true);
      }
      node(*value, Ctx{true, false});
    }
    pop_indent();
  }

  void scalar(const std::string& text, bool is_string, Ctx ctx) {
    scalar_analyzed(analyze(text), !is_string || resolves_to_string(text), ctx);
  }

  void scalar_analyzed(const ScalarInfo& info, bool plain_implicit, Ctx ctx) {
    Style style = Style::plain;
    if (ctx.simple_key && info.multiline) style = Style::double_quoted;
    if (style == Style::plain &&
        (!info.block_plain_allowed || (info.text.empty() && ctx.simple_key) || !plain_implicit))
      style = Style::single_quoted;
    if (style == Style::single_quoted && !info.single_quoted_allowed) style = Style::double_quoted;
    increase_indent(true, false);
    const bool allow_breaks = !ctx.simple_key;
    if (style == Style::plain) write_plain(info.text, allow_breaks);
    else if (style == Style::single_quoted) write_single_quoted(info.text, allow_breaks);
    else write_double_quoted(info.text, allow_breaks);
    pop_indent();
  }

  void write_plain(const std::u32string& t, bool allow_breaks) {
    if (!m_whitespace && !t.empty()) put(' ');
    bool spaces = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == ' ') {
        if (allow_breaks && !spaces && m_column > k_best_width && !(i + 1 < t.size() && t[i + 1] == ' '))
          write_indent();
        else
          write(t[i]);
        spaces = true;
      } else {
        write(t[i]);
        m_indention = false;
        spaces = false;
      }
    }
    m_whitespace = m_indention = false;
  }

  void write_break(char32_t c) {
    if (c == '\n') put_break();
    else {
      pyfmt::append_utf8(m_out, c);
      m_column = 0;
    }
  }

  void write_single_quoted(const std::u32string& t, bool allow_breaks) {
    write_indicator("'", true, false, false);
    bool spaces = false, breaks = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char32_t c = t[i];
      if (c == ' ') {
        if (allow_breaks && !spaces && m_column > k_best_width && i != 0 && i + 1 != t.size() &&
            t[i + 1] != ' ')
          write_indent();
        else
          write(c);
        spaces = true;
      } else if (is_break(c)) {
        if (!breaks && c == '\n') put_break();
        write_break(c);
        m_indention = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        if (c == '\'') put('\'');
        write(c);
        m_indention = false;
        spaces = breaks = false;
      }
    }
    if (breaks) write_indent();
    write_indicator("'", false, false, false);
    m_whitespace = m_indention = false;
  }

  void write_escape(char32_t c) {
    put('\\');
    const char* simple = nullptr;
    switch (c) {
      case 0x00: simple = "0"; break;
      case 0x07: simple = "a"; break;
      case 0x08: simple = "b"; break;
      case 0x09: simple = "t"; break;
      case 0x0A: simple = "n"; break;
      case 0x0B: simple = "v"; break;
      case 0x0C: simple = "f"; break;
      case 0x0D: simple = "r"; break;
      case 0x1B: simple = "e"; break;
      case 0x22: simple = "\""; break;
      case 0x5C: simple = "\\"; break;
      case 0x85: simple = "N"; break;
      case 0xA0: simple = "_"; break;
      case 0x2028: simple = "L"; break;
      case 0x2029: simple = "P"; break;
      default: break;
    }
    if (simple) return put(*simple);
    const int digits = c <= 0xFF ? 2 : c <= 0xFFFF ? 4 : 8;
    put(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
    for (int k = (digits - 1) * 4; k >= 0; k -= 4) put("0123456789ABCDEF"[(c >> k) & 0xF]);
  }

  void write_double_quoted(const std::u32string& t, bool allow_breaks) {
    write_indicator("\"", true, false, false);
    bool spaces = false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char32_t c = t[i];
      if (!is_printable(c) || c == 0xFEFF || is_break(c) || c == '"' || c == '\\') {
        write_escape(c);
        spaces = false;
      } else if (c == ' ') {
        if (allow_breaks && !spaces && m_column > k_best_width && i != 0 && i + 1 != t.size()) {
          write_indent();
          if (i + 1 < t.size() && t[i + 1] == ' ') put('\\');
        } else {
          write(c);
        }
        spaces = true;
      } else {
        write(c);
        spaces = false;
      }
    }
    write_indicator("\"", false, false, false);
    m_whitespace = m_indention = false;
  }
};

std::string dump(const Json& value) {
  // Scalars at the top print as JSON: YAML would end them with "...".
  if (!value.is_array() && !value.is_object()) {
    std::string json = render_json(value);
    return json;
  }
  YamlEmitter e;
  e.document(value);
  return e.m_out;
}

}  // namespace

std::string render_yaml(const Json& value) { return dump(value); }

std::string render_yaml_stream(const Json& value) { return dump(Json::array({value})); }

}  // namespace ecsctl
