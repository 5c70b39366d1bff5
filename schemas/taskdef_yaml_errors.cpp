// What a YAML syntax error means for the person who wrote the file: yaml-cpp's
// terse messages ("end of sequence not found") become what YAML found, where,
// and what to fix; and the quoted scalars yaml-cpp lets run to the end of the
// file (it accepts `family: "x` when a newline follows) become the syntax
// error PyYAML and the YAML spec make of them.
#include <yaml-cpp/exceptions.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "schemas/taskdef_source.hpp"

namespace ecsctl::taskdef {

namespace {


Pos pos_at(std::string_view text, std::size_t off) {
  Pos p{1, 1};
  for (std::size_t i = 0; i < off && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.col = 1;
    } else {
      ++p.col;
    }
  }
  return p;
}

std::size_t indent_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

bool blank_or_comment(std::string_view line) {
  std::size_t i = indent_of(line);
  return i >= line.size() || line[i] == '#';
}

// The text of a line for a message: trimmed and cut short.
std::string shown(std::string_view line) {
  std::size_t i = indent_of(line);
  std::string s(line.substr(i));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// The columns (1-based) where the lines above `line` put keys or list items
// that a line there could continue: for each enclosing line (less indented
// than everything after it), its own column, and for `- key: v` the column of
// the key after the dash.
std::vector<int> enclosing_columns(std::string_view text, int line) {
  std::set<int> cols;
  std::size_t limit = std::string_view::npos;
  for (int l = line - 1; l >= 1 && limit != 0; --l) {
    std::string_view s = source_line(text, l);
    if (blank_or_comment(s)) continue;
    std::size_t ind = indent_of(s);
    if (ind >= limit) continue;
    limit = ind;
    cols.insert(static_cast<int>(ind) + 1);
    if (s.size() > ind + 1 && s[ind] == '-' && s[ind + 1] == ' ') {
      std::size_t k = ind + 1;
      while (k < s.size() && s[k] == ' ') ++k;
      if (k < s.size() && s[k] != '#') cols.insert(static_cast<int>(k) + 1);
    }
  }
  return {cols.begin(), cols.end()};
}

std::string column_list(const std::vector<int>& cols) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out += i + 1 == cols.size() ? " or " : ", ";
    out += std::to_string(cols[i]);
  }
  return out;
}

constexpr const char* k_indent_hint =
    "indent with spaces only: the keys of one mapping start in the same column, and a list's \"- \" items line up "
    "under each other";

}  // namespace

std::optional<std::size_t> quote_end(std::string_view text, std::size_t open) {
  if (open >= text.size()) return std::nullopt;
  char q = text[open];
  if (q != '"' && q != '\'') return std::nullopt;
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (q == '"' && text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] != q) continue;
    if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
      ++i;
      continue;
    }
    return i;
  }
  return std::nullopt;
}

