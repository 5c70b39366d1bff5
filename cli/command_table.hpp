// The one table of commands: every hand-written command's spec, in the order
// `ecsctl --help` lists them. API operations from the models (commands/api)
// are served after it, for names the table does not have.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.hpp"

namespace ecsctl {

using CommandTable = std::vector<const CommandSpec*>;
const CommandTable& command_table();

// The hand-written command `group`/`name` of `table`, or nullptr.
const CommandSpec* find_command(const CommandTable& table, std::string_view group, std::string_view name);

// Every command name of `group` (hand-written and API operations, and the
// group names at the top level), sorted, hidden ones left out.
std::vector<std::string> command_names(const CommandTable& table, std::string_view group);

}  // namespace ecsctl
