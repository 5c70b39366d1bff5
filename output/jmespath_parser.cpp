// JMESPath lexer and Pratt parser. Binding powers and projection-stopping rules
// follow the specification's grammar and precedence table.
#include <charconv>
#include <limits>

#include "output/jmespath_ast.hpp"

namespace ecsctl::jmespath::detail {
namespace {

enum class Tok {
  eof, unquoted, quoted, literal, number, dot, star, flatten, filter, lbracket, rbracket,
  lbrace, rbrace, lparen, rparen, comma, colon, pipe, or_, and_, not_, expref, current,
  eq, ne, lt, le, gt, ge,
};

struct Token {
  Tok type = Tok::eof;
  std::size_t pos = 0;
  std::string text;         // identifier name
  Json value;               // literal value
  std::int64_t number = 0;  // number token
};

constexpr std::size_t k_max_depth = 256;     // nested brackets and parentheses
constexpr std::size_t k_max_tokens = 4000;   // bounds the depth of the syntax tree

int binding_power(Tok t) {
  switch (t) {
    case Tok::pipe: return 1;
    case Tok::or_: return 2;
    case Tok::and_: return 3;
    case Tok::eq: case Tok::ne: case Tok::lt: case Tok::le: case Tok::gt: case Tok::ge: return 5;
    case Tok::flatten: return 9;
    case Tok::star: return 20;
    case Tok::filter: return 21;
    case Tok::dot: return 40;
    case Tok::not_: return 45;
    case Tok::lbrace: return 50;
    case Tok::lbracket: return 55;
    case Tok::lparen: return 60;
    default: return 0;
  }
}

const char* token_name(Tok t) {
  static const char* const names[] = {
      "end of expression", "identifier", "quoted identifier", "literal", "number", "'.'", "'*'",
      "'[]'", "'[?'", "'['", "']'", "'{'", "'}'", "'('", "')'", "','", "':'", "'|'", "'||'",
      "'&&'", "'!'", "'&'", "'@'", "'=='", "'!='", "'<'", "'<='", "'>'", "'>='"};
  return names[static_cast<int>(t)];
}

[[noreturn]] void syntax_error(std::string message, std::size_t pos) {
  throw Error(ErrorKind::syntax, std::move(message), pos);
}

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
        ++m_i;
      if (m_i >= m_s.size()) break;
      out.push_back(next());
      if (out.size() > k_max_tokens) syntax_error("expression too long", out.back().pos);
    }
    Token eof;
    eof.pos = m_s.size();
    out.push_back(std::move(eof));
    return out;
  }

 private:
  Token make(Tok t, std::size_t pos, std::size_t len) {
    Token tok;
    tok.type = t;
    tok.pos = pos;
    m_i = pos + len;
    return tok;
  }
  bool peek(std::size_t ahead, char c) const { return m_i + ahead < m_s.size() && m_s[m_i + ahead] == c; }

  Token next() {
    const std::size_t p = m_i;
    const char c = m_s[p];
    switch (c) {
      case '.': return make(Tok::dot, p, 1);
      case '*': return make(Tok::star, p, 1);
      case ']': return make(Tok::rbracket, p, 1);
      case ',': return make(Tok::comma, p, 1);
      case ':': return make(Tok::colon, p, 1);
      case '@': return make(Tok::current, p, 1);
      case '(': return make(Tok::lparen, p, 1);
      case ')': return make(Tok::rparen, p, 1);
      case '{': return make(Tok::lbrace, p, 1);
      case '}': return make(Tok::rbrace, p, 1);
      case '[':
        if (peek(1, ']')) return make(Tok::flatten, p, 2);
        if (peek(1, '?')) return make(Tok::filter, p, 2);
        return make(Tok::lbracket, p, 1);
      case '|': return peek(1, '|') ? make(Tok::or_, p, 2) : make(Tok::pipe, p, 1);
      case '&': return peek(1, '&') ? make(Tok::and_, p, 2) : make(Tok::expref, p, 1);
      case '!': return peek(1, '=') ? make(Tok::ne, p, 2) : make(Tok::not_, p, 1);
      case '<': return peek(1, '=') ? make(Tok::le, p, 2) : make(Tok::lt, p, 1);
      case '>': return peek(1, '=') ? make(Tok::ge, p, 2) : make(Tok::gt, p, 1);
      case '=':
        if (peek(1, '=')) return make(Tok::eq, p, 2);
        syntax_error("unexpected '=' (did you mean '=='?)", p);
      case '"': return quoted_identifier();
      case '\'': return raw_string();
      case '`': return literal();
      default: break;
    }
    if (is_ident_start(c)) {
      std::size_t e = p;
      while (e < m_s.size() && is_ident_char(m_s[e])) ++e;
      Token t = make(Tok::unquoted, p, e - p);
      t.text = std::string(m_s.substr(p, e - p));
      return t;
    }
    if (is_digit(c) || (c == '-' && m_i + 1 < m_s.size() && is_digit(m_s[m_i + 1]))) return number();
    if (c == '-') syntax_error("'-' must be followed by a digit", p);
    syntax_error(std::string("unexpected character '") + c + "'", p);
  }

  Token number() {
    const std::size_t p = m_i;
    std::size_t e = p + 1;
    while (e < m_s.size() && is_digit(m_s[e])) ++e;
    Token t = make(Tok::number, p, e - p);
    // Saturate huge indices: they are out of range of any array anyway.
    constexpr std::int64_t k_limit = std::numeric_limits<std::int64_t>::max() / 4;
    auto [ptr, ec] = std::from_chars(m_s.data() + p, m_s.data() + e, t.number);
    (void)ptr;
    if (ec != std::errc() || t.number > k_limit || t.number < -k_limit)
      t.number = m_s[p] == '-' ? -k_limit : k_limit;
    return t;
  }

  // Scans to the closing `delim` (a backslash escapes the next character);
  // returns the raw text between the delimiters.
  std::string_view delimited(char delim, const char* what) {
    const std::size_t p = m_i;
    std::size_t e = p + 1;
    while (e < m_s.size() && m_s[e] != delim) e += (m_s[e] == '\\' && e + 1 < m_s.size()) ? 2 : 1;
    if (e >= m_s.size()) syntax_error(std::string("unterminated ") + what, p);
    m_i = e + 1;
    return m_s.substr(p + 1, e - p - 1);
  }

  Token quoted_identifier() {
    const std::size_t p = m_i;
    std::string_view body = delimited('"', "quoted identifier");
    Token t;
    t.type = Tok::quoted;
    t.pos = p;
    try {
      Json s = Json::parse("\"" + std::string(body) + "\"");
      t.text = s.get<std::string>();
    } catch (const Json::exception&) {
      syntax_error("invalid quoted identifier (not a valid JSON string)", p);
    }
    return t;
  }

  // `body` with each backslash-escaped `quote` turned into the quote itself;
  // every other backslash is kept (raw strings and JSON literals alike).
  static std::string unescape_delimiter(std::string_view body, char quote) {
    std::string s;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == quote) {
        s += quote;
        ++i;
      } else {
        s += body[i];
      }
    }
    return s;
  }

  Token raw_string() {
    const std::size_t p = m_i;
    std::string s = unescape_delimiter(delimited('\'', "raw string literal"), '\'');
    Token t;
    t.type = Tok::literal;
    t.pos = p;
    t.value = std::move(s);
    return t;
  }

  Token literal() {
    const std::size_t p = m_i;
    std::string s = unescape_delimiter(delimited('`', "JSON literal"), '`');
    Token t;
    t.type = Tok::literal;
    t.pos = p;
    if (auto v = Json::parse(s, nullptr, false); !v.is_discarded()) {
      t.value = std::move(v);
      return t;
    }
    // Legacy form kept by the AWS CLI: `foo` is the string "foo".
    std::size_t lead = s.find_first_not_of(" \t\n\r");
    std::string legacy = "\"" + (lead == std::string::npos ? std::string() : s.substr(lead)) + "\"";
    if (auto v = Json::parse(legacy, nullptr, false); !v.is_discarded()) {
      t.value = std::move(v);
      return t;
    }
    syntax_error("invalid JSON literal", p);
  }

  std::string_view m_s;
  std::size_t m_i = 0;
};

