#include "cli/app.hpp"

#include <algorithm>
#include <ostream>

#include "cli/command.hpp"
#include "cli/error.hpp"
#include "cli/global_options.hpp"
#include "cli/suggest.hpp"

namespace ecsctl {

static std::vector<std::string> command_names(std::string_view group) {
  std::vector<std::string> names;
  for (const auto& c : registered_commands())
    if (c.group == group && !c.hidden) names.emplace_back(c.name);
  if (api_resolver().names)
    for (auto& n : api_resolver().names(group))
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  if (group.empty())
    for (const auto& g : command_groups()) names.emplace_back(g.name);
  std::sort(names.begin(), names.end());
  return names;
}

void print_main_help(Context& ctx) {
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
  std::vector<const Command*> mine;
  for (const auto& c : registered_commands())
    if (c.group.empty() && !c.hidden) mine.push_back(&c);
  std::sort(mine.begin(), mine.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const Command* c : mine) {
    std::string n(c->name);
    o << "  " << n << std::string(n.size() < 28 ? 28 - n.size() : 1, ' ') << c->summary << "\n";
  }
  o << "\nCommand groups:\n";
  for (const auto& g : command_groups()) {
    std::string n(g.name);
    o << "  " << n << std::string(n.size() < 28 ? 28 - n.size() : 1, ' ') << g.summary << "\n";
  }
  if (api_resolver().names) {
    auto ops = api_resolver().names("");
    o << "\nAmazon ECS API operations (" << ops.size()
      << "), with the AWS CLI's names and flags; `ecsctl <operation> --help` lists its options:\n";
    std::string line = " ";
    for (const auto& n : ops) {
      if (line.size() + n.size() + 1 > 100) { o << line << "\n"; line = " "; }
      line += " " + n;
    }
    if (line.size() > 1) o << line << "\n";
  }
  o << "\nExit codes: 0 success, 3 validation failed, 4 wait timed out, 5 deployment failed or\n"
       "rolled back, 130 interrupted, 252 command line wrong, 253 configuration or credentials,\n"
       "254 the service returned an error, 255 anything else.\n";
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

static int dispatch(Context& ctx, CommandLine& cl) {
  if (cl.version) {
    ctx.out << "ecsctl " ECSCTL_VERSION "\n";
    return 0;
  }
  if (cl.words.empty()) {
    if (cl.help) {
      print_main_help(ctx);
      return 0;
    }
    throw_usage("no command given", "run `ecsctl --help` for the list of commands");
  }
  std::string group;
  std::string name = cl.words[0];
  std::size_t consumed = 1;
  if (name == "help") {
    print_main_help(ctx);
    return 0;
  }
  if (is_group(name)) {
    group = name;
    if (cl.words.size() < 2 || cl.words[1] == "--help" || cl.words[1] == "-h") {
      auto names = command_names(group);
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
  if (const Command* c = find_command(group, name)) return c->run(ctx, rest);
  if (api_resolver().has && api_resolver().has(group, name))
    return api_resolver().run(ctx, group, name, rest);

  std::string where = group.empty() ? "" : group + " ";
  std::string hint = "run `ecsctl " + where + "--help` for the list of commands";
  if (auto m = closest_match(name, command_names(group)))
    hint = "did you mean '" + where + *m + "'?";
  if (!name.empty() && name[0] == '-')
    throw_usage("unknown option '" + name + "'", "options follow the command: ecsctl <command> [options]");
  throw_usage("unknown command '" + where + name + "'", hint);
}

int run_app(Context& ctx, const std::vector<std::string>& args) {
  try {
    // The completion entry point takes the typed words verbatim, global options included.
    if (!args.empty() && args[0] == "__complete") {
      std::vector<std::string> rest(args.begin() + 1, args.end());
      if (const Command* c = find_command("", "__complete")) return c->run(ctx, rest);
    }
    CommandLine cl = parse_global_options(ctx, args);
    int code = dispatch(ctx, cl);
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
