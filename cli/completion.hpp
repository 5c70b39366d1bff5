// Tab completion: `ecsctl completion bash|zsh|fish` prints a shell script, and
// the hidden `ecsctl __complete SHELL CWORD WORDS...` computes candidates from
// the same tables that parse the command line (command table, API models,
// global options), plus live resource names fetched with a time budget.
#pragma once
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "core/context.hpp"

namespace ecsctl::completion {

struct Candidate {
  std::string value;
  std::string description;
};

struct Result {
  std::vector<Candidate> candidates;
  bool no_space = false;  // the single candidate is a prefix (a directory, "file://")
};

// Candidates for words[cword] (words[0] is the program name). Live names are
// fetched through ctx's client with a short budget and cached; any failure
// falls back to the static candidates silently.
Result complete(Context& ctx, const std::vector<std::string>& words, std::size_t cword);

// The candidates formatted for `shell` ("bash": value per line; "zsh":
// value:description; "fish": value<TAB>description).
std::string format(const Result& result, const std::string& shell);

// The completion script for `shell`, as installed under completions/.
const char* script(const std::string& shell);

}  // namespace ecsctl::completion

namespace ecsctl::commands {
// `ecsctl completion SHELL` and the hidden `ecsctl __complete`.
extern const CommandSpec completion;
extern const CommandSpec internal_complete;
extern const CommandSpec internal_commands;
}  // namespace ecsctl::commands
