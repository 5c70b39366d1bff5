// The whole command-line program as a function, so tests can run it in-process.
#pragma once
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace ecsctl {

// Parses global options, dispatches to the command and maps errors to exit
// codes (printing `ecsctl: error: ...` to ctx.err). Returns the exit code.
int run_app(Context& ctx, const std::vector<std::string>& args);

// Prints an error the way main does.
void print_error(Context& ctx, const std::exception& e);

// `ecsctl --help`.
void print_main_help(Context& ctx);

}  // namespace ecsctl
