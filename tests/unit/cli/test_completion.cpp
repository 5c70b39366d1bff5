#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "cli/completion.hpp"

using namespace ecsctl;

namespace {

std::vector<std::string> values(const std::vector<std::string>& words) {
  std::ostringstream out, err;
  Context ctx(out, err, Environment::isolated({{"HOME", "/nonexistent"}}));
  auto r = completion::complete(ctx, words, words.size() - 1);
  std::vector<std::string> v;
  for (auto& c : r.candidates) v.push_back(c.value);
  CHECK(err.str().empty());
  return v;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_SUITE("completion") {
  TEST_CASE("commands and groups by prefix") {
    auto v = values({"ecsctl", "describe-clu"});
    CHECK(v == std::vector<std::string>{"describe-clusters"});
    v = values({"ecsctl", ""});
    CHECK(has(v, "run-task"));
    CHECK(has(v, "elbv2"));
    CHECK(has(v, "completion"));
    CHECK_FALSE(has(v, "__complete"));
  }

  TEST_CASE("group sub-commands come from that service's model") {
    auto v = values({"ecsctl", "elbv2", "create-target"});
    CHECK(v == std::vector<std::string>{"create-target-group"});
    v = values({"ecsctl", "scheduler", "get-sch"});
    CHECK(has(v, "get-schedule"));
    CHECK(has(v, "get-schedule-group"));
  }

  TEST_CASE("global options are skipped when finding the command") {
    auto v = values({"ecsctl", "--region", "eu-west-1", "--output", "json", "run-task", "--launch-type", ""});
    CHECK(has(v, "FARGATE"));
    CHECK(has(v, "EC2"));
    CHECK(has(v, "EXTERNAL"));
  }

  TEST_CASE("flags of an operation and the global flags") {
    auto v = values({"ecsctl", "run-task", "--task-def"});
    CHECK(v == std::vector<std::string>{"--task-definition"});
    v = values({"ecsctl", "describe-clusters", "--"});
    CHECK(has(v, "--clusters"));
    CHECK(has(v, "--include"));
    CHECK(has(v, "--query"));
    CHECK(has(v, "--profile"));
  }

  TEST_CASE("enum values of list members and --flag=value forms") {
    auto v = values({"ecsctl", "describe-clusters", "--include", ""});
    CHECK(has(v, "ATTACHMENTS"));
    v = values({"ecsctl", "--output=ta"});
    CHECK(v == std::vector<std::string>{"--output=table"});
  }

  TEST_CASE("global option values") {
    auto v = values({"ecsctl", "--output", ""});
    CHECK(v.size() == 6);
    v = values({"ecsctl", "--region", "eu-west-"});
    CHECK(has(v, "eu-west-1"));
    CHECK(has(v, "eu-west-3"));
  }

  TEST_CASE("formats per shell") {
    completion::Result r;
    r.candidates = {{"a:b", "has a colon"}, {"plain", ""}};
    CHECK(completion::format(r, "bash") == "a:b\nplain\n");
    CHECK(completion::format(r, "zsh") == "a\\:b:has a colon\nplain\n");
    CHECK(completion::format(r, "fish") == "a:b\thas a colon\nplain\n");
    r.no_space = true;
    CHECK(completion::format(r, "bash").rfind(":nospace\n", 0) == 0);
  }

  TEST_CASE("scripts exist for the three shells and call __complete") {
    for (auto shell : {"bash", "zsh", "fish"}) {
      const char* s = completion::script(shell);
      REQUIRE(s != nullptr);
      CHECK(std::string(s).find("__complete") != std::string::npos);
    }
    CHECK(completion::script("tcsh") == nullptr);
  }
}
