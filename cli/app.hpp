// The whole command-line program as a function, so tests can run it in-process.
#pragma once
#include <string>
#include <vector>

#include "cli/command_table.hpp"
#include "core/context.hpp"

namespace ecsctl {

// Parses global options, dispatches to the command and maps errors to exit
// codes (printing `ecsctl: error: ...` to ctx.err). Returns the exit code.
int run_app(Context& ctx, const std::vector<std::string>& args);
// The same with another command table (tests add commands of their own).
int run_app(Context& ctx, const std::vector<std::string>& args, const CommandTable& table);

// Prints an error the way main does.
void print_error(Context& ctx, const std::exception& e);

// `ecsctl --help`.
void print_main_help(Context& ctx, const CommandTable& table = command_table());

}  // namespace ecsctl
