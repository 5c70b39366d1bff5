#include "schemas/taskdef_source.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cstring>
#include <map>
#include <sstream>

#include "core/pyformat.hpp"

namespace ecsctl::taskdef {

const PNode* PNode::find(std::string_view key) const {
  if (kind != Kind::object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i].first == key) return &items[i];
  return nullptr;
}

std::string_view source_line(std::string_view text, int line) {
  if (line < 1) return {};
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = text.find('\n', start);
  std::string_view s = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

static Pos pos_of_offset(std::string_view text, std::size_t off) {
  Pos p{1, 1};
  for (std::size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') { ++p.line; p.col = 1; }
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++p.col;
  }
  return p;
}

Pos find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t len = 0;
    unsigned cp = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return pos_of_offset(text, i);
    if (i + len > n) return pos_of_offset(text, i);
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return pos_of_offset(text, i);
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return pos_of_offset(text, i);
    i += len;
  }
  return {};
}

static bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void resolve_plain(PNode& n) {
  if (!n.plain) return;
  n.plain = false;
  const std::string& t = n.text;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") { n.kind = PNode::Kind::null; return; }
  if (t == "true" || t == "True" || t == "TRUE" || t == "false" || t == "False" || t == "FALSE") {
    n.kind = PNode::Kind::boolean;
    n.text = (t[0] == 't' || t[0] == 'T') ? "true" : "false";
    return;
  }
  std::string_view v = t;
  std::string_view body = (v[0] == '-' || v[0] == '+') ? v.substr(1) : v;
  if (all_digits(body)) {
    long long x = 0;
    auto r = std::from_chars(v.data() + (v[0] == '+' ? 1 : 0), v.data() + v.size(), x);
    n.kind = r.ec == std::errc{} ? PNode::Kind::integer : PNode::Kind::number;
    if (v[0] == '+') n.text = std::string(body);
    return;
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o')) {
    long long x = 0;
    auto r = std::from_chars(body.data() + 2, body.data() + body.size(), x, body[1] == 'x' ? 16 : 8);
    if (r.ec == std::errc{} && r.ptr == body.data() + body.size()) {
      n.kind = PNode::Kind::integer;
      n.text = std::to_string(v[0] == '-' ? -x : x);
    }
    return;
  }
  // Floats: [-+]? ( . digits | digits ( . digits* )? ) ( [eE] [-+]? digits )?
  std::size_t i = 0;
  bool digits = false;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) { ++i; digits = true; }
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) { ++i; digits = true; }
  }
  if (digits && i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    bool exp = false;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) { ++i; exp = true; }
    if (!exp) return;
  }
  if (digits && i == body.size()) n.kind = PNode::Kind::number;
}

