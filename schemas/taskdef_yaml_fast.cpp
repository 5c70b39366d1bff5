// A fast path for the YAML that task definitions are written in: block
// mappings and sequences of one-line plain and quoted scalars, comments, and
// one-line flow sequences of scalars. It builds exactly the tree (kinds, texts,
// plain flags, positions) that the yaml-cpp event handler in taskdef_source.cpp
// builds, about ten times faster. Anything else -- anchors, aliases, tags, block
// scalars, multi-line scalars, directives, document markers, tabs, flow maps,
// unusual escapes, any error -- answers "not handled" and the caller runs
// yaml-cpp on the whole text, so every message about malformed input still
// comes from there. tests/unit/schemas/test_taskdef_yaml_fast.cpp checks the two
// agree; fuzz_taskdef does so on every input the fast path takes.
#include <optional>

#include "core/pyformat.hpp"
#include "schemas/taskdef_source.hpp"

namespace ecsctl::taskdef {
namespace {

struct NotHandled {};

// Far below the limits the yaml-cpp path enforces, so that inputs near them
// always go there and get its errors.
constexpr std::size_t k_fast_max_depth = 64;
constexpr std::size_t k_fast_max_nodes = k_max_nodes / 4;

bool is_null_text(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// Bytes the fast path never interprets: control characters other than LF and
// CR LF, DEL, and the characters yaml-cpp or YAML treat specially (NEL, LS, PS,
// a BOM inside the text).
bool plain_bytes(std::string_view t) {
  const auto* s = reinterpret_cast<const unsigned char*>(t.data());
  std::size_t n = t.size();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = s[i];
    if (c >= 0x20 && c < 0x7F) continue;
    if (c == '\n') continue;
    if (c == '\r' && i + 1 < n && s[i + 1] == '\n') continue;
    if (c < 0x80) return false;
    if (c == 0xC2 && i + 1 < n && s[i + 1] == 0x85) return false;
    if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) return false;
    if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBB && s[i + 2] == 0xBF) return false;
  }
  return true;
}

class FastYaml {
 public:
  explicit FastYaml(std::string_view t) : m_t(t), m_n(t.size()) {}

  PNode parse() {
    if (!settle()) throw NotHandled{};
    PNode root = node(0, false, true);
    if (!m_eof) throw NotHandled{};  // content after the root node
    return root;
  }

 private:
  struct Scalar {
    std::string text;
    bool plain = false;
    Pos pos;
  };

  std::string_view m_t;
  std::size_t m_n;
  std::size_t m_i = 0;           // the cursor
  std::size_t m_line_start = 0;  // offset of the cursor's line
  int m_line = 1;
  bool m_eof = false;
  std::size_t m_nodes = 0;

  char at(std::size_t i) const { return i < m_n ? m_t[i] : '\n'; }
  bool eol(std::size_t i) const { return i >= m_n || m_t[i] == '\n' || m_t[i] == '\r'; }
  bool blank_or_eol(std::size_t i) const { return eol(i) || m_t[i] == ' '; }
  std::size_t col() const { return m_i - m_line_start; }
  Pos here() const { return {m_line, static_cast<int>(col()) + 1}; }
  // yaml-cpp puts what ends at the end of the input at column 0 of the line
  // after the last newline.
  Pos eof_pos() const { return {m_line, 1}; }
  bool dash_at(std::size_t i) const { return at(i) == '-' && blank_or_eol(i + 1); }

  void count() {
    if (++m_nodes > k_fast_max_nodes) throw NotHandled{};
  }

  // From the start of a line: skips blank and comment lines and leading
  // spaces. False at the end of the input.
  bool settle() {
    for (;;) {
      std::string_view rest = m_t.substr(m_i, 3);
      if (rest == "---" || rest == "...") throw NotHandled{};  // document markers
      while (m_i < m_n && m_t[m_i] == ' ') ++m_i;
      if (!eol(m_i) && m_t[m_i] != '#') return true;
      std::size_t nl = m_t.find('\n', m_i);
      if (nl == std::string_view::npos) {
        m_i = m_n;
        m_eof = true;
        return false;
      }
      m_i = nl + 1;
      ++m_line;
      m_line_start = m_i;
    }
  }

  // After a token: the rest of the line must be spaces and maybe a comment;
  // moves to the next significant line.
  void end_line() {
    bool space = false;
    while (m_i < m_n && m_t[m_i] == ' ') { ++m_i; space = true; }
    if (!eol(m_i) && !(space && m_t[m_i] == '#')) throw NotHandled{};
    std::size_t nl = m_t.find('\n', m_i);
    if (nl == std::string_view::npos) {
      m_i = m_n;
      m_eof = true;
      return;
    }
    m_i = nl + 1;
    ++m_line;
    m_line_start = m_i;
    settle();
  }

