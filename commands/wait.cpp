#include "commands/wait.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <thread>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/jmespath.hpp"
#include "commands/api.hpp"
#include "commands/workflow.hpp"
#include "schemas/model.hpp"

namespace ecsctl::commands::wait {
namespace {

State state_of(const Json& acceptor) {
  const std::string s = acceptor.value("state", std::string());
  if (s == "success") return State::success;
  if (s == "failure") return State::failure;
  return State::retry;
}

bool is_error(const Json& response) { return response.is_object() && response.contains("Error"); }

// The waiter definition `name` of `service`, or nullptr.
const Json* find_waiter(std::string_view service, std::string_view name) {
  const Json& waiters = model::waiters(service);
  auto it = waiters.find(std::string(name));
  return it == waiters.end() ? nullptr : &*it;
}

std::string waiter_name(std::string_view service, std::string_view command) {
  for (auto& [name, _] : model::waiters(service).items())
    if (model::kebab_case(name) == command) return name;
  return {};
}

void sleep_interruptibly(double seconds) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point until =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < until) {
    check_interrupted();
    Clock::duration left = until - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(100)));
  }
  check_interrupted();
}

[[noreturn]] void waiter_failed(std::string_view name, const std::string& reason, Exit code) {
  throw Error(code, "Waiter " + std::string(name) + " failed: " + reason);
}

double parse_number(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d) || d < 0)
    throw Error(Exit::usage, "argument " + flag + ": expected a non-negative number, got '" + v + "'");
  return d;
}

}  // namespace

State evaluate_acceptor(const Json& acceptor, const Json& response) {
  const std::string matcher = acceptor.value("matcher", std::string());
  const Json expected = acceptor.value("expected", Json());
  if (matcher == "error") {
    if (expected.is_boolean()) return is_error(response) == expected.get<bool>() ? state_of(acceptor) : State::no_match;
    if (!is_error(response)) return State::no_match;
    return response["Error"].value("Code", std::string()) == expected ? state_of(acceptor) : State::no_match;
  }
  if (matcher == "status") return State::no_match;  // HTTP status is not kept in the output shape
  if (is_error(response)) return State::no_match;
  Json result = jmespath::search(acceptor.value("argument", std::string()), response);
  bool matched = false;
  if (matcher == "path") {
    matched = result == expected;
  } else if (matcher == "pathAll" || matcher == "pathAny") {
    if (result.is_array() && !result.empty()) {
      if (matcher == "pathAll") matched = std::all_of(result.begin(), result.end(), [&](const Json& e) { return e == expected; });
      else matched = std::any_of(result.begin(), result.end(), [&](const Json& e) { return e == expected; });
    }
  }
  return matched ? state_of(acceptor) : State::no_match;
}

std::string explain(const Json& acceptor) {
  const std::string m = acceptor.value("matcher", std::string());
  const std::string arg = acceptor.value("argument", std::string());
  const Json e = acceptor.value("expected", Json());
  std::string exp = e.is_string() ? e.get<std::string>() : e.dump();
  if (m == "path") return "For expression \"" + arg + "\" we matched expected path: \"" + exp + "\"";
  if (m == "pathAll") return "For expression \"" + arg + "\" all members matched excepted path: \"" + exp + "\"";
  if (m == "pathAny") return "For expression \"" + arg + "\" we matched expected path: \"" + exp + "\" at least once";
  if (m == "status") return "Matched expected HTTP status code: " + exp;
  if (m == "error") return "Matched expected service error code: " + exp;
  return "No explanation for unknown waiter type: \"" + m + "\"";
}

int run_waiter(Context& ctx, std::string_view service, std::string_view waiter, const Json& input,
               const Options& options) {
  const Json* config = find_waiter(service, waiter);
  if (!config) throw Error(Exit::usage, "no waiter '" + std::string(waiter) + "' for " + std::string(service));
  const double delay = options.delay.value_or(config->value("delay", 15.0));
  const int max_attempts = options.max_attempts.value_or(config->value("maxAttempts", 40));
  const std::string operation = config->at("operation").get<std::string>();
  install_interrupt_handler();
  const auto start = std::chrono::steady_clock::now();
  const Json* last_matched = nullptr;
  // Progress belongs on a terminal (or behind --progress): the AWS CLI prints
  // nothing on stderr while waiting, and scripts capture `2>&1`.
  const bool show_progress = !ctx.opts.quiet && (ctx.stderr_is_tty || options.progress);
  for (int attempt = 1;; ++attempt) {
    check_interrupted();
    Json response;
    try {
      response = api::call_operation(ctx, service, operation, input);
    } catch (const ServiceError& e) {
      response = {{"Error", {{"Code", e.error_code()}, {"Message", e.service_message()}}}};
    }
    State state = State::no_match;
    for (const auto& acceptor : config->at("acceptors")) {
      state = evaluate_acceptor(acceptor, response);
      if (state != State::no_match) {
        last_matched = &acceptor;
        break;
      }
    }
    if (state == State::no_match && is_error(response))
      waiter_failed(waiter, "An error occurred (" + response["Error"].value("Code", std::string("Unknown")) + "): " +
                                response["Error"].value("Message", std::string("Unknown")),
                    Exit::other);
    if (state == State::success) {
      if (show_progress) ctx.err << "Waiter " << waiter << " succeeded after " << attempt << " attempt(s)\n";
      return 0;
    }
    if (state == State::failure)
      waiter_failed(waiter, "Waiter encountered a terminal failure state: " + explain(*last_matched), Exit::other);
    if (attempt >= max_attempts)
      waiter_failed(waiter, last_matched ? "Max attempts exceeded. Previously accepted state: " + explain(*last_matched)
                                         : std::string("Max attempts exceeded"),
                    Exit::wait_timed_out);
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.timeout && elapsed + delay > *options.timeout)
      waiter_failed(waiter, "Timed out after " + std::to_string(static_cast<long>(std::ceil(elapsed))) +
                                "s (--timeout " + std::to_string(static_cast<long>(*options.timeout)) + ")",
                    Exit::wait_timed_out);
    if (show_progress)
      ctx.err << "Waiting for " << waiter << ": attempt " << attempt << "/" << max_attempts << " not done yet, next in "
              << delay << "s\n" << std::flush;
    sleep_interruptibly(delay);
  }
}

