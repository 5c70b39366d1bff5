// The global options table and their parsing: accepted before or after the
// command, as `--name value` or `--name=value`, with the AWS CLI's environment
// variables as fallbacks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/context.hpp"

namespace ecsctl {

struct GlobalOptionSpec {
  std::string_view name;         // "--region"
  std::string_view metavar;      // "REGION", empty for a flag
  std::string_view env;          // environment variables, comma-separated, or empty
  std::string_view description;  // one line
};

// Every global option, in the order --help lists them.
const std::vector<GlobalOptionSpec>& global_option_specs();

struct CommandLine {
  std::vector<std::string> words;  // command words and their arguments, globals removed
  bool help = false;               // -h/--help seen before any command word
  bool version = false;            // --version
};

// Removes the global options from argv[1..] into ctx.opts (then fills what is
// unset from ctx.env) and returns the rest. Throws Error(Exit::usage).
CommandLine parse_global_options(Context& ctx, const std::vector<std::string>& args);

}  // namespace ecsctl
