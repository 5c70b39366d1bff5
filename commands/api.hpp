// The generic, model-driven API commands: every operation of the ECS, ELBv2,
// EventBridge and Scheduler models as a command with the AWS CLI's name,
// flags and input forms. Hand-written commands reuse parse_request() and
// call_operation() for their own API calls.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "client/api.hpp"

namespace ecsctl::commands::api {

// The model (service) name behind a command group: "" -> "ecs", "elbv2",
// "events", "scheduler"; "logs" is accepted for internal use. nullopt otherwise.
std::optional<std::string> service_for_group(std::string_view group);

// One flag of an operation: an input member (booleans have a second, negative
// flag), or one of the AWS CLI's added options (paging, --cli-input-json, ...).
struct ArgSpec {
  std::string cli_name;     // "--task-definition"
  std::string member;       // "taskDefinition"; empty for added options
  std::string shape;        // the member's shape name
  std::string type;         // "string", "integer", "list", "structure", ...
  bool required = false;
  bool negative = false;    // the --no-<flag> of a boolean
  bool undocumented = false;// a paging member shadowed by --starting-token/--page-size/--max-items
};

struct Operation {
  std::string service;      // "ecs"
  std::string name;         // "RunTask"
  std::string command;      // "run-task"
  const Json* model = nullptr;      // the service model
  std::string input_shape;          // "RunTaskRequest"
  std::string output_shape;         // may be empty
  const Json* paginator = nullptr;  // the paginators-1.json entry, if any
  std::vector<ArgSpec> args;        // input members, model order
};

// Whether `name` is an API operation of command group `group` ("" is ECS).
bool is_operation_command(std::string_view group, std::string_view name);
// The operation command names of group `group`, sorted (none for "logs").
std::vector<std::string> operation_commands(std::string_view group);

// The kebab-case command names of a service's operations, sorted.
std::vector<std::string> operation_names(std::string_view service);

// The operation `command` ("run-task") of `service`, or nullopt.
std::optional<Operation> find_operation(std::string_view service, std::string_view command);

enum class Skeleton { none, input, yaml_input, output };

// A parsed command line: the request body in the AWS CLI's JSON shape and how
// to send it.
struct Request {
  Json input = Json::object();
  client::PageOptions page;
  bool paginated = false;       // the operation has a paginator and paging is on
  Skeleton skeleton = Skeleton::none;
  bool help = false;            // --help / -h
  bool print_request = false;   // hidden --ecsctl-print-request: print, do not send
  // What the model does not know but is sent anyway (a value outside an enum),
  // for a hint when the service rejects the request.
  std::vector<std::string> notes;
};

// Adds `req.notes` to the hint of a service error `e` answered to `req`.
void add_notes_to(ServiceError& e, const Request& req);

// Parses the words after the command name. Enforces required members, types
// and minima as botocore does (not enums: see Request::notes); throws
// Error(Exit::usage) with the AWS CLI's wording. Required
// members named in `supplied_later` ("taskDefinition") may be missing: the
// command that extends the operation fills them in (run-task with a file).
Request parse_request(Context& ctx, const Operation& op, const std::vector<std::string>& args,
                      const std::vector<std::string>& supplied_later = {});

// Sends `operation` (model name, e.g. "DescribeServices") of `service`; used by
// waiters and workflows. Throws as client::call does.
Json call_operation(Context& ctx, std::string_view service, std::string_view operation, const Json& input);

// Runs `command` of `service` with `args` as the dispatcher does: parse, then
// help, skeleton or call and print. Returns the exit code.
int run_operation(Context& ctx, std::string_view service, std::string_view command,
                  const std::vector<std::string>& args);

// What run_operation does once the words are parsed: the skeleton, the hidden
// --ecsctl-print-request, or send `req` and print the result. Hand-written
// commands that extend an operation finish with it when they add nothing.
int send_request(Context& ctx, const Operation& op, const Request& req);

// The operation a hand-written command extends (CommandSpec::api_operation), or nullopt.
std::optional<Operation> extended_operation(const CommandSpec& spec);
// Every flag parse_request takes for `op`, which parse_command_line leaves to
// it: its members' flags (and their --no- forms), paging, the AWS CLI's added
// options (--cli-input-json, --cli-input-yaml, --generate-cli-skeleton,
// --no-paginate) and the hidden --ecsctl-print-request.
std::vector<std::string> operation_flag_names(const Operation& op);

// `command --help`: every flag with its type, required marker, enum values and
// an example.
void print_operation_help(Context& ctx, const Operation& op, std::string_view group);

// The --generate-cli-skeleton output for `which` (input JSON, YAML input, or
// the output shape with member names), as the AWS CLI prints it.
std::string input_skeleton_json(const Operation& op);
std::string input_skeleton_yaml(const Operation& op);
Json output_skeleton(const Operation& op);

}  // namespace ecsctl::commands::api
