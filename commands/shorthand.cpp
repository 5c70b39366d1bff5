#include "commands/shorthand.hpp"

#include <vector>

namespace ecsctl::commands::shorthand {
namespace {

// Character classes of awscli.shorthand, on bytes; every byte >= 0x80 (part of
// a UTF-8 sequence) counts as a word character, as the AWS CLI's "\u007c-\uffff".
bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
bool is_ws(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool start_char(unsigned char c) {
  if (c >= 0x80) return true;
  if (c <= ' ') return false;
  return c != '"' && c != '\'' && c != ',' && c != '=' && c != '[' && c != '{' && c != 0x7f;
}
bool first_follow(unsigned char c) {
  if (is_space(c) || c >= 0x80) return true;
  if (c < ' ') return false;
  return c != '"' && c != '\'' && c != ',' && c != ']' && c != '}' && c != 0x7f;
}
bool second_follow(unsigned char c) {
  if (is_space(c) || c >= 0x80) return true;
  if (c < ' ') return false;
  return c != '"' && c != '\'' && c != ',' && c != '=' && c != 0x7f;
}
bool key_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '#' || c == '/' || c == ':';
}

std::size_t column_of(std::string_view text, std::size_t offset) {
  std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  std::size_t col = 0;
  for (std::size_t i = line_start; i < offset && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
  return col + 1;
}

std::string rstrip(std::string s) {
  while (!s.empty() && is_space(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string unescape_commas(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == ',') {
      out += ',';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size())
    out.append(s, pos, hit - pos).append(to);
  out.append(s, pos, std::string::npos);
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : m_in(text) {}

  Json parameter() {
    Json params = Json::object();
    auto [key, val] = keyval();
    params[key] = std::move(val);
    std::size_t last = m_i;
    while (m_i < m_in.size()) {
      expect(',', true);
      auto [k, v] = keyval();
      if (params.contains(k)) {
        throw ParseError("Second instance of key \"" + k + "\" encountered for input:\n" +
                             caret_excerpt(m_in, last + 1) +
                             "\nThis is often because there is a preceding \",\" instead of a space.",
                         last + 1, column_of(m_in, last + 1));
      }
      params[k] = std::move(v);
      last = m_i;
    }
    return params;
  }

 private:
  std::string_view m_in;
  std::size_t m_i = 0;

  bool eof() const { return m_i >= m_in.size(); }
  int current() const { return eof() ? -1 : static_cast<unsigned char>(m_in[m_i]); }

  [[noreturn]] void fail(std::string expected, std::string actual) const {
    throw ParseError("Expected: '" + expected + "', received: '" + actual + "' for input:\n" +
                         caret_excerpt(m_in, m_i),
                     m_i, column_of(m_in, m_i));
  }

  void skip_ws() {
    while (!eof() && is_ws(static_cast<unsigned char>(m_in[m_i]))) ++m_i;
  }

  void expect(char c, bool ws = false) {
    if (ws) skip_ws();
    if (eof()) fail(std::string(1, c), "EOF");
    if (m_in[m_i] != c) fail(std::string(1, c), std::string(1, m_in[m_i]));
    ++m_i;
    if (ws) skip_ws();
  }

  std::pair<std::string, Json> keyval() {
    std::string k = key();
    expect('=', true);
    return {k, values()};
  }

  std::string key() {
    std::size_t start = m_i;
    while (!eof() && key_char(static_cast<unsigned char>(m_in[m_i]))) ++m_i;
    return std::string(m_in.substr(start, m_i - start));
  }

  Json values() {
    if (eof()) return "";
    if (current() == '[') return explicit_list();
    if (current() == '{') return hash_literal();
    return csv_value();
  }

  // The length of a word at m_i: (\\,|[start])(\\,|[follow])*, 0 when none.
  std::size_t word_length(bool (*follow)(unsigned char)) const {
    std::size_t i = m_i;
    auto step = [&](bool (*cls)(unsigned char)) {
      if (i + 1 < m_in.size() && m_in[i] == '\\' && m_in[i + 1] == ',') return std::size_t{2};
      if (i < m_in.size() && cls(static_cast<unsigned char>(m_in[i]))) return std::size_t{1};
      return std::size_t{0};
    };
    std::size_t n = step(start_char);
    if (n == 0) return 0;
    i += n;
    while ((n = step(follow)) != 0) i += n;
    return i - m_i;
  }

  std::string plain_value() {
    std::size_t n = word_length(first_follow);
    std::string v = unescape_commas(m_in.substr(m_i, n));
    m_i += n;
    return rstrip(std::move(v));
  }

  std::string first_value() {
    if (current() == '\'' || current() == '"') return quoted(static_cast<char>(current()));
    return plain_value();
  }

  std::string second_value() {
    if (current() == '\'' || current() == '"') return quoted(static_cast<char>(current()));
    std::size_t n = word_length(second_follow);
    if (n == 0) fail("<second>", "<none>");
    std::string v = unescape_commas(m_in.substr(m_i, n));
    m_i += n;
    return rstrip(std::move(v));
  }

  // '(?:\\\\|\\'|[^'])*' as Python's backtracking regex matches it: end[p] is
  // where the closing quote is found from body position p (npos: no match).
  std::string quoted(char q) {
    const std::size_t n = m_in.size();
    const std::size_t none = std::string::npos;
    std::vector<std::size_t> end(n + 2, none);
    for (std::size_t p = n; p-- > m_i + 1;) {
      char c = m_in[p];
      if (c == q) {
        end[p] = p;
      } else if (c == '\\' && p + 1 < n && (m_in[p + 1] == '\\' || m_in[p + 1] == q)) {
        end[p] = end[p + 2] != none ? end[p + 2] : end[p + 1];
      } else {
        end[p] = end[p + 1];
      }
    }
    std::size_t close = m_i + 1 <= n ? end[m_i + 1] : none;
    if (close == none) fail(q == '\'' ? "<singled quoted>" : "<double quoted>", "<none>");
    std::string body(m_in.substr(m_i + 1, close - m_i - 1));
    m_i = close + 1;
    body = replace_all(std::move(body), std::string("\\") + q, std::string(1, q));
    return replace_all(std::move(body), "\\\\", "\\");
  }

  Json csv_value() {
    std::string first = first_value();
    skip_ws();
    if (eof() || m_in[m_i] != ',') return first;
    expect(',', true);
    Json list = Json::array({first});
    while (true) {
      try {
        std::string v = second_value();
        skip_ws();
        if (eof()) {
          list.push_back(v);
          break;
        }
        expect(',', true);
        list.push_back(v);
      } catch (const ParseError&) {
        if (eof()) throw;
        while (m_i > 0 && m_in[m_i] != ',') --m_i;  // back to the comma before the next key
        break;
      }
    }
    if (list.size() == 1) return first;
    return list;
  }

  Json explicit_values() {
    if (current() == '[') return explicit_list();
    if (current() == '{') return hash_literal();
    return first_value();
  }

  Json explicit_list() {
    expect('[', true);
    Json list = Json::array();
    while (current() != ']') {
      list.push_back(explicit_values());
      skip_ws();
      if (current() != ']') {
        expect(',');
        skip_ws();
      }
    }
    expect(']');
    return list;
  }

  Json hash_literal() {
    expect('{', true);
    Json obj = Json::object();
    while (current() != '}') {
      std::string k = key();
      expect('=', true);
      Json v = explicit_values();
      skip_ws();
      if (current() != '}') {
        expect(',');
        skip_ws();
      }
      obj[k] = std::move(v);
    }
    expect('}');
    return obj;
  }
};

}  // namespace

std::string caret_excerpt(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  std::size_t next_nl = text.find('\n', offset);
  std::string_view consumed = next_nl == std::string_view::npos ? text : text.substr(0, next_nl);
  std::string_view remaining = next_nl == std::string_view::npos ? std::string_view{} : text.substr(next_nl);
  std::string out(consumed);
  out += '\n';
  out.append(column_of(text, offset) - 1, ' ');
  out += '^';
  out += remaining;
  return out;
}

Json parse(std::string_view text) {
  Parser p(text);
  return p.parameter();
}

}  // namespace ecsctl::commands::shorthand
