// The declarative specs of the file, wait, local and tool commands, end to end
// through run_app: help from the spec in its three spellings, unique prefixes,
// choices refused with exit 252, sub-commands chosen by their first word.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "cli/app.hpp"
#include "cli/completion.hpp"
#include "commands/commands.hpp"

namespace {

struct Run {
  std::ostringstream out, err;
  ecsctl::Context ctx;
  int code;
  explicit Run(std::vector<std::string> args)
      : ctx(out, err, ecsctl::Environment::isolated({{"HOME", "/nonexistent"}})) {
    ctx.stdout_is_tty = ctx.stderr_is_tty = false;
    code = ecsctl::run_app(ctx, args);
  }
};

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// A task definition that is valid on EC2 but not on Fargate (bridge networking).
struct BridgeFile {
  std::filesystem::path path;
  BridgeFile() {
    path = std::filesystem::temp_directory_path() / ("ecsctl-spec-test-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(path) << "family: web\n"
                           "networkMode: bridge\n"
                           "containerDefinitions:\n"
                           "  - name: web\n"
                           "    image: nginx:1.27\n"
                           "    memory: 256\n"
                           "    essential: true\n";
  }
  ~BridgeFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_SUITE("command specs") {
  TEST_CASE("help validate, validate help and validate --help print the same text, with the spec's flags") {
    Run a({"help", "validate"});
    Run b({"validate", "help"});
    Run c({"validate", "--help"});
    for (Run* r : {&a, &b, &c}) {
      CHECK(r->code == 0);
      CHECK(r->err.str().empty());
    }
    CHECK(a.out.str() == b.out.str());
    CHECK(a.out.str() == c.out.str());
    const std::string help = a.out.str();
    CHECK(has(help, "Usage: ecsctl validate FILE ..."));
    for (const auto& f : ecsctl::commands::validate.flags) {
      CAPTURE(f.name);
      CHECK(has(help, std::string(f.name)));
    }
    CHECK(has(help, "EC2|FARGATE|EXTERNAL|MANAGED_INSTANCES"));
    CHECK(has(help, "text|github|json"));
    CHECK(has(help, "--var NAME=VALUE "));
    CHECK(has(help, "Exit codes: 0 valid, 3"));
  }

  TEST_CASE("local up --help lists its flags and the --pace values") {
    Run r({"local", "up", "--help"});
    CHECK(r.code == 0);
    const std::string help = r.out.str();
    CHECK(has(help, "Usage: ecsctl local up [options]"));
    for (const char* f : {"--port N", "--state DIR", "--detach", "--pace PACE"}) {
      CAPTURE(f);
      CHECK(has(help, f));
    }
    CHECK(has(help, "(fast|real)"));
    Run add({"help", "local", "add-instances"});
    CHECK(add.code == 0);
    CHECK(has(add.out.str(), "--attribute NAME=VALUE ..."));
  }

  TEST_CASE("a unique prefix of a long option stands for it: validate --launch FARGATE") {
    BridgeFile file;
    Run ec2({"validate", file.path.string()});
    CHECK(ec2.code == 0);
    Run fargate({"validate", "--launch-type", "FARGATE", file.path.string()});
    CHECK(fargate.code == 3);
    Run prefix({"validate", "--launch", "FARGATE", file.path.string()});
    CHECK(prefix.code == 3);
    CHECK(prefix.err.str() == fargate.err.str());
    Run inline_prefix({"validate", "--launch=FARGATE", file.path.string()});
    CHECK(inline_prefix.code == 3);
  }

  TEST_CASE("--var takes one value per occurrence: the FILE after it stays a FILE") {
    BridgeFile file;
    Run r({"validate", "--var", "A=1", file.path.string()});
    CHECK(r.code == 0);
    Run twice({"validate", "--var", "A=1", "--var", "B=2", file.path.string(), "--strict"});
    CHECK(twice.code == 3);  // the logConfiguration warning, with --strict
    CHECK(has(twice.err.str(), "1 file checked"));
  }

  TEST_CASE("a value outside the choices is refused with 252 and the list of choices") {
    BridgeFile file;
    Run r({"validate", "--launch-type", "BOGUS", file.path.string()});
    CHECK(r.code == 252);
    CHECK(r.out.str().empty());
    CHECK(has(r.err.str(), "argument --launch-type: Invalid choice: 'BOGUS'"));
    CHECK(has(r.err.str(), "choose from EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES"));
    Run fmt({"validate", "--format", "xml", file.path.string()});
    CHECK(fmt.code == 252);
    CHECK(has(fmt.err.str(), "choose from text, github, json"));
    Run pace({"local", "up", "--pace", "slow"});
    CHECK(pace.code == 252);
    CHECK(has(pace.err.str(), "choose from fast, real"));
    Run shell({"completion", "tcsh"});
    CHECK(shell.code == 252);
    CHECK(has(shell.err.str(), "argument SHELL: Invalid choice: 'tcsh'"));
    CHECK(has(shell.err.str(), "choose from bash, zsh, fish"));
  }

  TEST_CASE("missing positionals and unknown options are usage errors") {
    Run none({"validate"});
    CHECK(none.code == 252);
    CHECK(has(none.err.str(), "the following arguments are required: FILE"));
    Run q({"query"});
    CHECK(q.code == 252);
    CHECK(has(q.err.str(), "the following arguments are required: EXPRESSION"));
    Run extra({"render", "a.yaml", "b.yaml"});
    CHECK(extra.code == 252);
    CHECK(has(extra.err.str(), "Unknown options: b.yaml"));
    Run unknown({"local", "status", "--bogus"});
    CHECK(unknown.code == 252);
    CHECK(has(unknown.err.str(), "Unknown options: --bogus"));
    Run count({"local", "add-instances", "--count", "0"});
    CHECK(count.code == 252);
    CHECK(has(count.err.str(), "--count must be a whole number between 1 and 10000"));
  }

  TEST_CASE("completion SHELL prints the script") {
    Run r({"completion", "bash"});
    CHECK(r.code == 0);
    CHECK(has(r.out.str(), "__complete"));
    Run none({"completion"});
    CHECK(none.code == 252);
  }

  TEST_CASE("register-task-definition: the operation's flags beside its own, its own only with --file") {
    Run help({"register-task-definition", "--help"});
    CHECK(help.code == 0);
    CHECK(has(help.out.str(), "--file FILE"));
    CHECK(has(help.out.str(), "Options of the RegisterTaskDefinition operation"));
    CHECK(has(help.out.str(), "--container-definitions"));
    // The AWS CLI's added options of the operation pass through too.
    Run input({"register-task-definition", "--cli-input-json",
               R"({"family":"web","containerDefinitions":[{"name":"web","image":"nginx"}]})",
               "--ecsctl-print-request"});
    CHECK(input.code == 0);
    CHECK(has(input.out.str(), "\"operation\": \"RegisterTaskDefinition\""));
    Run skeleton({"wait", "services-stable", "--generate-cli-skeleton"});
    CHECK(skeleton.code == 0);
    CHECK(has(skeleton.out.str(), "\"services\""));
    Run strict({"register-task-definition", "--family", "web", "--strict"});
    CHECK(strict.code == 252);
    CHECK(has(strict.err.str(), "Unknown options: --strict"));
    Run ambiguous({"register-task-definition", "--f", "x"});
    CHECK(ambiguous.code == 252);
    CHECK(has(ambiguous.err.str(), "--f could match --family, --file"));
  }

  TEST_CASE("wait commands: their flags, then the operation's") {
    Run r({"wait", "services-stable", "--help"});
    CHECK(r.code == 0);
    CHECK(has(r.out.str(), "--delay DURATION"));
    CHECK(has(r.out.str(), "every 15s, at most 40 attempts"));
    CHECK(has(r.out.str(), "Options of the DescribeServices operation"));
    CHECK(has(r.out.str(), "--services"));
    Run bad({"wait", "tasks-stopped", "--cluster", "c", "--tasks", "t", "--max-attempts", "x"});
    CHECK(bad.code == 252);
    CHECK(has(bad.err.str(), "argument --max-attempts: expected a non-negative number"));
  }

  TEST_CASE("elbv2 wait WAITER: the waiter picks the spec and its operation") {
    Run list({"elbv2", "wait", "--help"});
    CHECK(list.code == 0);
    CHECK(has(list.out.str(), "target-in-service"));
    Run help({"elbv2", "wait", "target-in-service", "--help"});
    CHECK(help.code == 0);
    CHECK(has(help.out.str(), "Usage: ecsctl elbv2 wait target-in-service [options]"));
    CHECK(has(help.out.str(), "--timeout DURATION"));
    CHECK(has(help.out.str(), "Options of the DescribeTargetHealth operation"));
    CHECK(has(help.out.str(), "--target-group-arn"));
    Run typo({"elbv2", "wait", "target-in-servic"});
    CHECK(typo.code == 252);
    CHECK(has(typo.err.str(), "Invalid choice: 'target-in-servic'"));
    CHECK(has(typo.err.str(), "did you mean 'target-in-service'?"));
    Run none({"elbv2", "wait"});
    CHECK(none.code == 252);
    CHECK(has(none.err.str(), "'elbv2 wait' needs a WAITER"));
  }

  TEST_CASE("every converted command is a declarative spec") {
    using namespace ecsctl::commands;
    for (const ecsctl::CommandSpec* c :
         {&validate, &internal_task_definition_schema, &render, &diff, &register_task_definition, &query,
          &wait_services_stable, &wait_services_inactive, &wait_tasks_running, &wait_tasks_stopped, &elbv2_wait,
          &local_up, &local_down, &local_status, &local_reset, &local_env, &local_add_instances,
          &ecsctl::commands::completion}) {
      CAPTURE(c->name);
      CHECK_FALSE(c->raw);
    }
  }
}

namespace {

std::vector<std::string> complete(const std::vector<std::string>& words) {
  std::ostringstream out, err;
  ecsctl::Context ctx(out, err, ecsctl::Environment::isolated({{"HOME", "/nonexistent"}}));
  auto r = ecsctl::completion::complete(ctx, words, words.size() - 1);
  std::vector<std::string> v;
  for (auto& c : r.candidates) v.push_back(c.value);
  return v;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_SUITE("command specs") {
  TEST_CASE("completion reads the converted specs: positional choices, waiters, the operation's flags") {
    auto shells = complete({"ecsctl", "completion", ""});
    CHECK(contains(shells, "bash"));
    CHECK(contains(shells, "fish"));
    auto waiters = complete({"ecsctl", "elbv2", "wait", "target-"});
    CHECK(contains(waiters, "target-in-service"));
    CHECK(contains(waiters, "target-deregistered"));
    auto flags = complete({"ecsctl", "elbv2", "wait", "target-in-service", "--"});
    CHECK(contains(flags, "--delay"));
    CHECK(contains(flags, "--target-group-arn"));
    auto ecs_wait = complete({"ecsctl", "wait", "services-stable", "--"});
    CHECK(contains(ecs_wait, "--timeout"));
    CHECK(contains(ecs_wait, "--services"));
    auto pace = complete({"ecsctl", "local", "up", "--pace", ""});
    CHECK(pace == std::vector<std::string>{"fast", "real"});
    auto launch = complete({"ecsctl", "validate", "--launch-type", "F"});
    CHECK(launch == std::vector<std::string>{"FARGATE"});
  }
}
