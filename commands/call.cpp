// `ecsctl __call SERVICE OPERATION [JSON] [--max-items N] [--page-size N]
// [--starting-token T] [--no-paginate]`: a hidden, test-only way to drive the
// client layer directly with the model's operation names and JSON input.
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "client/api.hpp"

namespace ecsctl::commands {
namespace {

long number_arg(const std::vector<std::string>& args, size_t i, const std::string& flag) {
  if (i >= args.size()) throw_usage(flag + " needs a value");
  try {
    size_t used = 0;
    long n = std::stol(args[i], &used);
    if (used == args[i].size() && n > 0) return n;
  } catch (const std::exception&) {
  }
  throw_usage(flag + " must be a positive whole number, got '" + args[i] + "'");
}

int run_call(Context& ctx, std::vector<std::string>& args) {
  std::vector<std::string> positional;
  client::PageOptions page;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--max-items") page.max_items = number_arg(args, ++i, a);
    else if (a == "--page-size") page.page_size = number_arg(args, ++i, a);
    else if (a == "--starting-token") {
      if (++i >= args.size()) throw_usage("--starting-token needs a value");
      page.starting_token = args[i];
    } else if (a == "--no-paginate") page.paginate = false;
    else positional.push_back(a);
  }
  if (positional.size() < 2 || positional.size() > 3)
    throw_usage("usage: ecsctl __call SERVICE OPERATION [JSON]");
  Json input = Json::object();
  if (positional.size() == 3) {
    input = Json::parse(positional[2], nullptr, false);
    if (!input.is_object()) throw_usage("the input must be a JSON object");
  }
  Json result = client::call_paginated(ctx, positional[0], positional[1], input, page);
  print_result(ctx, result, positional[1]);
  return 0;
}


}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec internal_call{
    .group = "",
    .name = "__call",
    .summary = "Call SERVICE OPERATION with JSON input (test tool)",
    .run = [](Context& ctx, Args& args) { return run_call(ctx, args.rest); },
    .hidden = true,
    .raw = true,
};

}  // namespace ecsctl::commands