char short_escape(char letter) {
  switch (letter) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


// ---------------------------------------------------------------- JSON

namespace {

class JsonParser {
 public:
  explicit JsonParser(std::string_view t) : m_t(t) {}

  PNode parse() {
    skip_ws();
    PNode root = value(0);
    skip_ws();
    if (m_i < m_t.size()) fail("unexpected content after the JSON document");
    return root;
  }

 private:
  std::string_view m_t;
  std::size_t m_i = 0;
  int m_line = 1, m_col = 1;
  std::size_t m_nodes = 0;

  [[noreturn]] void fail(const std::string& msg) { throw ParseError(msg, Pos{m_line, m_col}); }
  Pos here() const { return {m_line, m_col}; }
  char peek() const { return m_i < m_t.size() ? m_t[m_i] : '\0'; }
  void adv() {
    if (m_t[m_i] == '\n') { ++m_line; m_col = 1; }
    else if ((static_cast<unsigned char>(m_t[m_i]) & 0xC0) != 0x80) ++m_col;
    ++m_i;
  }
  void skip_ws() {
    while (m_i < m_t.size()) {
      char c = m_t[m_i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') adv();
      else break;
    }
  }
  void expect(char c, const char* what) {
    if (peek() != c) {
      if (m_i >= m_t.size()) fail(std::string("unexpected end of input; expected ") + what);
      fail(std::string("expected ") + what + ", found '" + std::string(1, peek()) + "'");
    }
    adv();
  }

  PNode value(std::size_t depth) {
    if (depth >= k_max_depth) fail("document nested deeper than " + std::to_string(k_max_depth) + " levels");
    if (++m_nodes > k_max_nodes) fail("document has more than " + std::to_string(k_max_nodes) + " values");
    PNode n;
    n.pos = here();
    char c = peek();
    // The helpers fill `n` in place; returning `n` itself (not their reference
    // result) moves it out instead of copying the whole subtree at every level.
    if (c == '{') { object(depth, n); return n; }
    if (c == '[') { array(depth, n); return n; }
    if (c == '"') { n.kind = PNode::Kind::string; n.text = string(); return n; }
    if (c == '$' && m_i + 1 < m_t.size() && m_t[m_i + 1] == '{') { template_token(n); return n; }
    if (c == '-' || (c >= '0' && c <= '9')) { number(n); return n; }
    for (const char* word : {"true", "false", "null"}) {
      std::size_t len = std::strlen(word);
      if (m_t.substr(m_i, len) == word) {
        for (std::size_t k = 0; k < len; ++k) adv();
        n.kind = word[0] == 'n' ? PNode::Kind::null : PNode::Kind::boolean;
        n.text = word[0] == 'n' ? "" : word;
        return n;
      }
    }
    if (m_i >= m_t.size()) fail("unexpected end of input; expected a value");
    fail(std::string("unexpected character '") + c + "'; expected a value");
  }

  PNode& object(std::size_t depth, PNode& n) {
    n.kind = PNode::Kind::object;
    adv();
    skip_ws();
    if (peek() == '}') { adv(); return n; }
    for (;;) {
      skip_ws();
      Pos kp = here();
      if (peek() != '"') fail("expected a quoted key");
      std::string key = string();
      for (const auto& k : n.keys)
        if (k.first == key) throw ParseError("duplicate key '" + key + "'", kp);
      skip_ws();
      expect(':', "':'");
      skip_ws();
      n.keys.emplace_back(std::move(key), kp);
      n.items.push_back(value(depth + 1));
      skip_ws();
      if (peek() == ',') { adv(); continue; }
      expect('}', "',' or '}'");
      return n;
    }
  }

  PNode& array(std::size_t depth, PNode& n) {
    n.kind = PNode::Kind::array;
    adv();
    skip_ws();
    if (peek() == ']') { adv(); return n; }
    for (;;) {
      skip_ws();
      n.items.push_back(value(depth + 1));
      skip_ws();
      if (peek() == ',') { adv(); continue; }
      expect(']', "',' or ']'");
      return n;
    }
  }

  PNode& number(PNode& n) {
    std::size_t start = m_i;
    if (peek() == '-') adv();
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("invalid number");
    while (std::isdigit(static_cast<unsigned char>(peek()))) adv();
    if (peek() == '.') {
      adv();
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("invalid number");
      while (std::isdigit(static_cast<unsigned char>(peek()))) adv();
    }
    if (peek() == 'e' || peek() == 'E') {
      adv();
      if (peek() == '+' || peek() == '-') adv();
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("invalid number");
      while (std::isdigit(static_cast<unsigned char>(peek()))) adv();
    }
    n.text = std::string(m_t.substr(start, m_i - start));
    n.plain = true;
    resolve_plain(n);
    if (n.kind == PNode::Kind::string) n.kind = PNode::Kind::number;
    return n;
  }

  // A bare ${...} where a value belongs: a plain scalar typed after templating.
  PNode& template_token(PNode& n) {
    std::size_t start = m_i;
    int depth = 0;
    while (m_i < m_t.size()) {
      char c = m_t[m_i];
      adv();
      if (c == '{') ++depth;
      else if (c == '}' && --depth == 0) break;
      else if (c == '\n') fail("unterminated ${");
    }
    if (depth != 0) fail("unterminated ${");
    n.text = std::string(m_t.substr(start, m_i - start));
    n.kind = PNode::Kind::string;
    n.plain = true;
    return n;
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = hex_digit(peek());
      if (d < 0) fail("invalid \\u escape");
      v = v * 16 + static_cast<unsigned>(d);
      adv();
    }
    return v;
  }

  std::string string() {
    adv();  // opening quote
    std::string out;
    for (;;) {
      if (m_i >= m_t.size()) fail("unterminated string");
      char c = m_t[m_i];
      if (c == '"') { adv(); return out; }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string (use \\n, \\t)");
      if (c != '\\') {
        // Copy a run of ordinary bytes at once.
        std::size_t j = m_i;
        while (j < m_t.size() && m_t[j] != '"' && m_t[j] != '\\' && static_cast<unsigned char>(m_t[j]) >= 0x20) ++j;
        out.append(m_t.data() + m_i, j - m_i);
        while (m_i < j) adv();
        continue;
      }
      adv();
      char e = peek();
      if (m_i >= m_t.size()) fail("unterminated string");
      adv();
      if (char c = short_escape(e)) {
        out += c;
        continue;
      }
      switch (e) {
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (peek() != '\\') fail("unpaired surrogate in \\u escape");
            adv();
            if (peek() != 'u') fail("unpaired surrogate in \\u escape");
            adv();
            unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid surrogate pair in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate in \\u escape");
          }
          pyfmt::append_utf8(out, cp);
          break;
        }
        default: fail(std::string("invalid escape '\\") + e + "'");
      }
    }
  }
};

