#include "cli/app.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command_table.hpp"
#include "cli/global_options.hpp"
#include "commands/api.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace ecsctl {

void print_main_help(Context& ctx, const CommandTable& table) {
  auto& o = ctx.out;
  o << "ecsctl " ECSCTL_VERSION " - a fast, native command-line tool for Amazon ECS\n\n"
       "Usage: ecsctl [global options] <command> [options]\n"
       "       ecsctl [global options] <group> <command> [options]\n\n"
       "Examples:\n"
       "  ecsctl local up --detach && ecsctl --profile local run-task --cluster default --task-definition app:1\n"
       "  ecsctl validate taskdef.yaml\n"
       "  ecsctl describe-services --cluster web --services api --query 'services[0].runningCount'\n\n"
       "Global options (before or after the command):\n";
  for (const auto& s : global_option_specs()) {
    std::string left = std::string(s.name);
    if (!s.metavar.empty()) left += " " + std::string(s.metavar);
    o << "  " << left;
    o << std::string(left.size() < 28 ? 28 - left.size() : 1, ' ') << s.description;
    if (!s.env.empty()) o << " [env: " << s.env << "]";
    o << "\n";
  }
  o << "  -h, --help                  show help (also: ecsctl <command> --help)\n";
  o << "\nCommands:\n";
  std::vector<const CommandSpec*> mine;
  for (const CommandSpec* c : table)
    if (c->group.empty() && !c->hidden) mine.push_back(c);
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const CommandSpec* c : mine) {
    std::string n(c->name);
    o << "  " << n << std::string(n.size() < 28 ? 28 - n.size() : 1, ' ') << c->summary << "\n";
  }
  o << "\nCommand groups:\n";
  for (const auto& g : command_groups()) {
    std::string n(g.name);
    o << "  " << n << std::string(n.size() < 28 ? 28 - n.size() : 1, ' ') << g.summary << "\n";
  }
  {
    auto ops = api::operation_commands("");
    o << "\nAmazon ECS API operations (" << ops.size()
      << "), with the AWS CLI's names and flags; `ecsctl <operation> --help` lists its options:\n";
    std::string line = " ";
    for (const auto& n : ops) {
      if (line.size() + n.size() + 1 > 100) { o << line << "\n"; line = " "; }
      line += " " + n;
    }
    if (line.size() > 1) o << line << "\n";
  }
  o << "\n" << exit_codes_text();
}

void print_error(Context& ctx, const std::exception& e) {
  const bool color = ctx.color_stderr();
  auto& err = ctx.err;
  err << (color ? "\033[1;31mecsctl: error:\033[0m " : "ecsctl: error: ") << e.what() << "\n";
  if (auto* ee = dynamic_cast<const Error*>(&e)) {
    if (!ee->location().empty()) err << "  at: " << ee->location() << "\n";
    if (!ee->hint().empty()) err << "  hint: " << ee->hint() << "\n";
  }
  err.flush();
}

// Parses `words` by the command's spec and runs it, or prints its help.
static int run_command(Context& ctx, const CommandSpec& spec, const std::vector<std::string>& words) {
  if (!spec.subcommands.empty()) {  // `elbv2 wait WAITER ...`: the first word picks the spec
    const bool help = words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help";
    if (help) {
      print_command_help(ctx, spec);
      if (words.empty()) {
        ctx.out.flush();
        throw_usage(fmt::format("'{}' needs a {}", command_path(spec).substr(7),
                                spec.positionals.empty() ? "command" : spec.positionals[0].name),
                    "see the list above");
      }
      return 0;
    }
    std::vector<std::string> names;
    for (const CommandSpec* sub : spec.subcommands) {
      if (sub->name == words[0]) return run_command(ctx, *sub, {words.begin() + 1, words.end()});
      names.emplace_back(sub->name);
    }
    std::string hint = "choose from " + fmt::format("{}", fmt::join(names, ", "));
    if (auto m = closest_match(words[0], names)) hint = "did you mean '" + *m + "'?";
    throw_usage(fmt::format("argument {}: Invalid choice: '{}'",
                            spec.positionals.empty() ? "command" : spec.positionals[0].name, words[0]),
                hint);
  }
  std::optional<api::Operation> op = api::extended_operation(spec);
  std::vector<std::string> op_flags;
  if (op) op_flags = api::operation_flag_names(*op);
  Args args = parse_command_line(spec, words, op_flags);
  if (args.help && !spec.raw) {
    print_command_help(ctx, spec);
    if (op) {
      ctx.out << "\nOptions of the " << op->name << " operation, accepted as well:\n\n";
      std::string_view op_group = spec.group.substr(0, spec.group.find(' '));
      api::print_operation_help(ctx, *op, op_group == "wait" ? "" : op_group);
    }
    return 0;
  }
  return spec.run(ctx, args);
}

