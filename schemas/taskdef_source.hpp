// Loading a task-definition file into a tree that remembers where every key and
// value came from (line and column), from JSON or YAML chosen by content.
#pragma once
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsctl::taskdef {

// A 1-based source position; line 0 means "unknown".
struct Pos {
  int line = 0;
  int col = 0;
};

// One node of a parsed document. Scalars keep their text; `plain` scalars (YAML
// plain scalars, JSON bare tokens) get their type from their text after templating.
struct PNode {
  enum class Kind { null, boolean, integer, number, string, array, object };
  Kind kind = Kind::null;
  bool plain = false;
  std::string text;
  Pos pos;
  std::vector<PNode> items;                       // array elements or object values
  std::vector<std::pair<std::string, Pos>> keys;  // object keys, parallel to items

  const PNode* find(std::string_view key) const;
};

// A parse failure: what is wrong and where. `hint` says what to fix when the
// reader knows (YAML syntax errors); empty means the generic input-parse hint.
struct ParseError : std::runtime_error {
  ParseError(std::string message, Pos where, std::string fix = {})
      : std::runtime_error(std::move(message)), pos(where), hint(std::move(fix)) {}
  Pos pos;
  std::string hint;
};

constexpr std::size_t k_max_depth = 256;
constexpr std::size_t k_max_file_bytes = 16u << 20;
constexpr std::size_t k_max_nodes = 1u << 20;

// Parses `text` as JSON when it starts with '{' or '[' and is valid JSON, else
// as YAML (one document). Checks UTF-8 first. Throws ParseError.
PNode parse_document(std::string_view text);

// The two YAML readers behind parse_document (for text already checked for
// UTF-8 and without a BOM). parse_yaml_full is yaml-cpp and throws ParseError;
// parse_yaml_fast reads the block-style subset task definitions are written in
// into the same tree, much faster, and returns nullopt -- never an error -- for
// anything else, including malformed input. parse_document tries the fast one
// first; tests compare the two.
std::optional<PNode> parse_yaml_fast(std::string_view text);
PNode parse_yaml_full(std::string_view text);

// YAML syntax errors explained (taskdef_yaml_errors.cpp). quote_end: the offset
// of the quote that closes the one at `open` ('' and \" are not closers), or
// nullopt. find_unclosed_quote: where a quoted scalar opens that nothing closes
// (a rough scan, for messages). unclosed_quote_error: the error for such a
// quote at `open`. explain_yaml_error: yaml-cpp's `msg` at `where` as what YAML
// found, where and what to fix; `multiline_quote` is the first quoted scalar
// that ran over several lines before the error (where it opens and closes).
std::optional<std::size_t> quote_end(std::string_view text, std::size_t open);
std::optional<Pos> find_unclosed_quote(std::string_view text);
ParseError unclosed_quote_error(std::string_view text, Pos open);
ParseError explain_yaml_error(std::string_view text, const std::string& msg, Pos where,
                              std::optional<std::pair<Pos, Pos>> multiline_quote);

// Pieces of JSON's string escapes, shared by the JSON reader and the fast YAML
// path (whose double-quoted escapes are limited to JSON's): the character a
// one-letter escape (\" \\ \/ \b \f \n \r \t) stands for, or 0 for any other
// letter; the value of a hex digit, or -1. Both append code points with
// pyfmt::append_utf8 (cli/output_python.hpp).
char short_escape(char letter);
int hex_digit(char c);

// Sets the type of a plain scalar from its text (YAML 1.2 core schema: null,
// true/false, integers, floats; anything else stays a string).
void resolve_plain(PNode& node);

// The first invalid UTF-8 byte of `text` as a position, or line 0 when valid.
Pos find_invalid_utf8(std::string_view text);

// Line `line` (1-based) of `text`, without its newline; empty when out of range.
std::string_view source_line(std::string_view text, int line);

}  // namespace ecsctl::taskdef
