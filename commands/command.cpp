#include "commands/command.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ecsctl {

std::optional<std::string> Args::value(std::string_view flag) const {
  for (auto it = m_values.rbegin(); it != m_values.rend(); ++it)
    if (it->first == flag) return it->second;
  return std::nullopt;
}

std::vector<std::string> Args::values(std::string_view flag) const {
  std::vector<std::string> out;
  for (const auto& [f, v] : m_values)
    if (f == flag) out.push_back(v);
  return out;
}

bool Args::has(std::string_view flag) const {
  return std::any_of(m_values.begin(), m_values.end(), [&](const auto& p) { return p.first == flag; });
}

std::optional<std::string> Args::positional(std::size_t i) const {
  if (i < m_positionals.size()) return m_positionals[i];
  return std::nullopt;
}

void Args::add(std::string_view flag, std::string value) { m_values.emplace_back(std::string(flag), std::move(value)); }

std::string_view completer_name(Completer c) {
  switch (c) {
    case Completer::none: return "none";
    case Completer::file: return "file";
    case Completer::directory: return "directory";
    case Completer::cluster: return "cluster";
    case Completer::service: return "service";
    case Completer::task: return "task";
    case Completer::task_definition: return "task-definition";
    case Completer::task_definition_or_file: return "task-definition-or-file";
    case Completer::container: return "container";
    case Completer::duration: return "duration";
    case Completer::choices: return "choices";
    case Completer::region: return "region";
    case Completer::profile: return "profile";
    case Completer::target_group: return "target-group";
    case Completer::load_balancer: return "load-balancer";
    case Completer::scheduled_task: return "scheduled-task";
    case Completer::log_group: return "log-group";
  }
  return "none";
}

std::vector<FlagSpec> flags_with(std::vector<FlagSpec> own, const std::vector<FlagSpec>& shared) {
  own.insert(own.end(), shared.begin(), shared.end());
  return own;
}

double parse_duration(std::string_view text, std::string_view flag) {
  std::string s(text);
  double mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 's': mult = 1; s.pop_back(); break;
      case 'm': mult = 60; s.pop_back(); break;
      case 'h': mult = 3600; s.pop_back(); break;
      case 'd': mult = 86400; s.pop_back(); break;
      default: break;
    }
  }
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && v >= 0 && std::isfinite(v)) return v * mult;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("invalid duration '{}' for {}", text, flag),
              "use a number of seconds or a number with s, m, h or d (e.g. 90s, 10m, 2h)");
}

long parse_count(std::string_view text, std::string_view flag) {
  try {
    std::size_t used = 0;
    long v = std::stol(std::string(text), &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw_usage(fmt::format("invalid count '{}' for {}", text, flag),
              "use a whole number, 0 or more");
}

const FlagSpec* find_flag(const CommandSpec& spec, std::string_view name) {
  for (const auto& f : spec.flags)
    if (f.name == name) return &f;
  return nullptr;
}

std::string command_path(const CommandSpec& spec) {
  std::string path = "ecsctl ";
  if (!spec.group.empty()) path += std::string(spec.group) + " ";
  return path + std::string(spec.name);
}

namespace {

bool is_option_word(std::string_view w) { return w.size() > 2 && w.substr(0, 2) == "--"; }

std::string join(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : std::string(sep)) + n;
  return out;
}

// The full name a long option word stands for: itself when it is a flag of the
// command or of its operation, else the one flag it is a unique prefix of.
std::string resolve_option(const CommandSpec& spec, const std::vector<std::string>& other,
                           const std::string& name) {
  if (find_flag(spec, name)) return name;
  if (std::find(other.begin(), other.end(), name) != other.end()) return name;
  std::vector<std::string> matches;
  for (const auto& f : spec.flags)
    if (f.name.substr(0, name.size()) == name) matches.emplace_back(f.name);
  for (const auto& o : other)
    if (o.substr(0, name.size()) == name && std::find(matches.begin(), matches.end(), o) == matches.end())
      matches.push_back(o);
  if (matches.size() == 1) return matches[0];
  if (matches.size() > 1) {
    std::sort(matches.begin(), matches.end());
    throw_usage(fmt::format("ambiguous option: {} could match {}", name, join(matches, ", ")),
                "type more of the option's name");
  }
  return {};
}

void check_choice(std::string_view name, const std::vector<std::string_view>& choices, const std::string& value) {
  if (choices.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) return;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  throw_usage(fmt::format("argument {}: Invalid choice: '{}'", name, value), "choose from " + list);
}

void check_choice(const FlagSpec& f, const std::string& value) { check_choice(f.name, f.choices, value); }

}  // namespace

Args parse_command_line(const CommandSpec& spec, const std::vector<std::string>& words,
                        const std::vector<std::string>& other_flags) {
  Args args;
  if (spec.raw) {
    args.rest = words;
    return args;
  }
  bool positional_only = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!positional_only && (w == "--help" || w == "-h")) {
      args.help = true;
      continue;
    }
    if (!positional_only && w == "--") {
      positional_only = true;
      continue;
    }
    if (positional_only || !is_option_word(w)) {
      if (words.size() == 1 && w == "help" && !positional_only) {
        args.help = true;
        continue;
      }
      args.add_positional(w);
      continue;
    }
    std::string name = w, inline_value;
    bool has_inline = false;
    if (auto eq = w.find('='); eq != std::string::npos) {
      name = w.substr(0, eq);
      inline_value = w.substr(eq + 1);
      has_inline = true;
    }
    std::string full = resolve_option(spec, other_flags, name);
    if (full.empty()) {
      if (args.help) continue;  // `--help` wins over a typo after it
      throw_usage("Unknown options: " + w,
                  fmt::format("run `{} --help` for its options", command_path(spec)));
    }
    const FlagSpec* f = find_flag(spec, full);
    if (!f) {  // the operation's flag: it and its values go on to the operation's parser
      args.rest.push_back(has_inline ? full + "=" + inline_value : full);
      if (!has_inline)
        while (i + 1 < words.size() && !is_option_word(words[i + 1])) args.rest.push_back(words[++i]);
      continue;
    }
    if (f->metavar.empty()) {
      if (has_inline)
        throw_usage(fmt::format("argument {}: ignored explicit argument '{}'", f->name, inline_value),
                    fmt::format("{} is a switch; give it without a value", f->name));
      args.add(f->name, "");
      continue;
    }
    if (has_inline) {
      check_choice(*f, inline_value);
      args.add(f->name, inline_value);
    } else {
      if (i + 1 >= words.size() || is_option_word(words[i + 1])) {
        if (args.help) continue;
        throw_usage(fmt::format("argument {}: expected one argument", f->name),
                    fmt::format("e.g. {} {}", f->name, f->metavar));
      }
      check_choice(*f, words[i + 1]);
      args.add(f->name, words[++i]);
    }
    if (f->repeats)
      while (i + 1 < words.size() && !is_option_word(words[i + 1])) {
        check_choice(*f, words[i + 1]);
        args.add(f->name, words[++i]);
      }
  }
  if (args.help) return args;

  // Positionals: more than declared go to the operation (which refuses them) or are refused here.
  std::size_t accepted = 0;
  for (const auto& p : spec.positionals) accepted = p.many ? args.positionals().size() : accepted + 1;
  if (args.positionals().size() > accepted) {
    const std::string& extra = args.positionals()[accepted];
    if (spec.api_operation.empty())
      throw_usage("Unknown options: " + extra,
                  fmt::format("run `{} --help` for its arguments", command_path(spec)));
  }
  for (std::size_t i = 0, p = 0; i < args.positionals().size() && p < spec.positionals.size(); ++i) {
    check_choice(spec.positionals[p].name, spec.positionals[p].choices, args.positionals()[i]);
    if (!spec.positionals[p].many) ++p;
  }
  for (std::size_t p = 0; p < spec.positionals.size(); ++p)
    if (spec.positionals[p].required && p >= args.positionals().size())
      throw_usage(fmt::format("the following arguments are required: {}", spec.positionals[p].name),
                  fmt::format("usage: {} {}", command_path(spec), spec.positionals[p].name));
  for (const auto& f : spec.flags)
    if (f.required && !args.has(f.name))
      throw_usage(fmt::format("the following arguments are required: {}", f.name),
                  fmt::format("e.g. {} {}", f.name, f.metavar));
  return args;
}