static int dispatch(Context& ctx, CommandLine& cl, const CommandTable& table) {
  if (cl.version) {
    ctx.out << "ecsctl " ECSCTL_VERSION "\n";
    return 0;
  }
  if (cl.words.empty()) {
    if (cl.help) {
      print_main_help(ctx, table);
      return 0;
    }
    throw_usage("no command given", "run `ecsctl --help` for the list of commands");
  }
  std::string group;
  std::string name = cl.words[0];
  std::size_t consumed = 1;
  if (name == "version" && cl.words.size() == 1) {
    ctx.out << "ecsctl " ECSCTL_VERSION "\n";
    return 0;
  }
  if (name == "help") {  // `ecsctl help [GROUP] COMMAND` is `ecsctl [GROUP] COMMAND --help`
    if (cl.words.size() == 1) {
      print_main_help(ctx, table);
      return 0;
    }
    cl.words.erase(cl.words.begin());
    cl.words.push_back("--help");
    name = cl.words[0];
  }
  if (is_group(name)) {
    group = name;
    if (cl.words.size() < 2 || cl.words[1] == "--help" || cl.words[1] == "-h") {
      auto names = command_names(table, group);
      ctx.out << "Usage: ecsctl " << group << " <command> [options]\n\nCommands:\n";
      for (auto& n : names) ctx.out << "  " << n << "\n";
      if (cl.words.size() < 2) {
        ctx.out.flush();
        throw_usage("'" + group + "' needs a command", "see the list above");
      }
      return 0;
    }
    name = cl.words[1];
    consumed = 2;
  }
  std::vector<std::string> rest(cl.words.begin() + static_cast<long>(consumed), cl.words.end());
  if (const CommandSpec* c = find_command(table, group, name)) return run_command(ctx, *c, rest);
  if (api::is_operation_command(group, name))
    return api::run_operation(ctx, *api::service_for_group(group), name, rest);

  std::string where = group.empty() ? "" : group + " ";
  std::string hint = "run `ecsctl " + where + "--help` for the list of commands";
  if (auto m = closest_match(name, command_names(table, group)))
    hint = "did you mean '" + where + *m + "'?";
  if (!name.empty() && name[0] == '-')
    throw_usage("unknown option '" + name + "'", "options follow the command: ecsctl <command> [options]");
  throw_usage("unknown command '" + where + name + "'", hint);
}

int run_app(Context& ctx, const std::vector<std::string>& args) { return run_app(ctx, args, command_table()); }

int run_app(Context& ctx, const std::vector<std::string>& args, const CommandTable& table) {
  try {
    // The completion entry point takes the typed words verbatim, global options included.
    if (!args.empty() && args[0] == "__complete") {
      std::vector<std::string> rest(args.begin() + 1, args.end());
      if (const CommandSpec* c = find_command(table, "", "__complete")) return run_command(ctx, *c, rest);
    }
    CommandLine cl = parse_global_options(ctx, args);
    int code = dispatch(ctx, cl, table);
    ctx.out.flush();
    return code;
  } catch (const Error& e) {
    ctx.out.flush();
    print_error(ctx, e);
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    ctx.err << "ecsctl: error: out of memory\n";
    return static_cast<int>(Exit::other);
  } catch (const std::exception& e) {
    ctx.out.flush();
    print_error(ctx, e);
    return static_cast<int>(Exit::other);
  }
}

}  // namespace ecsctl
