#include "cli/app.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ios>
#include <ostream>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command_table.hpp"
#include "cli/global_options.hpp"
#include "client/session.hpp"
#include "commands/api.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "output/render.hpp"

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
    auto ops = commands::api::operation_commands("");
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
  if (dynamic_cast<const ServiceError*>(&e)) {
    // The AWS CLI's shape, which scripts grep for (`^An error occurred`): a
    // blank line, then the line itself; ecsctl's own lines follow.
    err << "\n" << e.what() << "\n";
  } else {
    err << (color ? "\033[1;31mecsctl: error:\033[0m " : "ecsctl: error: ") << e.what() << "\n";
  }
  if (auto* ee = dynamic_cast<const Error*>(&e)) {
    if (!ee->location().empty()) err << "  at: " << ee->location() << "\n";
    if (!ee->hint().empty()) err << "  hint: " << ee->hint() << "\n";
  }
  err.flush();
}

// The profile's `output` setting, the last in the AWS CLI's order (--output,
// then AWS_DEFAULT_OUTPUT, then the profile), and its `cli_timestamp_format`.
// Read only for a command; a profile that cannot be read is left for the
// command's first use of it to report.
static void apply_profile_output(Context& ctx, const CommandLine& cl) {
  if (cl.version || cl.help || cl.words.empty()) return;
  const client::ConfigSection* profile = nullptr;
  try {
    profile = client::session(ctx).profile();
  } catch (const Error&) {
    return;
  }
  if (!profile) return;
  if (const client::ConfigValue* t = profile->find("cli_timestamp_format")) {
    if (t->value == "wire" || t->value == "none") ctx.opts.wire_timestamps = true;
    else if (t->value != "iso8601" && !t->value.empty())
      throw_config("Unknown cli_timestamp_format value: " + t->value + ", valid values are 'wire' or 'iso8601'",
                   t->where());
  }
  if (ctx.opts.output_given) return;
  const client::ConfigValue* v = profile->find("output");
  if (!v || v->value.empty()) return;
  auto f = parse_output_format(v->value);
  if (!f)
    throw_config("the profile's output setting has an invalid value '" + v->value + "'", v->where(),
                 "set it to json, yaml, yaml-stream, text, table or off");
  ctx.opts.output = *f;
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
  std::optional<commands::api::Operation> op = commands::api::extended_operation(spec);
  std::vector<std::string> op_flags;
  if (op) op_flags = commands::api::operation_flag_names(*op);
  Args args = parse_command_line(spec, words, op_flags);
  if (args.help && !spec.raw) {
    print_command_help(ctx, spec);
    if (op) {
      ctx.out << "\nOptions of the " << op->name << " operation, accepted as well:\n\n";
      std::string_view op_group = spec.group.substr(0, spec.group.find(' '));
      commands::api::print_operation_help(ctx, *op, op_group == "wait" ? "" : op_group);
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
  if (commands::api::is_operation_command(group, name))
    return commands::api::run_operation(ctx, *commands::api::service_for_group(group), name, rest);

  std::string where = group.empty() ? "" : group + " ";
  std::string hint = "run `ecsctl " + where + "--help` for the list of commands";
  if (auto m = closest_match(name, command_names(table, group)))
    hint = "did you mean '" + where + *m + "'?";
  if (!name.empty() && name[0] == '-')
    throw_usage("unknown option '" + name + "'", "options follow the command: ecsctl <command> [options]");
  // "Invalid choice" is the AWS CLI's wording, which scripts look for.
  throw_usage("unknown command '" + where + name + "' (Invalid choice: '" + name + "')", hint);
}

int run_app(Context& ctx, const std::vector<std::string>& args) { return run_app(ctx, args, command_table()); }

static int run_app_unguarded(Context& ctx, const std::vector<std::string>& args, const CommandTable& table);

// Whether stdout's reader is gone: the failed write said EPIPE, or the pipe
// reports an error condition (errno may have changed while unwinding).
static bool stdout_closed() {
  if (errno == EPIPE) return true;
  pollfd p{STDOUT_FILENO, 0, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

// Flushes stdout; false when it cannot be written (a closed pipe).
static bool flush_out(Context& ctx) {
  try {
    ctx.out.flush();
  } catch (const std::ios_base::failure&) {
    return false;
  }
  return !ctx.out.bad();
}

int run_app(Context& ctx, const std::vector<std::string>& args, const CommandTable& table) {
  try {
    return run_app_unguarded(ctx, args, table);
  } catch (const std::ios_base::failure&) {
    // stdout failed (main() makes std::cout throw): its reader is gone, as in
    // `ecsctl ... | head -2`. Stop writing and exit quietly, as the AWS CLI does.
    if (stdout_closed()) return 0;
    ctx.err << "ecsctl: error: cannot write to stdout: " << std::strerror(errno) << "\n";
    return static_cast<int>(Exit::other);
  }
}

static int run_app_unguarded(Context& ctx, const std::vector<std::string>& args, const CommandTable& table) {
  try {
    // The completion entry point takes the typed words verbatim, global options included.
    if (!args.empty() && args[0] == "__complete") {
      std::vector<std::string> rest(args.begin() + 1, args.end());
      if (const CommandSpec* c = find_command(table, "", "__complete")) return run_command(ctx, *c, rest);
    }
    CommandLine cl = parse_global_options(ctx, args);
    apply_profile_output(ctx, cl);
    int code = dispatch(ctx, cl, table);
    ctx.out.flush();
    return code;
  } catch (const std::ios_base::failure&) {
    throw;
  } catch (const Error& e) {
    if (!flush_out(ctx) && stdout_closed()) return 0;
    print_error(ctx, e);
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    ctx.err << "ecsctl: error: out of memory\n";
    return static_cast<int>(Exit::other);
  } catch (const std::exception& e) {
    if (!flush_out(ctx) && stdout_closed()) return 0;
    print_error(ctx, e);
    return static_cast<int>(Exit::other);
  }
}

}  // namespace ecsctl
