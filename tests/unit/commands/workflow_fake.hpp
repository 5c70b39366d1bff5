// A fake of the workflows' Runtime for unit tests: scripted handlers per
// operation, a record of every call, and a clock that sleeping advances.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands/api.hpp"
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "commands/workflow.hpp"

namespace ecsctl::test {

struct FakeAws {
  struct Call {
    std::string op;
    Json input;
  };
  std::vector<Call> calls;
  std::map<std::string, std::function<Json(const Json&)>> handlers;
  double clock = 0;
  double slept = 0;

  commands::workflow::Runtime runtime() {
    commands::workflow::Runtime rt;
    rt.call = [this](std::string_view, std::string_view op, const Json& in) {
      calls.push_back({std::string(op), in});
      auto it = handlers.find(std::string(op));
      if (it == handlers.end()) throw Error(Exit::other, "fake: unexpected call " + std::string(op));
      return it->second(in);
    };
    rt.sleep = [this](double s) { clock += s, slept += s; };
    rt.now = [this] { return clock; };
    return rt;
  }
  std::vector<Json> inputs(const std::string& op) const {
    std::vector<Json> out;
    for (const auto& c : calls)
      if (c.op == op) out.push_back(c.input);
    return out;
  }
};

// A Context writing to string streams, with an isolated environment and the fake installed.
struct Harness {
  std::ostringstream out, err;
  Context ctx{out, err, Environment::isolated({{"ECSCTL_POLL_INTERVAL", "2"}})};
  FakeAws aws;
  Harness() {
    ctx.service<commands::workflow::Runtime>([this] { return std::make_shared<commands::workflow::Runtime>(aws.runtime()); });
  }
  // Runs a registered command; returns its exit code, mapping an Error to its code.
  int run(std::string_view name, std::vector<std::string> args, std::string* message = nullptr) {
    const CommandSpec* c = nullptr;
    for (const CommandSpec* s :
         {&commands::run_task, &commands::deploy, &commands::scale, &commands::restart, &commands::rollback,
          &commands::create_scheduled_task, &commands::update_scheduled_task, &commands::list_scheduled_tasks,
          &commands::describe_scheduled_task, &commands::delete_scheduled_task, &commands::run_scheduled_task_now})
      if (s->name == name) c = s;
    if (!c) throw std::runtime_error("no command " + std::string(name));
    try {
      std::vector<std::string> op_flags;
      if (auto op = commands::api::extended_operation(*c)) op_flags = commands::api::operation_flag_names(*op);
      Args parsed = parse_command_line(*c, args, op_flags);
      if (parsed.help) {  // as cli/app.cpp does
        print_command_help(ctx, *c);
        return 0;
      }
      return c->run(ctx, parsed);
    } catch (const Error& e) {
      if (message) *message = std::string(e.what()) + "\n" + e.hint();
      return static_cast<int>(e.code());
    }
  }
};

}  // namespace ecsctl::test