// ---------------------------------------------------------------- YAML

class YamlBuilder : public YAML::EventHandler {
 public:
  explicit YamlBuilder(std::string_view text) : m_text(text) {}
  PNode root;
  bool has_root = false;
  // The first quoted scalar that ran over several lines: where it opens and closes.
  std::optional<std::pair<Pos, Pos>> multiline_quote;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    PNode n;
    n.pos = pos(mark);
    n.kind = PNode::Kind::null;
    add(std::move(n), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) throw ParseError("unknown alias", pos(mark));
    m_nodes += count(it->second);
    if (m_nodes > k_max_nodes) throw ParseError("aliases expand to more than " + std::to_string(k_max_nodes) + " values", pos(mark));
    PNode copy = it->second;
    add(std::move(copy), 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tag == "!") check_quote(mark);
    PNode n;
    n.pos = pos(mark);
    n.kind = PNode::Kind::string;
    n.text = value;
    n.plain = tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
              tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
    add(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, PNode::Kind::array, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, PNode::Kind::object, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    PNode node;
    YAML::anchor_t anchor = 0;
    bool have_key = false;
    std::string key;
    Pos key_pos;
  };
  std::vector<Frame> m_stack;
  std::map<YAML::anchor_t, PNode> m_anchors;
  std::size_t m_nodes = 0;

  std::string_view m_text;

  static Pos pos(const YAML::Mark& m) { return {m.line + 1, m.column + 1}; }

  // yaml-cpp ends a quoted scalar at the end of the input when a newline comes
  // first (`family: "x` then a newline is read as "x"); YAML, PyYAML and the
  // AWS CLI make that an error. A quoted scalar yaml-cpp reports must have its
  // closing quote in the text.
  void check_quote(const YAML::Mark& mark) {
    if (mark.pos < 0) return;
    std::size_t off = static_cast<std::size_t>(mark.pos);
    if (off >= m_text.size() || (m_text[off] != '"' && m_text[off] != '\'')) return;
    auto end = quote_end(m_text, off);
    if (!end) throw unclosed_quote_error(m_text, pos(mark));
    if (!multiline_quote && m_text.substr(off, *end - off).find('\n') != std::string_view::npos) {
      Pos close = pos(mark);
      for (std::size_t i = off; i < *end; ++i) {
        if (m_text[i] == '\n') {
          ++close.line;
          close.col = 1;
        } else {
          ++close.col;
        }
      }
      multiline_quote = std::make_pair(pos(mark), close);
    }
  }
  static std::size_t count(const PNode& n) {
    std::size_t c = 1;
    for (const auto& i : n.items) c += count(i);
    return c;
  }

