// Filter patterns and GetLogEvents tokens of the local CloudWatch Logs.
#include "local/logs_filter.hpp"

#include <cctype>
#include <cstdio>

namespace ecsctl::local::logs {

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

FilterPattern FilterPattern::parse(std::string_view text) {
  FilterPattern out;
  size_t i = 0;
  while (i < text.size() && space(text[i])) ++i;
  if (i < text.size() && (text[i] == '{' || text[i] == '['))
    throw FilterError(std::string("JSON (`{ $.field = ... }`) and space-delimited (`[a, b]`) filter patterns are not "
                                  "supported by ecsctl-local; use terms, \"quoted phrases\", ?terms, -terms or %regex%"));
  while (i < text.size()) {
    if (space(text[i])) {
      ++i;
      continue;
    }
    Term term;
    if (text[i] == '?' || text[i] == '-') {
      term.kind = text[i] == '?' ? Kind::any : Kind::none;
      ++i;
      if (i >= text.size() || space(text[i])) throw FilterError("a ? or - must be followed by a term");
    }
    if (text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '\\' && i < text.size()) {
          term.text += text[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          term.text += c;
        }
      }
      if (!closed) throw FilterError("unterminated quoted phrase");
    } else if (text[i] == '%') {
      size_t end = text.find('%', i + 1);
      if (end == std::string_view::npos) throw FilterError("unterminated %regex%");
      std::string expr(text.substr(i + 1, end - i - 1));
      if (expr.empty()) throw FilterError("empty %regex%");
      try {
        term.re.emplace(expr, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        throw FilterError("invalid regular expression %" + expr + "%");
      }
      term.text = expr;
      i = end + 1;
    } else {
      while (i < text.size() && !space(text[i])) {
        if (text[i] == '"') throw FilterError("a quote inside a term");
        term.text += text[i++];
      }
    }
    if (i < text.size() && !space(text[i])) throw FilterError("a term must be followed by a space");
    if (term.text.empty()) continue;  // "" matches every event
    out.m_terms.push_back(std::move(term));
  }
  return out;
}

bool FilterPattern::matches(std::string_view message) const {
  bool any_seen = false, any_hit = false;
  for (const auto& t : m_terms) {
    bool hit = t.re ? std::regex_search(message.begin(), message.end(), *t.re)
                    : message.find(t.text) != std::string_view::npos;
    switch (t.kind) {
      case Kind::all:
        if (!hit) return false;
        break;
      case Kind::none:
        if (hit) return false;
        break;
      case Kind::any:
        any_seen = true;
        any_hit = any_hit || hit;
        break;
    }
  }
  return !any_seen || any_hit;
}

std::string format_token(const StreamToken& token) {
  // The shape of CloudWatch's tokens: a direction, 56 digits, "/s".
  char digits[64];
  std::snprintf(digits, sizeof digits, "%056lld", token.index < 0 ? 0LL : token.index);
  return std::string(token.forward ? "f/" : "b/") + digits + "/s";
}

std::optional<StreamToken> parse_token(std::string_view text) {
  if (text.size() != 2 + 56 + 2 || (text[0] != 'f' && text[0] != 'b') || text[1] != '/' ||
      text.substr(58) != "/s")
    return std::nullopt;
  std::string_view digits = text.substr(2, 56);
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  size_t nz = digits.find_first_not_of('0');
  if (nz != std::string_view::npos && digits.size() - nz > 18) return std::nullopt;
  StreamToken t;
  t.forward = text[0] == 'f';
  t.index = nz == std::string_view::npos ? 0 : std::stoll(std::string(digits.substr(nz)));
  return t;
}

}  // namespace ecsctl::local::logs
