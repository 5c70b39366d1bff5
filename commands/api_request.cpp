// Command line -> API request, as the AWS CLI's argparse table and argument
// processing do it (see api.hpp).
#include <algorithm>
#include <map>
#include <random>

#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "core/suggest.hpp"
#include "commands/api.hpp"
#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::commands::api {
namespace {

const char* const k_cli_input_json = "--cli-input-json";
const char* const k_cli_input_yaml = "--cli-input-yaml";
const char* const k_skeleton = "--generate-cli-skeleton";
const char* const k_print_request = "--ecsctl-print-request";

bool is_option(const std::string& w) { return w.size() > 2 && w[0] == '-' && w[1] == '-'; }

std::string uuid4() {
  std::random_device rd;
  std::uniform_int_distribution<int> nib(0, 15);
  const char* hex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (auto& c : s) {
    if (c == 'x') c = hex[nib(rd)];
    else if (c == 'y') c = hex[8 + nib(rd) % 4];
  }
  return s;
}

std::vector<std::string> all_flag_names(const Operation& op, bool paginate) {
  std::vector<std::string> names;
  for (const auto& a : op.args)
    if (!a.undocumented || !paginate) names.push_back(a.cli_name);
  for (const char* n : {k_cli_input_json, k_cli_input_yaml, k_skeleton, "--no-paginate", "--help"}) names.push_back(n);
  return names;
}

// Option words with an abbreviated name spelt out: argparse (and so the AWS
// CLI) accepts any unique prefix of a long option (`--clust web`). An exact
// name always wins; a prefix of several names is an error naming them.
std::vector<std::string> expand_abbreviations(const Operation& op, const std::vector<std::string>& args) {
  std::vector<std::string> names = all_flag_names(op, false);
  names.push_back(k_print_request);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const auto& word : args) {
    if (!is_option(word)) {
      out.push_back(word);
      continue;
    }
    auto eq = word.find('=');
    std::string name = word.substr(0, eq);
    if (std::binary_search(names.begin(), names.end(), name)) {
      out.push_back(word);
      continue;
    }
    std::vector<std::string> matches;
    for (const auto& n : names)
      if (n.compare(0, name.size(), name) == 0) matches.push_back(n);
    if (matches.size() > 1) {
      std::string list;
      for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
      throw Error(Exit::usage, "ambiguous option: " + name + " could match " + list, "",
                  "spell the option out in full");
    }
    out.push_back(matches.empty() ? word : matches[0] + (eq == std::string::npos ? "" : word.substr(eq)));
  }
  return out;
}

}  // namespace

