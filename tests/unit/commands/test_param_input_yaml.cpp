// `--cli-input-yaml` reads YAML as the AWS CLI does: PyYAML's safe loader
// (YAML 1.1 scalar types, `<<` merge keys). The expected values are what
// python3 -c 'import yaml; print(yaml.safe_load(...))' prints (PyYAML 6).
#include <doctest/doctest.h>

#include <cmath>

#include "commands/param_input.hpp"
#include "core/error.hpp"

using ecsctl::Json;
using ecsctl::commands::param::parse_yaml;

namespace {
Json value_of(const std::string& scalar) { return parse_yaml("a: " + scalar + "\n", "--cli-input-yaml")["a"]; }
}  // namespace

TEST_SUITE("param input yaml") {
  TEST_CASE("integers as YAML 1.1 reads them") {
    CHECK(value_of("1_000") == Json(1000));
    CHECK(value_of("-1_000") == Json(-1000));
    CHECK(value_of("017") == Json(15));
    CHECK(value_of("0_7") == Json(7));
    CHECK(value_of("0x1F") == Json(31));
    CHECK(value_of("-0x1F") == Json(-31));
    CHECK(value_of("0x_1F") == Json(31));
    CHECK(value_of("0b101") == Json(5));
    CHECK(value_of("1:30") == Json(90));
    CHECK(value_of("190:20:30") == Json(685230));
    CHECK(value_of("+12") == Json(12));
    CHECK(value_of("0") == Json(0));
    CHECK(value_of("00") == Json(0));
  }

  TEST_CASE("what YAML 1.1 leaves as strings") {
    CHECK(value_of("0o17") == Json("0o17"));  // YAML 1.2 octal: a string in 1.1
    CHECK(value_of("08") == Json("08"));
    CHECK(value_of("1e3") == Json("1e3"));  // 1.1 floats need a dot and a signed exponent
    CHECK(value_of("-.5") == Json("-.5"));
    CHECK(value_of("1:60") == Json("1:60"));
    CHECK(value_of("y") == Json("y"));
    CHECK(value_of("tRUE") == Json("tRUE"));
    CHECK(value_of("_1") == Json("_1"));
    CHECK(value_of("2001-12-14") == Json("2001-12-14"));
    CHECK(value_of("'017'") == Json("017"));
  }

  TEST_CASE("floats, booleans and nulls") {
    CHECK(value_of("1_0.5") == Json(10.5));
    CHECK(value_of(".5") == Json(0.5));
    CHECK(value_of("1.") == Json(1.0));
    CHECK(value_of("1.0e+3") == Json(1000.0));
    CHECK(value_of("685.230_15e+03").get<double>() == doctest::Approx(685230.15));
    CHECK(value_of("12:30.5") == Json(750.5));
    CHECK(value_of("-.inf").get<double>() == -HUGE_VAL);
    CHECK(std::isnan(value_of(".NaN").get<double>()));
    CHECK(value_of("yes") == Json(true));
    CHECK(value_of("No") == Json(false));
    CHECK(value_of("on") == Json(true));
    CHECK(value_of("OFF") == Json(false));
    CHECK(value_of("True") == Json(true));
    CHECK(value_of("~").is_null());
    CHECK(value_of("Null").is_null());
  }

  TEST_CASE("merge keys") {
    Json j = parse_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "--cli-input-yaml");
    CHECK(j["d"] == Json::parse(R"({"x": 1, "y": 3})"));
    // A list of mappings: the earlier one wins.
    j = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, z: 1}\nd:\n  <<: [*a, *b]\n  w: 3\n", "--cli-input-yaml");
    CHECK(j["d"] == Json::parse(R"({"x": 1, "z": 1, "w": 3})"));
    // Two << keys: the later one wins; explicit keys win over both.
    j = parse_yaml("d:\n  <<: {x: 1, q: 1}\n  <<: {x: 2}\n  q: 5\n", "--cli-input-yaml");
    CHECK(j["d"] == Json::parse(R"({"x": 2, "q": 5})"));
    // A quoted "<<" is an ordinary key.
    j = parse_yaml("d:\n  \"<<\": {x: 1}\n", "--cli-input-yaml");
    CHECK(j["d"] == Json::parse(R"({"<<": {"x": 1}})"));
    // A typical --cli-input-yaml with a shared block.
    j = parse_yaml(
        "defaults: &defaults\n  cluster: prod\n  launchType: FARGATE\n"
        "overrides:\n  <<: *defaults\n  count: 1_000\n",
        "--cli-input-yaml");
    CHECK(j["overrides"] == Json::parse(R"({"cluster": "prod", "launchType": "FARGATE", "count": 1000})"));
  }

  TEST_CASE("what PyYAML refuses is refused") {
    CHECK_THROWS_AS(parse_yaml("d:\n  <<: 1\n", "--cli-input-yaml"), ecsctl::Error);
    CHECK_THROWS_AS(parse_yaml("a: <<\n", "--cli-input-yaml"), ecsctl::Error);
    CHECK_THROWS_AS(parse_yaml("a: 0x_\n", "--cli-input-yaml"), ecsctl::Error);
    try {
      parse_yaml("d:\n  <<: 1\n", "--cli-input-yaml");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == ecsctl::Exit::usage);
      CHECK(std::string(e.what()).find("merging") != std::string::npos);
    }
  }
}
