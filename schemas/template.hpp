// Templating of task-definition files: ${VAR}, ${VAR:-default}, ${VAR:?message}
// and the $$ escape, with values from --var, --var-file, --env-file and the
// environment. Applied to scalars after parsing, so positions are kept.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/environment.hpp"

namespace ecsctl::taskdef {

// Where template values come from: explicit variables first (--var beats the
// files, later files beat earlier ones), then the environment (if given).
class TemplateVars {
 public:
  void set(std::string name, std::string value) { m_vars[std::move(name)] = std::move(value); }
  // KEY=VALUE from --var; throws a usage Error when there is no '='.
  void add_assignment(std::string_view assignment);
  // A dotenv file (KEY=VALUE lines, `export`, # comments, quotes). Throws a usage
  // Error naming file:line for a malformed line or an unreadable file.
  void add_env_file(const std::string& path);
  // A YAML/JSON mapping of names to scalars. Throws a usage Error.
  void add_var_file(const std::string& path);
  void set_environment(const Environment* env) { m_env = env; }
  std::optional<std::string> get(std::string_view name) const;
  bool empty() const { return m_vars.empty() && m_env == nullptr; }

  // Render-time lookups, ${ssm:/path} and ${tfstate:ADDRESS}: `kind` is the
  // word before the colon ("ssm", "tfstate"), `arg` the rest. Returns the value,
  // or nullopt with `error` set. Without a lookup set, such a reference is a
  // template problem that says lookups are not available here.
  using Lookup = std::function<std::optional<std::string>(std::string_view kind, std::string_view arg,
                                                          std::string& error)>;
  void set_lookup(Lookup lookup) { m_lookup = std::move(lookup); }
  const Lookup& lookup() const { return m_lookup; }

 private:
  std::map<std::string, std::string, std::less<>> m_vars;
  const Environment* m_env = nullptr;
  Lookup m_lookup;
};

// Whether `kind` names a lookup (${ssm:...}, ${tfstate:...}).
bool is_lookup_kind(std::string_view kind);

// A problem found while expanding: `offset` is where in the input the
// ${...} starts.
struct TemplateProblem {
  std::size_t offset = 0;
  std::string variable;
  std::string message;
};

// Expands `in` (variables, defaults, required variables and lookups). Problems (unset required variables, unterminated ${) are added
// to `problems`; the expansion goes on with an empty value.
std::string expand_template(std::string_view in, const TemplateVars& vars,
                            std::vector<TemplateProblem>& problems);

// Parses dotenv text into name/value pairs; on a malformed line returns its
// 1-based number in `bad_line`.
std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, int& bad_line);

}  // namespace ecsctl::taskdef