std::optional<Pos> find_unclosed_quote(std::string_view text) {
  // A rough block-context scanner, for messages only: a quote opens a scalar
  // where a token starts (after indentation, "- ", ": ", "? ", "[", "{" or
  // ","); comments and the bodies of block scalars (| and >) are skipped.
  std::size_t i = 0, n = text.size();
  std::size_t line_start = 0;
  bool token_start = true;
  std::size_t block_indent = std::string_view::npos;  // inside a block scalar deeper than this
  while (i < n) {
    char c = text[i];
    if (c == '\n') {
      ++i;
      line_start = i;
      token_start = true;
      if (block_indent != std::string_view::npos) {
        std::size_t k = i;
        while (k < n && text[k] == ' ') ++k;
        bool empty = k >= n || text[k] == '\n' || text[k] == '\r';
        if (empty || k - i > block_indent) {
          std::size_t nl = text.find('\n', i);
          i = nl == std::string_view::npos ? n : nl;
          continue;
        }
        block_indent = std::string_view::npos;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' && (i == line_start || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      std::size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? n : nl;
      continue;
    }
    if (token_start && (c == '"' || c == '\'')) {
      auto end = quote_end(text, i);
      if (!end) return pos_at(text, i);
      i = *end + 1;
      token_start = false;
      continue;
    }
    if (token_start && (c == '|' || c == '>')) {
      block_indent = indent_of(text.substr(line_start));
      ++i;
      token_start = false;
      continue;
    }
    bool next_blank = i + 1 >= n || text[i + 1] == ' ' || text[i + 1] == '\n' || text[i + 1] == '\r';
    if (((c == '-' || c == ':' || c == '?') && next_blank) || c == '[' || c == '{' || c == ',') {
      token_start = true;
      ++i;
      continue;
    }
    token_start = false;
    ++i;
  }
  return std::nullopt;
}

ParseError unclosed_quote_error(std::string_view text, Pos open) {
  std::string_view line = source_line(text, open.line);
  std::size_t off = static_cast<std::size_t>(std::max(open.col - 1, 0));
  char q = off < line.size() ? line[off] : '"';
  return ParseError(fmt::format("YAML found a {}-quoted value that is never closed: the {} at line {}, column {} has "
                                "no closing {} before the end of the file",
                                q == '"' ? "double" : "single", q, open.line, open.col, q),
                    open, fmt::format("add the closing {} on line {}, or remove the opening one", q, open.line));
}

ParseError explain_yaml_error(std::string_view text, const std::string& msg, Pos where,
                              std::optional<std::pair<Pos, Pos>> multiline_quote) {
  namespace M = YAML::ErrorMsg;
  std::string_view line = source_line(text, where.line);
  // An error after a quoted value that ran over several lines: most likely a
  // closing quote is missing, and the value swallowed the lines that follow.
  if (multiline_quote && (multiline_quote->second.line < where.line ||
                          (multiline_quote->second.line == where.line && multiline_quote->second.col <= where.col))) {
    Pos open = multiline_quote->first, close = multiline_quote->second;
    return ParseError(fmt::format("YAML found a quoted value that opens at line {}, column {} and closes only at line {}, "
                                  "column {}, taking the lines in between into it; what follows on line {} is then a "
                                  "syntax error ({})",
                                  open.line, open.col, close.line, close.col, where.line, msg),
                      open, fmt::format("close the quote on line {} where the value ends", open.line));
  }
  // A quote that nothing closes explains any error after it (yaml-cpp reports
  // "illegal EOF in scalar" at the end, or whatever the swallowed text broke).
  if (auto open = find_unclosed_quote(text);
      open && (open->line < where.line || (open->line == where.line && open->col <= where.col)))
    return unclosed_quote_error(text, *open);
  if (line.find('\t') != std::string_view::npos && line.find('\t') <= indent_of(line) &&
      (msg == M::BLOCK_ENTRY || msg == M::MAP_VALUE || msg == M::END_OF_MAP || msg == M::END_OF_SEQ ||
       msg.rfind("tabs", 0) == 0 || msg == M::TAB_IN_INDENTATION)) {
    return ParseError(fmt::format("YAML found a tab in the indentation of line {}", where.line), Pos{where.line, 1},
                      "YAML indents with spaces only; replace the tab with spaces");
  }
  if (msg == M::END_OF_SEQ || msg == M::END_OF_MAP || msg == M::BLOCK_ENTRY) {
    std::vector<int> cols = enclosing_columns(text, where.line);
    std::string what = msg == M::END_OF_SEQ   ? "a list"
                       : msg == M::END_OF_MAP ? "a mapping"
                                              : "a list";
    std::string found = shown(line);
    std::string message = fmt::format("bad indentation: YAML found \"{}\" at column {}, where {} above it had not "
                                      "ended",
                                      found, where.col, what);
    if (!cols.empty()) message += fmt::format("; the lines above it start their keys or items at column {}", column_list(cols));
    return ParseError(message, where, k_indent_hint);
  }
  if (msg == M::MAP_VALUE) {
    return ParseError(fmt::format("YAML found \"{}\" where a \"key: value\" pair cannot start: the ':' at column {} "
                                  "follows a value, or the line is indented deeper than the keys it belongs with",
                                  shown(line), where.col),
                      where,
                      "line the key up with the keys above it; if the value itself contains \": \", put it in quotes");
  }
  if (msg == M::END_OF_SEQ_FLOW || msg == M::END_OF_MAP_FLOW) {
    char close = msg == M::END_OF_SEQ_FLOW ? ']' : '}';
    return ParseError(fmt::format("YAML found no closing '{}' for the {} that is still open at line {}, column {}",
                                  close, close == ']' ? "[ list" : "{ mapping", where.line, where.col),
                      where, fmt::format("close it with '{}' on the line where it opens", close));
  }
  return ParseError(fmt::format("YAML syntax error: {}", msg), where,
                    "fix the YAML at this point (the file must hold one JSON or YAML object)");
}

}  // namespace ecsctl::taskdef