  // Whether only spaces and maybe a comment are left on the line (the cursor
  // is moved past the spaces).
  bool rest_empty() {
    std::size_t start = m_i;
    while (m_i < m_n && m_t[m_i] == ' ') ++m_i;
    return eol(m_i) || (m_i > start && m_t[m_i] == '#');
  }

  static PNode null_at(Pos p) {
    PNode n;
    n.pos = p;
    return n;
  }

  // A node starting at the cursor. `inline_value`: right after `key:` on the
  // same line (only scalars and flow sequences). `own_line`: the node starts
  // its line (scalars there may continue on the next lines: not handled).
  PNode node(std::size_t depth, bool inline_value, bool own_line) {
    if (depth >= k_fast_max_depth) throw NotHandled{};
    char c = m_t[m_i];
    if (dash_at(m_i)) {
      if (inline_value) throw NotHandled{};
      return sequence(depth);
    }
    if (c == '[' || c == '{') {
      PNode n = flow(depth);
      end_line();
      return n;
    }
    Scalar s = scalar();
    std::size_t after = m_i;
    while (m_i < m_n && m_t[m_i] == ' ') ++m_i;
    if (at(m_i) == ':' && blank_or_eol(m_i + 1)) {
      if (inline_value) throw NotHandled{};
      return mapping(depth, std::move(s));
    }
    m_i = after;
    if (own_line) throw NotHandled{};
    count();
    end_line();
    PNode n;
    n.pos = s.pos;
    if (s.plain && is_null_text(s.text)) return n;
    n.kind = PNode::Kind::string;
    n.plain = s.plain;
    n.text = std::move(s.text);
    return n;
  }

  // The value of a `key:` or `-` whose line has nothing more: a nested block
  // node on the next lines, an indentation-less sequence (`key:` then `- a`
  // at the key's column), or null positioned where the next token starts.
  PNode block_value(std::size_t indent, std::size_t depth, bool key) {
    if (!end_line_at_eol()) {
      // yaml-cpp places this null after whatever blanks end an unterminated
      // last line, depending on how deep the node is (found by fuzz_taskdef);
      // only a last line that ends in a newline is left to this path.
      if (m_t.empty() || m_t.back() != '\n') throw NotHandled{};
      count();
      return null_at(eof_pos());
    }
    if (col() > indent || (key && col() == indent && dash_at(m_i))) return node(depth, false, true);
    count();
    return null_at(here());
  }

  // end_line() for a line already known to be empty from the cursor on; false
  // at the end of the input.
  bool end_line_at_eol() {
    end_line();
    return !m_eof;
  }

  PNode sequence(std::size_t depth) {
    std::size_t indent = col();
    count();
    PNode seq;
    seq.kind = PNode::Kind::array;
    seq.pos = here();
    for (;;) {
      ++m_i;  // the dash
      if (rest_empty()) seq.items.push_back(block_value(indent, depth + 1, false));
      else seq.items.push_back(node(depth + 1, false, false));
      if (m_eof || col() < indent) return seq;
      if (col() > indent) throw NotHandled{};
      if (!dash_at(m_i)) return seq;  // the key after an indentation-less sequence
    }
  }

  PNode mapping(std::size_t depth, Scalar first) {
    std::size_t indent = first.pos.col - 1;
    count();
    PNode map;
    map.kind = PNode::Kind::object;
    map.pos = first.pos;
    Scalar key = std::move(first);
    for (;;) {
      // The cursor is on the ':' after the key.
      count();
      if (key.text.size() > 1000) throw NotHandled{};  // YAML limits implicit keys to 1024 characters
      if (key.plain && is_null_text(key.text)) key.text.clear();
      for (const auto& k : map.keys)
        if (k.first == key.text) throw NotHandled{};  // duplicate: yaml-cpp path reports it
      ++m_i;
      map.keys.emplace_back(std::move(key.text), key.pos);
      if (rest_empty()) map.items.push_back(block_value(indent, depth + 1, true));
      else map.items.push_back(node(depth + 1, true, false));
      if (m_eof || col() < indent) return map;
      if (col() > indent || dash_at(m_i)) throw NotHandled{};
      key = scalar();
      while (m_i < m_n && m_t[m_i] == ' ') ++m_i;
      if (!(at(m_i) == ':' && blank_or_eol(m_i + 1))) throw NotHandled{};
    }
  }

