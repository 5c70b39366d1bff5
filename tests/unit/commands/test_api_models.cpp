// Coverage by construction: every operation of the four models is a command,
// every input member a flag, and required members are enforced before any
// request is built.
#include <doctest/doctest.h>

#include <sstream>

#include "core/error.hpp"
#include "commands/api.hpp"
#include "schemas/model.hpp"

using ecsctl::Json;
namespace api = ecsctl::commands::api;

namespace {
struct Fixture {
  std::ostringstream out, err;
  ecsctl::Context ctx{out, err, ecsctl::Environment::isolated({})};
};
const char* const k_groups[][2] = {{"", "ecs"}, {"elbv2", "elbv2"}, {"events", "events"}, {"scheduler", "scheduler"}};
}  // namespace

TEST_SUITE("api models") {
  TEST_CASE("every operation has a command and every input member a flag") {
    std::size_t operations = 0, flags = 0;
    for (const auto& [group, service] : k_groups) {
      const Json& model = ecsctl::model::service(service);
      auto names = api::operation_commands(group);
      CHECK(names.size() == model.at("operations").size());
      for (auto& [name, op] : model.at("operations").items()) {
        std::string command = ecsctl::model::kebab_case(name);
        const std::string service_name = service;  // INFO/CAPTURE cannot capture a binding in clang 14
        CAPTURE(service_name);
        CAPTURE(command);
        CHECK(api::is_operation_command(group, command));
        auto found = api::find_operation(service, command);
        REQUIRE(found.has_value());
        CHECK(found->name == name);
        ++operations;
        const Json& input = model.at("shapes").at(op.at("input").at("shape").get<std::string>());
        const Json members = input.value("members", Json::object());  // kept alive for items()
        for (auto& [key, ref] : members.items()) {
          const std::string member = key;  // lambdas below cannot capture a binding in clang 14
          std::string flag = "--" + ecsctl::model::kebab_case(member);
          bool has = std::any_of(found->args.begin(), found->args.end(),
                                 [&](const api::ArgSpec& a) { return a.cli_name == flag && a.member == member; });
          CAPTURE(flag);
          CHECK(has);
          ++flags;
          if (model.at("shapes").at(ref.at("shape").get<std::string>()).value("type", "") == "boolean") {
            bool negative = std::any_of(found->args.begin(), found->args.end(),
                                        [&](const api::ArgSpec& a) { return a.negative && a.member == member; });
            CHECK(negative);
          }
        }
      }
    }
    CHECK(operations > 150);
    CHECK(flags > 500);
    CHECK_FALSE(api::is_operation_command("", "describe-clusterz"));
    CHECK_FALSE(api::is_operation_command("elbv2", "run-task"));
  }

  TEST_CASE("required members are enforced before any request, named as flags") {
    std::size_t checked = 0;
    for (const auto& [group, service] : k_groups) {
      const Json& model = ecsctl::model::service(service);
      for (auto& [name, op] : model.at("operations").items()) {
        const Json& input = model.at("shapes").at(op.at("input").at("shape").get<std::string>());
        if (!input.contains("required") || input["required"].empty()) continue;
        auto found = api::find_operation(service, ecsctl::model::kebab_case(name));
        REQUIRE(found.has_value());
        Fixture f;
        const std::string operation = name;  // INFO/CAPTURE cannot capture a binding in clang 14
        CAPTURE(operation);
        try {
          api::parse_request(f.ctx, *found, {});
          FAIL("no error for missing required members");
        } catch (const ecsctl::Error& e) {
          CHECK(e.code() == ecsctl::Exit::usage);
          std::string msg = e.what();
          CHECK(msg.rfind("the following arguments are required: ", 0) == 0);
          for (const auto& r : input["required"])
            CHECK(msg.find("--" + ecsctl::model::kebab_case(r.get<std::string>())) != std::string::npos);
        }
        ++checked;
      }
    }
    CHECK(checked > 100);
  }

  TEST_CASE("ECS renames --no-enable-execute-command like the AWS CLI") {
    auto op = api::find_operation("ecs", "run-task");
    REQUIRE(op);
    bool renamed = false, old_name = false;
    for (const auto& a : op->args) {
      renamed |= a.cli_name == "--disable-execute-command" && a.negative;
      old_name |= a.cli_name == "--no-enable-execute-command";
    }
    CHECK(renamed);
    CHECK_FALSE(old_name);
    bool plain_negative = false;
    for (const auto& a : op->args) plain_negative |= a.cli_name == "--no-enable-ecs-managed-tags";
    CHECK(plain_negative);
  }

  TEST_CASE("paginated operations get the AWS CLI's paging flags") {
    auto op = api::find_operation("ecs", "list-tasks");
    REQUIRE(op);
    REQUIRE(op->paginator != nullptr);
    auto has = [&](const char* n) {
      return std::any_of(op->args.begin(), op->args.end(), [&](const api::ArgSpec& a) { return a.cli_name == n; });
    };
    CHECK(has("--starting-token"));
    CHECK(has("--page-size"));
    CHECK(has("--max-items"));
    for (const auto& a : op->args)
      if (a.member == "nextToken" || a.member == "maxResults") CHECK(a.undocumented);
    auto describe = api::find_operation("ecs", "describe-clusters");
    REQUIRE(describe);
    CHECK(describe->paginator == nullptr);
  }
}