using NodePtr = std::unique_ptr<Node>;

NodePtr make_node(NodeType type) {
  auto n = std::make_unique<Node>();
  n->type = type;
  return n;
}

NodePtr make_node(NodeType type, NodePtr a, NodePtr b = nullptr) {
  auto n = make_node(type);
  n->children.push_back(std::move(a));
  if (b) n->children.push_back(std::move(b));
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : m_tokens(Lexer(s).run()) {}

  NodePtr run() {
    NodePtr n = expression(0);
    if (cur().type != Tok::eof)
      syntax_error(std::string("unexpected ") + token_name(cur().type), cur().pos);
    return n;
  }

 private:
  const Token& cur() const { return m_tokens[m_pos]; }
  const Token& ahead(std::size_t n) const {
    return m_tokens[std::min(m_pos + n, m_tokens.size() - 1)];
  }
  void advance() {
    if (m_pos + 1 < m_tokens.size()) ++m_pos;
  }
  void expect(Tok t) {
    if (cur().type != t)
      syntax_error(std::string("expected ") + token_name(t) + ", found " + token_name(cur().type), cur().pos);
    advance();
  }

  NodePtr expression(int bp) {
    if (++m_depth > k_max_depth) syntax_error("expression nested too deeply", cur().pos);
    const Token& tok = cur();
    advance();
    NodePtr left = nud(tok);
    while (bp < binding_power(cur().type)) {
      const Token& op = cur();
      advance();
      left = led(op, std::move(left));
    }
    --m_depth;
    return left;
  }

  NodePtr nud(const Token& tok) {
    switch (tok.type) {
      case Tok::literal: {
        auto n = make_node(NodeType::literal);
        n->value = tok.value;
        return n;
      }
      case Tok::unquoted: return field(tok.text);
      case Tok::quoted:
        if (cur().type == Tok::lparen) syntax_error("a function name cannot be quoted", tok.pos);
        return field(tok.text);
      case Tok::current: return make_node(NodeType::current);
      case Tok::expref: return make_node(NodeType::expref, expression(binding_power(Tok::expref)));
      case Tok::not_: return make_node(NodeType::not_expr, expression(binding_power(Tok::not_)));
      case Tok::star:
        return make_node(NodeType::value_projection, make_node(NodeType::current),
                         projection_rhs(binding_power(Tok::star)));
      case Tok::filter: return filter(make_node(NodeType::current));
      case Tok::flatten:
        return make_node(NodeType::projection, make_node(NodeType::flatten, make_node(NodeType::current)),
                         projection_rhs(binding_power(Tok::flatten)));
      case Tok::lbrace: return multi_hash();
      case Tok::lparen: {
        NodePtr n = expression(0);
        expect(Tok::rparen);
        return n;
      }
      case Tok::lbracket:
        if (cur().type == Tok::number || cur().type == Tok::colon)
          return project_if_slice(make_node(NodeType::current), index_or_slice());
        if (cur().type == Tok::star && ahead(1).type == Tok::rbracket) {
          advance();
          advance();
          return make_node(NodeType::projection, make_node(NodeType::current),
                           projection_rhs(binding_power(Tok::star)));
        }
        return multi_list();
      default:
        syntax_error(std::string("unexpected ") + token_name(tok.type), tok.pos);
    }
  }

  NodePtr led(const Token& tok, NodePtr left) {
    switch (tok.type) {
      case Tok::dot:
        if (cur().type == Tok::star) {
          advance();
          return make_node(NodeType::value_projection, std::move(left),
                           projection_rhs(binding_power(Tok::dot)));
        }
        return make_node(NodeType::subexpression, std::move(left), dot_rhs(binding_power(Tok::dot)));
      case Tok::pipe: return make_node(NodeType::pipe, std::move(left), expression(binding_power(Tok::pipe)));
      case Tok::or_: return make_node(NodeType::or_expr, std::move(left), expression(binding_power(Tok::or_)));
      case Tok::and_: return make_node(NodeType::and_expr, std::move(left), expression(binding_power(Tok::and_)));
      case Tok::eq: return comparator(Comparator::eq, std::move(left));
      case Tok::ne: return comparator(Comparator::ne, std::move(left));
      case Tok::lt: return comparator(Comparator::lt, std::move(left));
      case Tok::le: return comparator(Comparator::le, std::move(left));
      case Tok::gt: return comparator(Comparator::gt, std::move(left));
      case Tok::ge: return comparator(Comparator::ge, std::move(left));
      case Tok::lparen: return function_call(std::move(left), tok.pos);
      case Tok::filter: return filter(std::move(left));
      case Tok::flatten:
        return make_node(NodeType::projection, make_node(NodeType::flatten, std::move(left)),
                         projection_rhs(binding_power(Tok::flatten)));
      case Tok::lbracket:
        if (cur().type == Tok::number || cur().type == Tok::colon)
          return project_if_slice(std::move(left), index_or_slice());
        if (cur().type != Tok::star)
          syntax_error(std::string("expected an index, a slice or '*' after '[', found ") + token_name(cur().type),
                       cur().pos);
        advance();
        expect(Tok::rbracket);
        return make_node(NodeType::projection, std::move(left), projection_rhs(binding_power(Tok::star)));
      default:
        syntax_error(std::string("unexpected ") + token_name(tok.type), tok.pos);
    }
  }

  static NodePtr field(const std::string& name) {
    auto n = make_node(NodeType::field);
    n->name = name;
    return n;
  }

  NodePtr comparator(Comparator op, NodePtr left) {
    auto n = make_node(NodeType::comparator, std::move(left), expression(binding_power(Tok::eq)));
    n->op = op;
    return n;
  }

  // After `[?`: the condition, `]`, then what the projection applies.
  NodePtr filter(NodePtr left) {
    NodePtr cond = expression(0);
    expect(Tok::rbracket);
    NodePtr right = cur().type == Tok::flatten ? make_node(NodeType::current)
                                               : projection_rhs(binding_power(Tok::filter));
    auto n = make_node(NodeType::filter_projection, std::move(left), std::move(right));
    n->children.push_back(std::move(cond));
    return n;
  }

  // What follows a projection: nothing (a token that stops it), `[...]`, `[?`, or `.rhs`.
  NodePtr projection_rhs(int bp) {
    const Tok t = cur().type;
    if (binding_power(t) < 10) return make_node(NodeType::current);
    if (t == Tok::lbracket || t == Tok::filter) return expression(bp);
    if (t == Tok::dot) {
      advance();
      return dot_rhs(bp);
    }
    syntax_error(std::string("unexpected ") + token_name(t) + " after a projection", cur().pos);
  }

  NodePtr dot_rhs(int bp) {
    const Tok t = cur().type;
    if (t == Tok::unquoted || t == Tok::quoted || t == Tok::star) return expression(bp);
    if (t == Tok::lbracket) {
      advance();
      return multi_list();
    }
    if (t == Tok::lbrace) {
      advance();
      return multi_hash();
    }
    syntax_error(std::string("expected an identifier, '*', '[' or '{' after '.', found ") + token_name(t),
                 cur().pos);
  }

  // After `[` when a number or ':' follows: `n]` or a slice `a:b:c]`.
  NodePtr index_or_slice() {
    if (cur().type == Tok::number && ahead(1).type == Tok::rbracket) {
      auto n = make_node(NodeType::index);
      n->index = cur().number;
      advance();
      advance();
      return n;
    }
    auto n = make_node(NodeType::slice);
    int part = 0;
    bool after_number = false;
    std::optional<std::size_t> zero_step;
    while (cur().type != Tok::rbracket) {
      if (cur().type == Tok::colon) {
        if (++part > 2) syntax_error("too many ':' in slice", cur().pos);
        after_number = false;
      } else if (cur().type == Tok::number && !after_number) {
        n->slice[part] = cur().number;
        if (part == 2 && cur().number == 0) zero_step = cur().pos;
        after_number = true;
      } else {
        syntax_error(std::string("expected a number, ':' or ']' in slice, found ") + token_name(cur().type),
                     cur().pos);
      }
      advance();
    }
    advance();
    if (zero_step) throw Error(ErrorKind::invalid_value, "slice step cannot be 0", *zero_step);
    return n;
  }

  NodePtr project_if_slice(NodePtr left, NodePtr right) {
    const bool is_slice = right->type == NodeType::slice;
    NodePtr idx = make_node(NodeType::index_expression, std::move(left), std::move(right));
    if (!is_slice) return idx;
    return make_node(NodeType::projection, std::move(idx), projection_rhs(binding_power(Tok::star)));
  }

  NodePtr multi_list() {
    auto n = make_node(NodeType::multi_list);
    while (true) {
      n->children.push_back(expression(0));
      if (cur().type == Tok::rbracket) break;
      expect(Tok::comma);
    }
    advance();
    return n;
  }

  NodePtr multi_hash() {
    auto n = make_node(NodeType::multi_hash);
    while (true) {
      if (cur().type != Tok::unquoted && cur().type != Tok::quoted)
        syntax_error(std::string("expected a key name, found ") + token_name(cur().type), cur().pos);
      n->keys.push_back(cur().text);
      advance();
      expect(Tok::colon);
      n->children.push_back(expression(0));
      if (cur().type == Tok::rbrace) break;
      expect(Tok::comma);
    }
    advance();
    return n;
  }

  NodePtr function_call(NodePtr name, std::size_t paren_pos) {
    if (name->type != NodeType::field) syntax_error("'(' must follow a function name", paren_pos);
    auto n = make_node(NodeType::function);
    n->name = name->name;
    const std::size_t name_pos = m_tokens[m_pos - 2].pos;
    if (cur().type != Tok::rparen) {
      while (true) {
        n->children.push_back(expression(0));
        if (cur().type == Tok::rparen) break;
        expect(Tok::comma);
      }
    }
    advance();
    n->function = find_function(n->name);  // checked with the arity when evaluated
    n->pos = name_pos;
    return n;
  }

  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  std::size_t m_depth = 0;
};

}  // namespace

std::unique_ptr<Node> parse(std::string_view expression) { return Parser(expression).run(); }

}  // namespace ecsctl::jmespath::detail