  // `[a, "b", 'c']` on one line, or `[]` / `{}`.
  PNode flow(std::size_t depth) {
    if (depth + 1 >= k_fast_max_depth) throw NotHandled{};
    count();
    PNode n;
    n.pos = here();
    n.kind = m_t[m_i] == '[' ? PNode::Kind::array : PNode::Kind::object;
    ++m_i;
    while (at(m_i) == ' ') ++m_i;
    if (n.kind == PNode::Kind::object) {
      if (at(m_i) != '}') throw NotHandled{};
      ++m_i;
      return n;
    }
    if (at(m_i) == ']') {
      ++m_i;
      return n;
    }
    for (;;) {
      Scalar s = flow_scalar();
      count();
      PNode item;
      item.pos = s.pos;
      if (!(s.plain && is_null_text(s.text))) {
        item.kind = PNode::Kind::string;
        item.plain = s.plain;
        item.text = std::move(s.text);
      }
      n.items.push_back(std::move(item));
      while (at(m_i) == ' ') ++m_i;
      if (at(m_i) == ']') {
        ++m_i;
        return n;
      }
      if (at(m_i) != ',') throw NotHandled{};
      ++m_i;
      while (at(m_i) == ' ') ++m_i;
    }
  }

  Scalar flow_scalar() {
    char c = at(m_i);
    if (c == '\'' || c == '"') return quoted();
    Scalar s;
    s.pos = here();
    s.plain = true;
    if (c == '-' && !(std::isalnum(static_cast<unsigned char>(at(m_i + 1))) || at(m_i + 1) == '.')) throw NotHandled{};
    if (std::string_view("?:,[]{}#&*!|>'\"%@`").find(c) != std::string_view::npos || blank_or_eol(m_i))
      throw NotHandled{};
    std::size_t start = m_i;
    while (!eol(m_i) && m_t[m_i] != ',' && m_t[m_i] != ']') {
      if (std::string_view("[]{}:?#").find(m_t[m_i]) != std::string_view::npos) throw NotHandled{};
      ++m_i;
    }
    if (eol(m_i)) throw NotHandled{};
    std::size_t end = m_i;
    while (end > start && m_t[end - 1] == ' ') --end;
    s.text.assign(m_t.data() + start, end - start);
    return s;
  }

  // A one-line scalar in block context; the cursor ends right after it.
  Scalar scalar() {
    char c = m_t[m_i];
    if (c == '\'' || c == '"') return quoted();
    if (std::string_view("?:,[]{}#&*!|>'\"%@`").find(c) != std::string_view::npos) throw NotHandled{};
    if (c == '-' && blank_or_eol(m_i + 1)) throw NotHandled{};
    Scalar s;
    s.pos = here();
    s.plain = true;
    std::size_t start = m_i;
    while (!eol(m_i)) {
      char x = m_t[m_i];
      if (x == ':' && blank_or_eol(m_i + 1)) break;
      if (x == ' ' && at(m_i + 1) == '#') break;
      ++m_i;
    }
    std::size_t end = m_i;
    while (end > start && m_t[end - 1] == ' ') --end;
    m_i = end;
    s.text.assign(m_t.data() + start, end - start);
    return s;
  }

  Scalar quoted() {
    Scalar s;
    s.pos = here();
    char q = m_t[m_i++];
    for (;;) {
      if (eol(m_i)) throw NotHandled{};  // multi-line: folding rules, not handled
      char c = m_t[m_i];
      if (c == q) {
        if (q == '\'' && at(m_i + 1) == '\'') {
          s.text += '\'';
          m_i += 2;
          continue;
        }
        ++m_i;
        return s;
      }
      if (q == '"' && c == '\\') {
        escape(s.text);
        continue;
      }
      std::size_t j = m_i + 1;
      while (!eol(j) && m_t[j] != q && m_t[j] != '\\') ++j;
      s.text.append(m_t.data() + m_i, j - m_i);
      m_i = j;
    }
  }

  // The escapes JSON also has; the other YAML ones (\0 \a \e \N \_ \L \P \U,
  // \x, line continuation) are left to yaml-cpp.
  void escape(std::string& out) {
    char e = at(m_i + 1);
    m_i += 2;
    if (char c = short_escape(e)) {
      out += c;
      return;
    }
    if (e != 'u') throw NotHandled{};
    unsigned cp = 0;
    for (int k = 0; k < 4; ++k) {
      int d = hex_digit(at(m_i++));
      if (d < 0) throw NotHandled{};
      cp = cp * 16 + static_cast<unsigned>(d);
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) throw NotHandled{};
    pyfmt::append_utf8(out, cp);
  }
};

}  // namespace

std::optional<PNode> parse_yaml_fast(std::string_view text) {
  if (!plain_bytes(text)) return std::nullopt;
  try {
    return FastYaml(text).parse();
  } catch (const NotHandled&) {
    return std::nullopt;
  }
}

}  // namespace ecsctl::taskdef