int run_wait_command(Context& ctx, std::string_view service, std::string_view name, Args& args) {
  const std::string waiter = waiter_name(service, name);
  if (waiter.empty()) throw Error(Exit::usage, "unknown waiter '" + std::string(name) + "'", "", "run `ecsctl wait --help`");
  const Json& config = *find_waiter(service, waiter);
  auto op = api::find_operation(service, model::kebab_case(config.at("operation").get<std::string>()));
  Options options;
  // --delay and --timeout take seconds or a duration ("30s", "10m", "1h"), as the workflows do.
  if (auto v = args.value("--delay")) options.delay = parse_duration(*v, "--delay");
  if (auto v = args.value("--max-attempts")) options.max_attempts = static_cast<int>(parse_number("--max-attempts", *v));
  if (auto v = args.value("--timeout")) options.timeout = parse_duration(*v, "--timeout");
  options.progress = args.has("--progress");
  // Positional words are the operation's to refuse, as `aws ecs wait` does.
  std::vector<std::string> rest = args.positionals();
  rest.insert(rest.end(), args.rest.begin(), args.rest.end());
  api::Request req = api::parse_request(ctx, *op, rest);
  if (req.skeleton != api::Skeleton::none) {
    ctx.out << (req.skeleton == api::Skeleton::yaml_input ? api::input_skeleton_yaml(*op) : api::input_skeleton_json(*op));
    return 0;
  }
  return run_waiter(ctx, service, waiter, req.input, options);
}

namespace {

// The flags every waiter adds to its operation's.
std::vector<FlagSpec> wait_flags() {
  return {
      {.name = "--delay", .metavar = "DURATION", .help = "time between attempts: seconds, or 30s, 5m, 1h (default: the waiter's)",
       .complete = Completer::duration},
      {.name = "--max-attempts", .metavar = "N", .help = "attempts before giving up with exit 4 (default: the waiter's)"},
      {.name = "--timeout", .metavar = "DURATION", .help = "give up (exit 4) after this long overall: seconds, or 30s, 10m, 1h",
       .complete = Completer::duration},
      {.name = "--progress", .help = "print progress on stderr even when it is not a terminal (default: only on a terminal)"},
  };
}

// The help text of a waiter: what it polls, how often, and the exit codes.
#define ECSCTL_WAITER_HELP(OP, WAITER, DELAY, ATTEMPTS)                                                        \
  "Calls " OP " with the options below until the " WAITER " waiter of the service model is satisfied:\n" \
  "every " DELAY "s, at most " ATTEMPTS " attempts, unless --delay, --max-attempts or --timeout say\n"    \
  "otherwise.\n\n"                                                                                        \
  "Exit codes: 0 done, 4 attempts or time exhausted, 255 a failure state or a service error,\n"           \
  "130 interrupted (SIGINT), 143 terminated (SIGTERM).\n"

// elbv2 wait WAITER: one spec per waiter (the waiter decides the operation).
const CommandSpec elbv2_load_balancer_available{
    .group = "elbv2 wait",
    .name = "load-balancer-available",
    .summary = "wait until load balancers are active (LoadBalancerAvailable)",
    .description = ECSCTL_WAITER_HELP("DescribeLoadBalancers", "LoadBalancerAvailable", "15", "40"),
    .flags = wait_flags(),
    .api_operation = "describe-load-balancers",
    .run = [](Context& ctx, Args& args) { return run_wait_command(ctx, "elbv2", "load-balancer-available", args); },
};

const CommandSpec elbv2_load_balancer_exists{
    .group = "elbv2 wait",
    .name = "load-balancer-exists",
    .summary = "wait until load balancers exist (LoadBalancerExists)",
    .description = ECSCTL_WAITER_HELP("DescribeLoadBalancers", "LoadBalancerExists", "15", "40"),
    .flags = wait_flags(),
    .api_operation = "describe-load-balancers",
    .run = [](Context& ctx, Args& args) { return run_wait_command(ctx, "elbv2", "load-balancer-exists", args); },
};

const CommandSpec elbv2_load_balancers_deleted{
    .group = "elbv2 wait",
    .name = "load-balancers-deleted",
    .summary = "wait until load balancers are gone (LoadBalancersDeleted)",
    .description = ECSCTL_WAITER_HELP("DescribeLoadBalancers", "LoadBalancersDeleted", "15", "40"),
    .flags = wait_flags(),
    .api_operation = "describe-load-balancers",
    .run = [](Context& ctx, Args& args) { return run_wait_command(ctx, "elbv2", "load-balancers-deleted", args); },
};

const CommandSpec elbv2_target_deregistered{
    .group = "elbv2 wait",
    .name = "target-deregistered",
    .summary = "wait until targets are deregistered (TargetDeregistered)",
    .description = ECSCTL_WAITER_HELP("DescribeTargetHealth", "TargetDeregistered", "15", "40"),
    .flags = wait_flags(),
    .api_operation = "describe-target-health",
    .run = [](Context& ctx, Args& args) { return run_wait_command(ctx, "elbv2", "target-deregistered", args); },
};

const CommandSpec elbv2_target_in_service{
    .group = "elbv2 wait",
    .name = "target-in-service",
    .summary = "wait until targets are healthy (TargetInService)",
    .description = ECSCTL_WAITER_HELP("DescribeTargetHealth", "TargetInService", "15", "40"),
    .flags = wait_flags(),
    .api_operation = "describe-target-health",
    .run = [](Context& ctx, Args& args) { return run_wait_command(ctx, "elbv2", "target-in-service", args); },
};

}  // namespace
}  // namespace ecsctl::commands::wait

