// The committed JSON Schema stays consistent with the validator: same property
// names and enums as the model walk, the same extra bounds, and it is exactly
// what `ecsctl __task-definition-schema` generates.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "schemas/taskdef.hpp"
#include "schemas/taskdef_model.hpp"
#include "schemas/taskdef_schema.hpp"

using namespace ecsctl;
using namespace ecsctl::taskdef;

TEST_SUITE("taskdef schema") {
  TEST_CASE("the committed file is the generated schema") {
    std::ifstream in(std::string(ECSCTL_SOURCE_DIR) + "/schemas/task-definition.schema.json");
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    Json committed = Json::parse(ss.str());
    CHECK(committed == task_definition_schema());
    CHECK(committed["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  }

  TEST_CASE("every object definition has the model's member names and enums") {
    Json schema = task_definition_schema();
    for (const auto& [key, def] : schema["$defs"].items()) {
      const std::string& name = key;  // a plain variable: INFO's lambda cannot capture a binding in clang 14
      INFO(name);
      const model::Shape& shape = ecs_shape(name);
      std::vector<std::string> props;
      for (const auto& [p, v] : def["properties"].items()) {
        props.push_back(p);
        const model::Shape* m = member_shape(shape, p);
        REQUIRE(m != nullptr);
        if (!m->enum_values.empty()) CHECK(v["enum"] == Json(m->enum_values));
      }
      CHECK(props == member_names(shape));
      CHECK(def["additionalProperties"] == false);
    }
    CHECK(schema["$defs"].contains("ContainerDefinition"));
    CHECK(schema["$defs"].contains("HealthCheck"));
  }

  TEST_CASE("the schema's extra bounds are the validator's") {
    Json schema = task_definition_schema();
    for (const auto& b : member_bounds()) {
      std::string shape(b.shape), member(b.member);
      INFO(shape << "." << member);
      const Json& p = schema["$defs"][shape]["properties"][member];
      CHECK(p["minimum"] == b.min);
      CHECK(p["maximum"] == b.max);
    }
    // And the validator enforces them: one below the minimum fires the rule, the minimum does not.
    auto fires = [](const std::string& hc_interval) {
      Document d = load_text("t.yaml",
                             "family: t\ncontainerDefinitions:\n  - {name: a, image: a:1, memory: 64, healthCheck: "
                             "{command: [CMD, x], interval: " + hc_interval + ", timeout: 2}}\n",
                             nullptr);
      validate(d, ValidateOptions{});
      for (const auto& f : d.findings)
        if (f.rule == "healthcheck-interval-range") return true;
      return false;
    };
    const Json& interval = schema["$defs"]["HealthCheck"]["properties"]["interval"];
    CHECK(fires(std::to_string(interval["minimum"].get<long long>() - 1)));
    CHECK_FALSE(fires(std::to_string(interval["minimum"].get<long long>())));
    CHECK(fires(std::to_string(interval["maximum"].get<long long>() + 1)));
  }
}
