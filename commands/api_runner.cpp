// Every API operation of the models as a command: the dispatcher runs one when
// the command table has no hand-written command of that name.
#include <algorithm>
#include <ostream>

#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/api.hpp"

namespace ecsctl::commands::api {

Json call_operation(Context& ctx, std::string_view service, std::string_view operation, const Json& input) {
  return client::call(ctx, service, operation, input);
}

int run_operation(Context& ctx, std::string_view service, std::string_view command,
                  const std::vector<std::string>& args) {
  auto op = find_operation(service, command);
  if (!op) throw Error(Exit::usage, "unknown operation '" + std::string(command) + "' of " + std::string(service));
  return send_request(ctx, *op, parse_request(ctx, *op, args));
}

int send_request(Context& ctx, const Operation& op, const Request& req) {
  std::string group = op.service == "ecs" ? "" : op.service;
  if (req.help) {
    print_operation_help(ctx, op, group);
    return 0;
  }
  switch (req.skeleton) {
    case Skeleton::input:
      ctx.out << input_skeleton_json(op);
      return 0;
    case Skeleton::yaml_input:
      ctx.out << input_skeleton_yaml(op);
      return 0;
    case Skeleton::output:
      print_result(ctx, output_skeleton(op), op.name);
      return 0;
    case Skeleton::none:
      break;
  }
  if (req.print_request) {
    Json shown = {{"service", op.service}, {"operation", op.name}, {"input", req.input}};
    if (req.paginated) shown["paginate"] = true;
    ctx.out << shown.dump(4) << "\n";
    return 0;
  }
  try {
    if (!req.paginated) {
      print_result(ctx, client::call(ctx, op.service, op.name, req.input), op.name);
      return 0;
    }
    // Text output of a paged operation is written page by page, --query applied
    // to each page, and a NEXTTOKEN row last, as the AWS CLI's text formatter
    // does; the other formats print the merged result.
    bool paged_text = ctx.opts.output == OutputFormat::text;
    bool printed_pages = false;
    client::PageOptions paging = req.page;
    if (paged_text)
      paging.on_page = [&](const Json& page) {
        printed_pages = true;
        print_result(ctx, page, op.name);
      };
    Json result = client::call_paginated(ctx, op.service, op.name, req.input, paging);
    if (!paged_text || !printed_pages) {
      print_result(ctx, result, op.name);
      return 0;
    }
    if (result.contains("NextToken")) print_result(ctx, Json{{"NextToken", {{"NextToken", result["NextToken"]}}}}, op.name);
  } catch (ServiceError& e) {
    add_notes_to(e, req);
    throw;
  }
  return 0;
}

void add_notes_to(ServiceError& e, const Request& req) {
  if (req.notes.empty() || e.http_status() >= 500) return;
  std::string hint = e.hint();
  for (const auto& n : req.notes) {
    // Only a note about the value the service names: "launchType: 'BOGUS' is not one of ...".
    auto open = n.find(": '");
    auto close = n.find("' is not one of");
    if (open == std::string::npos || close == std::string::npos || close < open + 3) continue;
    std::string value = n.substr(open + 3, close - open - 3);
    if (e.service_message().find(value) == std::string::npos) continue;
    hint += (hint.empty() ? "" : "\n        ") + n;
  }
  e.set_hint(std::move(hint));
}

std::optional<Operation> extended_operation(const CommandSpec& spec) {
  if (spec.api_operation.empty()) return std::nullopt;
  // The group's model; "wait" holds ECS's waiters, "elbv2 wait" elbv2's.
  std::string_view group = spec.group.substr(0, spec.group.find(' '));
  return find_operation(service_for_group(group).value_or("ecs"), spec.api_operation);
}

bool is_operation_command(std::string_view group, std::string_view name) {
  auto service = service_for_group(group);
  if (!service || group == "logs") return false;
  auto names = operation_names(*service);
  return std::binary_search(names.begin(), names.end(), std::string(name));
}

std::vector<std::string> operation_commands(std::string_view group) {
  auto service = service_for_group(group);
  if (!service || group == "logs") return {};
  return operation_names(*service);
}

}  // namespace ecsctl::commands::api
