// The cluster query language: a tokenizer and a recursive-descent parser into a
// small tree, evaluated against one instance's values.
#include "local/cql.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

namespace ecsctl::local {

namespace {

enum class Op { eq, ne, gt, ge, lt, le, match, nomatch, in, not_in, exists, and_, or_, not_ };

struct Token {
  std::string text;
  bool quoted = false;
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
      out.push_back({std::string(1, c)});
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t end = s.find(c, i + 1);
      if (end == std::string_view::npos) throw std::invalid_argument("unterminated quoted value");
      out.push_back({std::string(s.substr(i + 1, end - i - 1)), true});
      i = end + 1;
      continue;
    }
    static const char* k_ops[] = {"==", "!=", ">=", "<=", "=~", "!~", "&&", "||", ">", "<", "!"};
    bool matched = false;
    for (const char* op : k_ops) {
      std::string_view o(op);
      if (s.substr(i, o.size()) == o) {
        out.push_back({std::string(o)});
        i += o.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) &&
           std::string_view("()[],!=<>&|'\"").find(s[i]) == std::string_view::npos)
      ++i;
    // A value may contain '=' or '!' only as part of an operator; stop there.
    out.push_back({std::string(s.substr(start, i - start))});
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_number(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

}  // namespace

struct CqlNode {
  Op op = Op::eq;
  std::string subject;
  std::vector<std::string> values;
  std::vector<std::regex> patterns;
  std::unique_ptr<CqlNode> left, right;

  bool eval(const CqlLookup& lookup) const {
    switch (op) {
      case Op::and_: return left->eval(lookup) && right->eval(lookup);
      case Op::or_: return left->eval(lookup) || right->eval(lookup);
      case Op::not_: return !left->eval(lookup);
      default: break;
    }
    std::vector<std::string> have = lookup(subject);
    if (op == Op::exists) return !have.empty();
    auto any = [&](auto pred) { return std::any_of(have.begin(), have.end(), pred); };
    switch (op) {
      case Op::eq:
      case Op::in:
        return any([&](const std::string& h) {
          return std::find(values.begin(), values.end(), h) != values.end();
        });
      case Op::ne:
      case Op::not_in:
        return !any([&](const std::string& h) {
          return std::find(values.begin(), values.end(), h) != values.end();
        });
      case Op::match:
        return any([&](const std::string& h) {
          return std::any_of(patterns.begin(), patterns.end(),
                             [&](const std::regex& r) { return std::regex_match(h, r); });
        });
      case Op::nomatch:
        return !any([&](const std::string& h) {
          return std::any_of(patterns.begin(), patterns.end(),
                             [&](const std::regex& r) { return std::regex_match(h, r); });
        });
      default: break;
    }
    double want = 0;
    if (values.empty() || !is_number(values[0], want)) return false;
    return any([&](const std::string& h) {
      double v = 0;
      if (!is_number(h, v)) return false;
      switch (op) {
        case Op::gt: return v > want;
        case Op::ge: return v >= want;
        case Op::lt: return v < want;
        case Op::le: return v <= want;
        default: return false;
      }
    });
  }
};

namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : m_t(std::move(tokens)) {}

  std::unique_ptr<CqlNode> parse() {
    auto node = parse_or();
    if (m_i != m_t.size()) fail("unexpected '" + m_t[m_i].text + "'");
    return node;
  }

 private:
  [[noreturn]] void fail(const std::string& why) { throw std::invalid_argument(why); }
  bool at_word(const char* w) const {
    return m_i < m_t.size() && !m_t[m_i].quoted && lower(m_t[m_i].text) == w;
  }
  const Token& next() {
    if (m_i >= m_t.size()) fail("unexpected end of expression");
    return m_t[m_i++];
  }
  static std::unique_ptr<CqlNode> join(Op op, std::unique_ptr<CqlNode> l, std::unique_ptr<CqlNode> r) {
    auto n = std::make_unique<CqlNode>();
    n->op = op;
    n->left = std::move(l);
    n->right = std::move(r);
    return n;
  }
  std::unique_ptr<CqlNode> parse_or() {
    auto l = parse_and();
    while (at_word("or") || at_word("||")) {
      ++m_i;
      l = join(Op::or_, std::move(l), parse_and());
    }
    return l;
  }
  std::unique_ptr<CqlNode> parse_and() {
    auto l = parse_not();
    while (at_word("and") || at_word("&&")) {
      ++m_i;
      l = join(Op::and_, std::move(l), parse_not());
    }
    return l;
  }
  std::unique_ptr<CqlNode> parse_not() {
    if (at_word("not") || at_word("!")) {
      ++m_i;
      return join(Op::not_, parse_not(), nullptr);
    }
    if (at_word("(")) {
      ++m_i;
      auto inner = parse_or();
      if (!at_word(")")) fail("missing ')'");
      ++m_i;
      return inner;
    }
    return parse_comparison();
  }
  std::vector<std::string> parse_list() {
    std::vector<std::string> out;
    if (!at_word("[")) fail("expected '[' after 'in'");
    ++m_i;
    while (!at_word("]")) {
      out.push_back(next().text);
      if (at_word(",")) ++m_i;
      else if (!at_word("]")) fail("expected ',' or ']' in list");
    }
    ++m_i;
    return out;
  }
  std::unique_ptr<CqlNode> parse_comparison() {
    auto n = std::make_unique<CqlNode>();
    const Token& subject = next();
    if (!subject.quoted && std::string_view("()[],").find(subject.text) != std::string_view::npos)
      fail("expected a subject, found '" + subject.text + "'");
    n->subject = subject.text;
    std::string op = lower(next().text);
    if (op == "exists") { n->op = Op::exists; return n; }
    if (op == "in" || (op == "not" && at_word("in"))) {
      if (op == "not") ++m_i;
      n->op = op == "in" ? Op::in : Op::not_in;
      n->values = parse_list();
      return n;
    }
    static const std::pair<const char*, Op> k_ops[] = {
        {"==", Op::eq}, {"!=", Op::ne}, {">", Op::gt}, {">=", Op::ge}, {"<", Op::lt},
        {"<=", Op::le}, {"=~", Op::match}, {"!~", Op::nomatch}};
    auto it = std::find_if(std::begin(k_ops), std::end(k_ops), [&](auto& p) { return op == p.first; });
    if (it == std::end(k_ops)) fail("unknown operator '" + op + "'");
    n->op = it->second;
    if ((n->op == Op::match || n->op == Op::nomatch) && at_word("[")) n->values = parse_list();
    else n->values.push_back(next().text);
    if (n->op == Op::match || n->op == Op::nomatch) {
      for (const auto& v : n->values) {
        try {
          n->patterns.emplace_back(v, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
          fail("invalid pattern '" + v + "'");
        }
      }
    }
    return n;
  }

  std::vector<Token> m_t;
  size_t m_i = 0;
};

}  // namespace

CqlExpression::CqlExpression(std::string_view text) : m_text(text) {
  auto tokens = tokenize(text);
  if (tokens.empty()) throw std::invalid_argument("empty expression");
  m_root = Parser(std::move(tokens)).parse();
}
CqlExpression::~CqlExpression() = default;
CqlExpression::CqlExpression(CqlExpression&&) noexcept = default;
CqlExpression& CqlExpression::operator=(CqlExpression&&) noexcept = default;

bool CqlExpression::matches(const CqlLookup& lookup) const { return m_root->eval(lookup); }

}  // namespace ecsctl::local
