// run_app end to end, in-process: exit codes, help and version, suggestions,
// stdout/stderr separation and colour on stderr.
#include <doctest/doctest.h>

#include <sstream>

#include "cli/app.hpp"
#include "commands/api.hpp"
#include "core/error.hpp"
#include "cli/global_options.hpp"
#include "output/render.hpp"

namespace {

const ecsctl::CommandTable& test_table();

struct Run {
  std::ostringstream out, err;
  ecsctl::Context ctx;
  int code;
  Run(std::vector<std::string> args, std::map<std::string, std::string> env = {}, bool tty = false)
      : ctx(out, err, ecsctl::Environment::isolated(std::move(env))) {
    ctx.stdout_is_tty = ctx.stderr_is_tty = tty;
    code = ecsctl::run_app(ctx, args, test_table());
  }
};

// Test commands: print a nested result, or fail in one of the ways commands fail.
int test_echo(ecsctl::Context& ctx, ecsctl::Args& parsed) {
  const auto& args = parsed.rest;
  ecsctl::Json result = {{"args", args}, {"nested", {{"n", 1}, {"ok", true}}}};
  ecsctl::print_result(ctx, result, "TestEcho");
  ctx.err << "progress: done\n";
  return 0;
}
int test_fail(ecsctl::Context&, ecsctl::Args& parsed) {
  const auto& args = parsed.rest;
  const std::string what = args.empty() ? "" : args[0];
  if (what == "validation") throw ecsctl::Error(ecsctl::Exit::validation_failed, "bad file", "f.yaml:3:5", "fix it");
  if (what == "timeout") throw ecsctl::Error(ecsctl::Exit::wait_timed_out, "gave up");
  if (what == "deploy") throw ecsctl::Error(ecsctl::Exit::deployment_failed, "rolled back");
  if (what == "config") ecsctl::throw_config("no region", "", "set --region");
  if (what == "service") throw ecsctl::ServiceError("ClusterNotFoundException", "Cluster not found.", "DescribeClusters", 400, "req-1");
  if (what == "interrupted") throw ecsctl::Error(ecsctl::Exit::interrupted, "interrupted");
  if (what == "std") throw std::runtime_error("boom");
  if (what == "exit7") return 7;
  return 0;
}
// Visible (not hidden), so that the did-you-mean test below can suggest it.
const ecsctl::CommandSpec k_echo{.name = "zz-test-echo", .summary = "test: print a result", .run = test_echo, .raw = true};
const ecsctl::CommandSpec k_fail{
    .name = "zz-test-fail", .summary = "test: fail on demand", .run = test_fail, .hidden = true, .raw = true};
// The real table with the test commands added.
const ecsctl::CommandTable& test_table() {
  static const ecsctl::CommandTable table = [] {
    ecsctl::CommandTable t = ecsctl::command_table();
    t.push_back(&k_echo);
    t.push_back(&k_fail);
    return t;
  }();
  return table;
}

}  // namespace

