// CloudWatch Logs filter patterns for unstructured events, and the paging
// tokens of GetLogEvents, as the local plane's Logs service uses them.
#pragma once
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ecsctl::local::logs {

// A filter pattern over the whole message, as CloudWatch Logs matches
// unstructured events (case-sensitive):
//   ERROR timeout       every term must occur (AND)
//   "disk full"         a quoted phrase occurs as written (\" and \\ escape)
//   ?ERROR ?WARN        at least one of the ?-terms occurs (OR)
//   ERROR -healthcheck  a -term must not occur
//   %5\d\d%             a regular expression (ECMAScript) found in the message
// An empty pattern matches everything. JSON ({ $.x = ... }) and space-delimited
// ([a, b]) patterns are refused: parse() throws FilterError.
struct FilterError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FilterPattern {
 public:
  static FilterPattern parse(std::string_view text);
  bool matches(std::string_view message) const;
  bool empty() const { return m_terms.empty(); }

 private:
  enum class Kind { all, any, none };
  struct Term {
    Kind kind = Kind::all;
    std::string text;
    std::optional<std::regex> re;
  };
  std::vector<Term> m_terms;
};

// GetLogEvents tokens: a position in a stream (the index of an event since the
// stream began), read forward from it ("f/...") or backward before it ("b/...").
struct StreamToken {
  bool forward = true;
  long long index = 0;
};
std::string format_token(const StreamToken& token);
// nullopt when `text` is not a token of this form.
std::optional<StreamToken> parse_token(std::string_view text);

}  // namespace ecsctl::local::logs