void print_command_help(Context& ctx, const CommandSpec& spec) {
  auto& o = ctx.out;
  std::string usage = command_path(spec);
  for (const auto& p : spec.positionals) {
    std::string n(p.name);
    if (p.many) n += " ...";
    usage += p.required ? " " + n : " [" + n + "]";
  }
  if (!spec.flags.empty() || !spec.api_operation.empty()) usage += " [options]";
  o << "Usage: " << usage << "\n\n" << spec.summary << "\n";
  auto row = [&](const std::string& left, std::string_view help) {
    o << fmt::format("  {:<30}", left);
    if (left.size() >= 30) o << "\n" << std::string(32, ' ');
    o << help << "\n";
  };
  if (!spec.positionals.empty()) {
    o << "\nArguments:\n";
    for (const auto& p : spec.positionals) {
      std::string help(p.help);
      if (!p.choices.empty()) {
        std::string list;
        for (auto c : p.choices) list += (list.empty() ? "" : "|") + std::string(c);
        help += " (" + list + ")";
      }
      row(std::string(p.name), help);
    }
  }
  if (!spec.subcommands.empty()) {
    o << "\nCommands:\n";
    for (const CommandSpec* c : spec.subcommands) row(std::string(c->name), c->summary);
  }
  if (!spec.flags.empty()) {
    o << "\nOptions:\n";
    for (const auto& f : spec.flags) {
      std::string left(f.name);
      if (!f.metavar.empty()) left += " " + std::string(f.metavar);
      if (f.repeats) left += " ...";
      std::string help(f.help);
      if (!f.choices.empty()) {
        std::string list;
        for (auto c : f.choices) list += (list.empty() ? "" : "|") + std::string(c);
        help += " (" + list + ")";
      }
      if (f.required) help += " [required]";
      row(left, help);
    }
  }
  row("-h, --help", "show this help (also: ecsctl help " +
                        (spec.group.empty() ? "" : std::string(spec.group) + " ") + std::string(spec.name) + ")");
  if (!spec.description.empty()) o << "\n" << spec.description;
  if (!spec.description.empty() && spec.description.back() != '\n') o << "\n";
}

const std::vector<CommandGroup>& command_groups() {
  static const std::vector<CommandGroup> groups = {
      {"elbv2", "Elastic Load Balancing v2 operations (target groups, load balancers, listeners)"},
      {"events", "Amazon EventBridge operations (rules and targets)"},
      {"scheduler", "Amazon EventBridge Scheduler operations (schedules)"},
      {"wait", "Wait until services or tasks reach a state"},
      {"local", "Run and manage the local ECS-compatible control plane"},
  };
  return groups;
}

bool is_group(std::string_view name) {
  const auto& g = command_groups();
  return std::any_of(g.begin(), g.end(), [&](const CommandGroup& x) { return x.name == name; });
}

}  // namespace ecsctl