TEST_SUITE("run_app") {
  TEST_CASE("--version and --help exit 0 and write to stdout only") {
    Run v({"--version"});
    CHECK(v.code == 0);
    CHECK(v.out.str() == "ecsctl " ECSCTL_VERSION "\n");
    CHECK(v.err.str().empty());

    for (auto args : {std::vector<std::string>{"--help"}, {"-h"}, {"help"}}) {
      Run h(args);
      CHECK(h.code == 0);
      CHECK(h.err.str().empty());
      for (const auto& spec : ecsctl::global_option_specs()) {
        CAPTURE(spec.name);
        CHECK(h.out.str().find(std::string(spec.name)) != std::string::npos);
      }
    }
  }

  TEST_CASE("a command's result goes to stdout, its progress to stderr") {
    Run r({"--output", "json", "zz-test-echo", "a", "b"});
    CHECK(r.code == 0);
    CHECK(r.out.str() ==
          "{\n    \"args\": [\n        \"a\",\n        \"b\"\n    ],\n    \"nested\": {\n        \"n\": 1,\n"
          "        \"ok\": true\n    }\n}\n");
    CHECK(r.err.str() == "progress: done\n");
  }

  TEST_CASE("global options after the command and from the environment reach the command") {
    Run r({"zz-test-echo", "x", "--query", "nested.n"}, {{"AWS_DEFAULT_OUTPUT", "text"}});
    CHECK(r.code == 0);
    CHECK(r.out.str() == "1\n");
    Run y({"zz-test-echo", "--output=yaml"});
    CHECK(y.out.str() == "args: []\nnested:\n  n: 1\n  ok: true\n");
  }

  TEST_CASE("usage errors exit 252 with a hint on stderr and nothing on stdout") {
    SUBCASE("unknown command, with did-you-mean") {
      Run r({"zz-test-ecko"});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("ecsctl: error: unknown command 'zz-test-ecko'") == 0);
      CHECK(r.err.str().find("did you mean 'zz-test-echo'?") != std::string::npos);
      CHECK(r.err.str().find("Invalid choice: 'zz-test-ecko'") != std::string::npos);  // the AWS CLI's words
      CHECK(r.out.str().empty());
      Run g({"elbv2", "describe-load-balancerz"});
      CHECK(g.code == 252);
      CHECK(g.err.str().find("Invalid choice: 'describe-load-balancerz'") != std::string::npos);
    }
    SUBCASE("unknown option before the command") {
      Run r({"--regoin", "x", "zz-test-echo"});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("unknown option '--regoin'") != std::string::npos);
    }
    SUBCASE("no command") {
      Run r({});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("no command given") != std::string::npos);
    }
    SUBCASE("bad --output value") {
      Run r({"--output", "xml", "zz-test-echo"});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("Invalid choice: 'xml'") != std::string::npos);
      CHECK(r.out.str().empty());
    }
    SUBCASE("missing option value") {
      Run r({"zz-test-echo", "--profile"});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("--profile: expected one argument") != std::string::npos);
    }
    SUBCASE("group without a command") {
      Run r({"wait"});
      CHECK(r.code == 252);
      CHECK(r.err.str().find("'wait' needs a command") != std::string::npos);
    }
    SUBCASE("bad --query") {
      Run r({"zz-test-echo", "--query", "nested.["});
      CHECK(r.code == 252);
      CHECK(r.out.str().empty());
      CHECK(r.err.str().find("ecsctl: error: Bad value for --query nested.[: ") == 0);
      // Before the command runs: its progress line is never printed.
      CHECK(r.err.str().find("progress") == std::string::npos);
    }
  }

  TEST_CASE("a bad AWS_DEFAULT_OUTPUT is a configuration error (253)") {
    Run r({"zz-test-echo"}, {{"AWS_DEFAULT_OUTPUT", "xml"}});
    CHECK(r.code == 253);
    CHECK(r.err.str().find("AWS_DEFAULT_OUTPUT") != std::string::npos);
    CHECK(r.out.str().empty());
  }

  TEST_CASE("each error kind maps to its exit code") {
    struct Case {
      const char* what;
      int code;
      const char* text;
    };
    for (const Case& c : {Case{"validation", 3, "bad file"}, Case{"timeout", 4, "gave up"},
                          Case{"deploy", 5, "rolled back"}, Case{"interrupted", 130, "interrupted"},
                          Case{"config", 253, "no region"},
                          Case{"service", 254, "An error occurred (ClusterNotFoundException) when calling the "
                                              "DescribeClusters operation: Cluster not found."},
                          Case{"std", 255, "boom"}, Case{"exit7", 7, ""}}) {
      CAPTURE(c.what);
      Run r({"zz-test-fail", c.what});
      CHECK(r.code == c.code);
      CHECK(r.err.str().find(c.text) != std::string::npos);
      CHECK(r.out.str().empty());
    }
    Run v({"zz-test-fail", "validation"});
    CHECK(v.err.str() == "ecsctl: error: bad file\n  at: f.yaml:3:5\n  hint: fix it\n");
    Run s({"zz-test-fail", "service"});
    CHECK(s.err.str().find("request id req-1") != std::string::npos);
    // The AWS CLI's shape: a blank line, then the line scripts grep with `^An error occurred`.
    CHECK(s.err.str().find("\nAn error occurred (ClusterNotFoundException) when calling the DescribeClusters "
                           "operation: Cluster not found.\n") == 0);
  }

  TEST_CASE("errors are coloured only on a terminal, never with NO_COLOR or --color off") {
    CHECK(Run({"nope"}).err.str().find('\033') == std::string::npos);
    CHECK(Run({"nope"}, {}, true).err.str().find("\033[1;31m") != std::string::npos);
    CHECK(Run({"nope"}, {{"NO_COLOR", "1"}}, true).err.str().find('\033') == std::string::npos);
    CHECK(Run({"nope"}, {{"TERM", "dumb"}}, true).err.str().find('\033') == std::string::npos);
    CHECK(Run({"--color", "off", "nope"}, {}, true).err.str().find('\033') == std::string::npos);
    CHECK(Run({"--color", "on", "nope"}).err.str().find("\033[1;31m") != std::string::npos);
  }

  TEST_CASE("table output: colour follows the same rules on stdout") {
    CHECK(Run({"zz-test-echo", "--output", "table"}).out.str().find('\033') == std::string::npos);
    CHECK(Run({"zz-test-echo", "--output", "table"}, {}, true).out.str().find('\033') != std::string::npos);
    CHECK(Run({"zz-test-echo", "--output", "table"}, {{"NO_COLOR", ""}}, true).out.str().find('\033') !=
          std::string::npos);  // NO_COLOR only counts when non-empty
    CHECK(Run({"zz-test-echo", "--output", "table"}, {{"NO_COLOR", "1"}}, true).out.str().find('\033') ==
          std::string::npos);
    CHECK(Run({"zz-test-echo", "--output", "table", "--color", "on"}).out.str().find('\033') != std::string::npos);
  }

  TEST_CASE("no command's own flag is a prefix of a global option, which would take it") {
    std::vector<std::string> globals;
    for (const auto& g : ecsctl::global_option_specs()) globals.emplace_back(g.name);
    auto check = [&](const std::string& where, const std::string& flag) {
      for (const auto& g : globals)
        if (g != flag && g.compare(0, flag.size(), flag) == 0) FAIL_CHECK(std::string(where + " " + flag + " is a prefix of " + g));
    };
    for (const ecsctl::CommandSpec* c : ecsctl::command_table())
      for (const auto& f : c->flags) check(std::string(c->name), std::string(f.name));
    for (const char* group : {"", "elbv2", "events", "scheduler", "logs", "cloudwatch", "application-autoscaling"}) {
      auto service = ecsctl::commands::api::service_for_group(group);
      if (!service) continue;
      for (const auto& name : ecsctl::commands::api::operation_names(*service))
        if (auto op = ecsctl::commands::api::find_operation(*service, name))
          for (const auto& a : op->args) check(name, a.cli_name);
    }
  }
}