std::vector<std::string> operation_flag_names(const Operation& op) {
  std::vector<std::string> names = all_flag_names(op, false);
  names.erase(std::remove(names.begin(), names.end(), "--help"), names.end());
  names.push_back(k_print_request);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

namespace {

// The member ArgSpec for `flag`; paging options shadow same-named members
// while pagination is on.
const ArgSpec* find_arg(const Operation& op, std::string_view flag, bool paginate) {
  const ArgSpec* member = nullptr;
  const ArgSpec* paging = nullptr;
  for (const auto& a : op.args) {
    if (a.cli_name != flag) continue;
    (a.member.empty() ? paging : member) = &a;
  }
  if (paging && paginate) return paging;
  return member ? member : paging;
}

long parse_long(const std::string& flag, const std::string& v) {
  try {
    std::size_t used = 0;
    long n = std::stol(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  throw Error(Exit::usage, "argument " + flag + ": invalid int value: '" + v + "'");
}

struct Parsed {
  std::map<std::string, std::vector<std::string>> values;  // member flag -> words
  std::vector<std::string> order;
  std::optional<std::string> cli_input_json, cli_input_yaml, starting_token;
  std::optional<std::string> page_size, max_items;
  std::vector<std::string> unknown;
};

// Splits the words into flags and their values (argparse's nargs rules).
Parsed scan(const Operation& op, const std::vector<std::string>& args, bool paginate, Request& req) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (flag == "--help" || flag == "-h") {
      req.help = true;
      continue;
    }
    if (!is_option(flag)) {
      p.unknown.push_back(flag);
      continue;
    }
    if (auto eq = flag.find('='); eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto take_one = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size() || is_option(args[i + 1]))
        throw Error(Exit::usage, "argument " + flag + ": expected one argument");
      return args[++i];
    };
    if (flag == "--no-paginate") continue;
    if (flag == k_print_request) {
      req.print_request = true;
      continue;
    }
    if (flag == k_cli_input_json) { p.cli_input_json = take_one(); continue; }
    if (flag == k_cli_input_yaml) { p.cli_input_yaml = take_one(); continue; }
    if (flag == k_skeleton) {
      std::string v = "input";
      if (inline_value) v = *inline_value;
      else if (i + 1 < args.size() && !is_option(args[i + 1])) v = args[++i];
      if (v == "input") req.skeleton = Skeleton::input;
      else if (v == "yaml-input") req.skeleton = Skeleton::yaml_input;
      else if (v == "output") req.skeleton = Skeleton::output;
      else
        throw Error(Exit::usage, "argument --generate-cli-skeleton: Invalid choice '" + v + "'",
                    "", "valid choices are: input, yaml-input, output");
      continue;
    }
    const ArgSpec* a = find_arg(op, flag, paginate);
    if (!a) {
      p.unknown.push_back(flag);
      if (!inline_value)
        while (i + 1 < args.size() && !is_option(args[i + 1])) ++i;  // skip its values
      continue;
    }
    if (a->member.empty()) {
      std::string v = take_one();
      if (flag == "--starting-token") p.starting_token = v;
      else if (flag == "--page-size") p.page_size = v;
      else p.max_items = v;
      continue;
    }
    std::vector<std::string> words;
    if (a->type == "boolean") {
      if (inline_value) throw Error(Exit::usage, "argument " + flag + ": ignored explicit argument '" + *inline_value + "'");
      words.push_back(a->negative ? "false" : "true");
    } else if (a->type == "list") {
      if (inline_value) words.push_back(*inline_value);
      else
        while (i + 1 < args.size() && !is_option(args[i + 1])) words.push_back(args[++i]);
    } else {
      words.push_back(take_one());
    }
    if (!p.values.count(a->member)) p.order.push_back(a->member);
    p.values[a->member] = std::move(words);
  }
  return p;
}

void report_unknown(const Operation& op, const std::vector<std::string>& unknown, bool paginate) {
  std::string list;
  for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
  std::string hint = "run `ecsctl " + (op.service == "ecs" ? std::string() : op.service + " ") + op.command +
                     " --help` for its options";
  if (is_option(unknown[0]))
    if (auto m = closest_match(unknown[0], all_flag_names(op, paginate))) hint = "did you mean '" + *m + "'?";
  throw Error(Exit::usage, "Unknown options: " + list, "", hint);
}

void merge_cli_input(Context& ctx, const Parsed& p, Json& input) {
  if (p.cli_input_json && p.cli_input_yaml)
    throw Error(Exit::usage, "Only one --cli-input- parameter may be specified.");
  if (!p.cli_input_json && !p.cli_input_yaml) return;
  const bool json = p.cli_input_json.has_value();
  const char* flag = json ? k_cli_input_json : k_cli_input_yaml;
  std::string text = json ? *p.cli_input_json : *p.cli_input_yaml;
  if (auto content = param::read_param_file(text, flag, ctx.env)) text = std::move(*content);
  Json loaded = json ? param::parse_json(text, flag) : param::parse_yaml(text, flag);
  if (!loaded.is_object())
    throw Error(Exit::usage, std::string("Error parsing parameter '") + flag +
                                 "': Invalid type: expecting map, received " + loaded.type_name());
  for (auto& [k, v] : loaded.items())
    if (!input.contains(k)) input[k] = v;
}

void check_required(const Operation& op, const Json& input, const std::vector<std::string>& supplied_later) {
  std::string missing;
  for (const auto& a : op.args)
    if (a.required && !a.negative && !input.contains(a.member) &&
        std::find(supplied_later.begin(), supplied_later.end(), a.member) == supplied_later.end())
      missing += (missing.empty() ? "" : ", ") + a.cli_name;
  if (!missing.empty())
    throw Error(Exit::usage, "the following arguments are required: " + missing, "",
                "see `ecsctl " + (op.service == "ecs" ? std::string() : op.service + " ") + op.command + " --help`");
}

void apply_paging(const Operation& op, const Parsed& p, bool no_paginate_flag, Request& req) {
  if (!op.paginator) return;
  req.paginated = !no_paginate_flag;
  // Manual paging (an input token or the limit key in the input) turns
  // pagination off, as the AWS CLI does.
  for (const auto& a : op.args)
    if (a.undocumented && req.input.contains(a.member)) req.paginated = false;
  if (!req.paginated) {
    std::string used;
    if (p.starting_token) used += "--starting-token";
    if (p.page_size) used += std::string(used.empty() ? "" : ", ") + "--page-size";
    if (p.max_items) used += std::string(used.empty() ? "" : ", ") + "--max-items";
    if (!used.empty())
      throw Error(Exit::usage, "Cannot specify --no-paginate along with pagination arguments: " + used);
    req.page.paginate = false;
    return;
  }
  req.page.starting_token = p.starting_token;
  if (p.page_size) req.page.page_size = parse_long("--page-size", *p.page_size);
  if (p.max_items) req.page.max_items = parse_long("--max-items", *p.max_items);
}

}  // namespace

Request parse_request(Context& ctx, const Operation& op, const std::vector<std::string>& given,
                      const std::vector<std::string>& supplied_later) {
  Request req;
  const std::vector<std::string> args = expand_abbreviations(op, given);
  const bool no_paginate = std::find(args.begin(), args.end(), "--no-paginate") != args.end();
  Parsed p = scan(op, args, op.paginator && !no_paginate, req);
  if (req.help) return req;
  if (!p.unknown.empty()) report_unknown(op, p.unknown, op.paginator && !no_paginate);
  if (req.skeleton == Skeleton::input || req.skeleton == Skeleton::yaml_input) return req;
  const model::OperationView& view = model::view(op.service, op.name);
  for (const auto& a : op.args) {
    auto it = p.values.find(a.member);
    if (a.member.empty() || a.negative || it == p.values.end() || req.input.contains(a.member)) continue;
    req.input[a.member] = param::parse_argument(view.shape(a.shape), a.cli_name, it->second, ctx.env);
  }
  merge_cli_input(ctx, p, req.input);
  check_required(op, req.input, supplied_later);
  if (view.input) {
    for (const auto& m : view.input->members)
      if (m.idempotency_token && !req.input.contains(m.name)) req.input[m.name] = uuid4();
    // botocore's checks: values outside an enum are sent, as the AWS CLI sends
    // them (the service may know values this model does not); they become notes.
    model::Findings findings = model::validate(*view.input, req.input, model::client_checks(supplied_later));
    model::throw_client_error(findings);
    for (const auto& note : findings.notes) {
      req.notes.push_back(model::client_note(note));
      if (ctx.opts.debug) ctx.err << "ecsctl: debug: " << req.notes.back() << "\n";
    }
  }
  apply_paging(op, p, no_paginate, req);
  return req;
}

}  // namespace ecsctl::commands::api
