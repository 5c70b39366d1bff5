// Waiters from the models' waiters-2.json (`ecsctl wait services-stable ...`,
// `ecsctl elbv2 wait target-in-service ...`), with --delay, --max-attempts and
// --timeout on top of the AWS CLI's behaviour.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.hpp"
#include "core/context.hpp"
#include "core/json.hpp"

namespace ecsctl::commands::wait {

// What one acceptor decides about a response: its state when it matches.
enum class State { no_match, success, failure, retry };

// Evaluates one acceptor ({"matcher","argument","expected","state"}) against
// `response`, which is either the operation's output or, after a service
// error, {"Error": {"Code": ..., "Message": ...}}. Paths use jmespath::search.
State evaluate_acceptor(const Json& acceptor, const Json& response);

// botocore's explanation of an acceptor ("For expression ... we matched ...").
std::string explain(const Json& acceptor);

struct Options {
  std::optional<double> delay;        // seconds between attempts (model default)
  std::optional<int> max_attempts;    // model default
  std::optional<double> timeout;      // overall seconds, none by default
  // Progress lines on stderr even when it is not a terminal (--progress). Like the
  // AWS CLI, a waiter prints nothing on a non-terminal stderr by default.
  bool progress = false;
};

// Runs waiter `waiter` ("ServicesStable") of `service` with `input` until an
// acceptor succeeds (returns 0) or fails (Error, exit 255), attempts or time
// run out (Error, exit 4), or Ctrl-C (exit 130).
int run_waiter(Context& ctx, std::string_view service, std::string_view waiter, const Json& input,
               const Options& options);

// `ecsctl [group] wait NAME args...` for `service`: the waiter's operation
// flags (args.rest) plus --delay/--max-attempts/--timeout, then run_waiter.
int run_wait_command(Context& ctx, std::string_view service, std::string_view name, Args& args);

}  // namespace ecsctl::commands::wait