namespace ecsctl::commands {

const CommandSpec wait_services_stable{
    .group = "wait",
    .name = "services-stable",
    .summary = "wait until services are ACTIVE and steady (ServicesStable)",
    .description = ECSCTL_WAITER_HELP("DescribeServices", "ServicesStable", "15", "40"),
    .flags = wait::wait_flags(),
    .api_operation = "describe-services",
    .run = [](Context& ctx, Args& args) { return wait::run_wait_command(ctx, "ecs", "services-stable", args); },
};

const CommandSpec wait_services_inactive{
    .group = "wait",
    .name = "services-inactive",
    .summary = "wait until services are INACTIVE (ServicesInactive)",
    .description = ECSCTL_WAITER_HELP("DescribeServices", "ServicesInactive", "15", "40"),
    .flags = wait::wait_flags(),
    .api_operation = "describe-services",
    .run = [](Context& ctx, Args& args) { return wait::run_wait_command(ctx, "ecs", "services-inactive", args); },
};

const CommandSpec wait_tasks_running{
    .group = "wait",
    .name = "tasks-running",
    .summary = "wait until tasks are RUNNING (TasksRunning)",
    .description = ECSCTL_WAITER_HELP("DescribeTasks", "TasksRunning", "6", "100"),
    .flags = wait::wait_flags(),
    .api_operation = "describe-tasks",
    .run = [](Context& ctx, Args& args) { return wait::run_wait_command(ctx, "ecs", "tasks-running", args); },
};

const CommandSpec wait_tasks_stopped{
    .group = "wait",
    .name = "tasks-stopped",
    .summary = "wait until tasks are STOPPED (TasksStopped)",
    .description = ECSCTL_WAITER_HELP("DescribeTasks", "TasksStopped", "6", "100"),
    .flags = wait::wait_flags(),
    .api_operation = "describe-tasks",
    .run = [](Context& ctx, Args& args) { return wait::run_wait_command(ctx, "ecs", "tasks-stopped", args); },
};

const CommandSpec elbv2_wait{
    .group = "elbv2",
    .name = "wait",
    .summary = "wait for load balancers or targets (elbv2 waiters)",
    .description = "Each waiter takes the options of its operation (DescribeLoadBalancers or\n"
                   "DescribeTargetHealth) and --delay, --max-attempts, --timeout; see\n"
                   "`ecsctl elbv2 wait WAITER --help`.\n",
    .positionals = {{.name = "WAITER",
                     .help = "the waiter to run",
                     .complete = Completer::choices,
                     .choices = {"load-balancer-available", "load-balancer-exists", "load-balancers-deleted",
                                 "target-deregistered", "target-in-service"}}},
    .subcommands = {&wait::elbv2_load_balancer_available, &wait::elbv2_load_balancer_exists,
                    &wait::elbv2_load_balancers_deleted, &wait::elbv2_target_deregistered,
                    &wait::elbv2_target_in_service},
};

#undef ECSCTL_WAITER_HELP

}  // namespace ecsctl::commands
