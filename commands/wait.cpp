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

namespace ecsctl::wait {
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
      if (!ctx.opts.quiet) ctx.err << "Waiter " << waiter << " succeeded after " << attempt << " attempt(s)\n";
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
    if (!ctx.opts.quiet)
      ctx.err << "Waiting for " << waiter << ": attempt " << attempt << "/" << max_attempts << " not done yet, next in "
              << delay << "s\n" << std::flush;
    sleep_interruptibly(delay);
  }
}

int run_wait_command(Context& ctx, std::string_view service, std::string_view name,
                     const std::vector<std::string>& args) {
  const std::string waiter = waiter_name(service, name);
  if (waiter.empty()) throw Error(Exit::usage, "unknown waiter '" + std::string(name) + "'", "", "run `ecsctl wait --help`");
  const Json& config = *find_waiter(service, waiter);
  auto op = api::find_operation(service, model::kebab_case(config.at("operation").get<std::string>()));
  Options options;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(Exit::usage, "argument " + a + ": expected one argument");
      return args[++i];
    };
    // --delay and --timeout take seconds or a duration ("30s", "10m", "1h"), as the workflows do.
    if (a == "--delay") options.delay = parse_duration(value(), a);
    else if (a == "--max-attempts") options.max_attempts = static_cast<int>(parse_number(a, value()));
    else if (a == "--timeout") options.timeout = parse_duration(value(), a);
    else rest.push_back(a);
  }
  api::Request req = api::parse_request(ctx, *op, rest);
  if (req.help) {
    ctx.out << "Waits until " << op->name << " satisfies the " << waiter << " waiter (every "
            << config.value("delay", 15) << "s, at most " << config.value("maxAttempts", 40) << " attempts).\n"
            << "Extra options: --delay DURATION, --max-attempts N, --timeout DURATION (overall; seconds, or 30s, 10m, 1h).\n"
            << "Exit codes: 0 done, 4 attempts or time exhausted, 255 a failure state, 130 interrupted.\n\n";
    api::print_operation_help(ctx, *op, service == "ecs" ? "" : service);
    return 0;
  }
  if (req.skeleton != api::Skeleton::none) {
    ctx.out << (req.skeleton == api::Skeleton::yaml_input ? api::input_skeleton_yaml(*op) : api::input_skeleton_json(*op));
    return 0;
  }
  return run_waiter(ctx, service, waiter, req.input, options);
}

namespace {

template <const char* Service, const char* Name>
int run_fixed(Context& ctx, std::vector<std::string>& args) {
  return run_wait_command(ctx, Service, Name, args);
}

int run_elbv2_wait(Context& ctx, std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    ctx.out << "Usage: ecsctl elbv2 wait <waiter> [options]\n\nWaiters:\n";
    for (auto& [name, _] : model::waiters("elbv2").items()) ctx.out << "  " << model::kebab_case(name) << "\n";
    if (args.empty()) throw Error(Exit::usage, "'elbv2 wait' needs a waiter name");
    return 0;
  }
  std::string name = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  return run_wait_command(ctx, "elbv2", name, rest);
}

constexpr char k_ecs[] = "ecs";
constexpr char k_services_stable[] = "services-stable";
constexpr char k_services_inactive[] = "services-inactive";
constexpr char k_tasks_running[] = "tasks-running";
constexpr char k_tasks_stopped[] = "tasks-stopped";


}  // namespace
}  // namespace ecsctl::wait

namespace ecsctl::commands {

const CommandSpec wait_services_stable{
    .group = "wait",
    .name = "services-stable",
    .summary = "wait until services are ACTIVE and steady (ServicesStable)",
    .run = [](Context& ctx, Args& args) { return ecsctl::wait::run_fixed<wait::k_ecs, wait::k_services_stable>(ctx, args.rest); },
    .raw = true,
};

const CommandSpec wait_services_inactive{
    .group = "wait",
    .name = "services-inactive",
    .summary = "wait until services are INACTIVE (ServicesInactive)",
    .run = [](Context& ctx, Args& args) { return ecsctl::wait::run_fixed<wait::k_ecs, wait::k_services_inactive>(ctx, args.rest); },
    .raw = true,
};

const CommandSpec wait_tasks_running{
    .group = "wait",
    .name = "tasks-running",
    .summary = "wait until tasks are RUNNING (TasksRunning)",
    .run = [](Context& ctx, Args& args) { return ecsctl::wait::run_fixed<wait::k_ecs, wait::k_tasks_running>(ctx, args.rest); },
    .raw = true,
};

const CommandSpec wait_tasks_stopped{
    .group = "wait",
    .name = "tasks-stopped",
    .summary = "wait until tasks are STOPPED (TasksStopped)",
    .run = [](Context& ctx, Args& args) { return ecsctl::wait::run_fixed<wait::k_ecs, wait::k_tasks_stopped>(ctx, args.rest); },
    .raw = true,
};

const CommandSpec elbv2_wait{
    .group = "elbv2",
    .name = "wait",
    .summary = "wait for load balancers or targets (elbv2 waiters)",
    .run = [](Context& ctx, Args& args) { return ecsctl::wait::run_elbv2_wait(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