  void open(const YAML::Mark& mark, PNode::Kind kind, YAML::anchor_t anchor) {
    if (m_stack.size() >= k_max_depth)
      throw ParseError("document nested deeper than " + std::to_string(k_max_depth) + " levels", pos(mark));
    if (!m_stack.empty() && m_stack.back().node.kind == PNode::Kind::object && !m_stack.back().have_key)
      throw ParseError("mapping keys must be plain strings, not lists or mappings", pos(mark));
    Frame f;
    f.node.kind = kind;
    f.node.pos = pos(mark);
    f.anchor = anchor;
    m_stack.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    if (f.node.kind == PNode::Kind::object && f.have_key)
      throw ParseError("mapping key '" + f.key + "' has no value", f.key_pos);
    add(std::move(f.node), f.anchor);
  }

  void add(PNode n, YAML::anchor_t anchor) {
    if (++m_nodes > k_max_nodes)
      throw ParseError("document has more than " + std::to_string(k_max_nodes) + " values", n.pos);
    if (anchor != 0) m_anchors[anchor] = n;
    if (m_stack.empty()) {
      root = std::move(n);
      has_root = true;
      return;
    }
    Frame& f = m_stack.back();
    if (f.node.kind == PNode::Kind::array) {
      f.node.items.push_back(std::move(n));
      return;
    }
    if (!f.have_key) {
      if (n.kind == PNode::Kind::null && !n.plain) { n.kind = PNode::Kind::string; n.text = ""; }
      for (const auto& k : f.node.keys)
        if (k.first == n.text) throw ParseError("duplicate key '" + n.text + "'", n.pos);
      f.key = std::move(n.text);
      f.key_pos = n.pos;
      f.have_key = true;
      return;
    }
    f.node.keys.emplace_back(std::move(f.key), f.key_pos);
    f.node.items.push_back(std::move(n));
    f.have_key = false;
  }
};

}  // namespace

PNode parse_yaml_full(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  YamlBuilder b(text);
  try {
    if (!parser.HandleNextDocument(b) || !b.has_root) throw ParseError("the file is empty", Pos{1, 1});
    YamlBuilder extra(text);
    if (parser.HandleNextDocument(extra))
      throw ParseError("the file holds more than one YAML document", Pos{1, 1});
  } catch (const YAML::Exception& e) {
    if (dynamic_cast<const YAML::DeepRecursion*>(&e))
      throw ParseError("document nested deeper than " + std::to_string(k_max_depth) + " levels",
                       Pos{e.mark.line + 1, e.mark.column + 1});
    throw explain_yaml_error(text, e.msg, Pos{e.mark.line + 1, e.mark.column + 1}, b.multiline_quote);
  }
  return std::move(b.root);
}

PNode parse_document(std::string_view text) {
  if (Pos bad = find_invalid_utf8(text); bad.line != 0)
    throw ParseError("invalid UTF-8 (the file must be UTF-8 text)", bad);
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) throw ParseError("the file is empty", Pos{1, 1});
  if (text.find('\0') != std::string_view::npos)
    throw ParseError("the file contains NUL bytes; it is not text", Pos{1, 1});
  if (text[i] == '{' || text[i] == '[') {
    try {
      return JsonParser(text).parse();
    } catch (const ParseError& json_error) {
      // `{"key": ...` is meant as JSON: report the JSON error. Other flow
      // collections ({a: 1}) may be YAML.
      std::size_t j = text.find_first_not_of(" \t\r\n[{", i);
      if (j == std::string_view::npos || text[j] == '"') throw;
      try {
        return parse_yaml_full(text);
      } catch (const ParseError&) {
        throw json_error;
      }
    }
  }
  if (auto fast = parse_yaml_fast(text)) return std::move(*fast);
  return parse_yaml_full(text);
}

}  // namespace ecsctl::taskdef
