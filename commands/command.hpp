// A hand-written command, declared once: its name, summary, flags and
// positionals. The one parser (parse_command_line), the help text
// (print_command_help) and tab completion all read this spec; cli/ lists every
// CommandSpec in its command table.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.hpp"

namespace ecsctl {

// What completes the value of a flag or positional.
enum class Completer {
  none,
  file,             // a path
  directory,
  cluster,          // live cluster names
  service,          // live services of --cluster
  task,             // live task ids of --cluster
  task_definition,  // live families and family:revision
  task_definition_or_file,
  container,        // the containers of --task-definition (a file or a live revision)
  duration,         // 30s, 5m, 1h
  choices,          // FlagSpec::choices
  region,
  profile,
  target_group,     // live target-group names
  load_balancer,    // live load-balancer names
  scheduled_task,   // live scheduled-task names
  log_group,
};

// "cluster", "file", ... (for `ecsctl __commands` and tests).
std::string_view completer_name(Completer c);

struct FlagSpec {
  std::string_view name;                  // "--cluster"
  std::string_view metavar;               // "NAME"; empty: a switch that takes no value
  std::string_view help;                  // one line
  Completer complete = Completer::none;
  std::vector<std::string_view> choices;  // the only values accepted (empty: any)
  bool repeats = false;                   // may be given again; the words after it, up to the next
                                          // option, are values too (--subnets a b)
  bool required = false;
};

struct PositionalSpec {
  std::string_view name;  // "SERVICE"
  std::string_view help;
  Completer complete = Completer::none;
  bool required = true;
  bool many = false;  // takes every remaining positional word
  std::vector<std::string_view> choices;  // the only values accepted (empty: any)
};

class Args;
using RunFn = int (*)(Context& ctx, Args& args);

struct CommandSpec {
  std::string_view group;    // "" for top-level, else "elbv2", "events", "scheduler", "local", "wait"
  std::string_view name;     // kebab-case, e.g. "validate"
  std::string_view summary;  // one line for the command list
  std::string_view description;  // paragraphs printed by --help after the options (may be empty)
  std::vector<FlagSpec> flags;
  std::vector<PositionalSpec> positionals;
  // The API operation this command extends ("run-task"): its flags are
  // accepted as well, left in Args::rest for api::parse_request, and listed in
  // --help and completion after the command's own.
  std::string_view api_operation;
  RunFn run = nullptr;
  bool hidden = false;  // not listed (e.g. "__complete")
  // No parsing at all: every word goes to Args::rest (internal commands that
  // take raw words, such as __complete and __call).
  bool raw = false;
  // A command whose first word names one of these, each a full spec of its own
  // (`elbv2 wait target-in-service`: the waiter decides the operation). Only
  // the chosen one parses the rest; this spec's flags and run are not used.
  std::vector<const CommandSpec*> subcommands;
};

// A parsed command line.
class Args {
 public:
  // The last value of `flag` ("--cluster"), or nullopt when not given.
  std::optional<std::string> value(std::string_view flag) const;
  // Every value of `flag`, in order.
  std::vector<std::string> values(std::string_view flag) const;
  // Whether `flag` was given (a switch, or a flag with a value).
  bool has(std::string_view flag) const;
  // The positional words, in order.
  const std::vector<std::string>& positionals() const { return m_positionals; }
  std::optional<std::string> positional(std::size_t i) const;

  // Words the command's own flags did not take (the extended API operation's).
  std::vector<std::string> rest;
  bool help = false;  // --help, -h or a trailing `help`

  // Used by the parser and by tests.
  void add(std::string_view flag, std::string value);
  void add_positional(std::string value) { m_positionals.push_back(std::move(value)); }

 private:
  std::vector<std::pair<std::string, std::string>> m_values;  // flag, value ("" for a switch)
  std::vector<std::string> m_positionals;
};

// Parses `words` (what follows the command name, global options removed) by
// `spec`. `other_flags` are the extended operation's flag names: a word that
// names one of them, and the values after it, go to Args::rest. A unique prefix
// of a long option is taken for it, as the AWS CLI does. Throws
// Error(Exit::usage) with the AWS CLI's wording for unknown options, missing
// values, values outside `choices` and missing required flags or positionals
// (not when help was asked for).
Args parse_command_line(const CommandSpec& spec, const std::vector<std::string>& words,
                        const std::vector<std::string>& other_flags = {});

// `own` followed by `shared` (a group of flags several commands take, such as
// taskdef_input::template_flags()).
std::vector<FlagSpec> flags_with(std::vector<FlagSpec> own, const std::vector<FlagSpec>& shared);

// The value of a duration flag: "90", "90s", "10m", "2h", "1d" -> seconds.
// Throws a usage error naming `flag` (or the environment variable it came from).
double parse_duration(std::string_view text, std::string_view flag);
// The value of a count flag: a whole number, 0 or more; a usage error otherwise.
long parse_count(std::string_view text, std::string_view flag);

// The spec's flag called `name`, or nullptr.
const FlagSpec* find_flag(const CommandSpec& spec, std::string_view name);

// `ecsctl CMD --help`: usage, summary, positionals, flags (with metavars,
// choices and a "repeatable" mark) and the description.
void print_command_help(Context& ctx, const CommandSpec& spec);

// "ecsctl elbv2 create-target-group" style name of `spec`.
std::string command_path(const CommandSpec& spec);

// The command groups: names that take a sub-command.
struct CommandGroup {
  std::string_view name;
  std::string_view summary;
};
const std::vector<CommandGroup>& command_groups();
bool is_group(std::string_view name);

}  // namespace ecsctl
