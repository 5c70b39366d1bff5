// Inputs found by the fuzz targets (tests/fuzz/) that once crashed or escaped
// as unexpected exceptions; each must now end in the documented error.
#include <doctest/doctest.h>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "schemas/model_view.hpp"

using ecsctl::Json;

namespace {

// A model with the shapes of `--tags` and `--cluster-name`.
const Json& model() {
  static const Json m = Json::parse(R"({"shapes": {
    "Tags": {"type": "list", "member": {"shape": "Tag"}},
    "Tag": {"type": "structure", "members": {"key": {"shape": "S"}, "value": {"shape": "S"}}},
    "S": {"type": "string"}}})");
  return m;
}

const ecsctl::model::Shape& shape_named(const std::string& name) {
  static const ecsctl::model::OperationView v = ecsctl::model::build_view(model(), "");
  return v.shape(name);
}

ecsctl::Error usage_error_of(const std::string& shape, std::vector<std::string> words) {
  auto env = ecsctl::Environment::isolated({{"HOME", "/nonexistent"}});
  try {
    Json j = ecsctl::commands::param::parse_argument(shape_named(shape), "--fuzz", words, env);
    (void)j.dump();  // what sending the request does
  } catch (const ecsctl::Error& e) {
    return e;
  }
  FAIL("expected a usage error");
  return ecsctl::Error(ecsctl::Exit::ok, "");
}

}  // namespace

TEST_SUITE("fuzz regressions") {
  // fuzz_shorthand: "Key=a\xd4\xa9\x9e\x9aue=b" parsed, then json::dump() threw
  // type_error 316 (invalid UTF-8): exit 255 with nlohmann's message.
  TEST_CASE("command-line values that are not UTF-8 are usage errors") {
    auto e = usage_error_of("Tags", {"key=a\xd4\xa9\x9e\x9aue=b"});
    CHECK(e.code() == ecsctl::Exit::usage);
    CHECK(std::string(e.what()) == "Error parsing parameter '--fuzz': the value is not valid UTF-8");
    CHECK(usage_error_of("S", {"name\xff"}).code() == ecsctl::Exit::usage);
    CHECK(usage_error_of("Tags", {R"([{"key":"k","value":"v"}])", "\xc3("}).code() == ecsctl::Exit::usage);
    // valid UTF-8 is untouched
    auto env = ecsctl::Environment::isolated({});
    CHECK(ecsctl::commands::param::parse_argument(shape_named("S"), "--fuzz", {"caf\xc3\xa9"}, env) == "caf\xc3\xa9");
  }

  // fuzz_shorthand: "[99999,9929999999e99099]" as a list value: json::parse threw
  // out_of_range 406 (number overflow), which only parse_error was caught for.
  TEST_CASE("JSON numbers beyond double are usage errors") {
    auto e = usage_error_of("Tags", {"[99999,9929999999e99099]"});
    CHECK(e.code() == ecsctl::Exit::usage);
    CHECK(std::string(e.what()).find("Invalid JSON: number overflow parsing '9929999999e99099'") != std::string::npos);
    CHECK(usage_error_of("Tags", {R"([{"key":"k","value":1e400}])"}).code() == ecsctl::Exit::usage);
  }

  // A --tags file:// of 60000 nested arrays: json::dump() recursed until the
  // stack overflowed (SIGSEGV, exit 139).
  TEST_CASE("JSON values nested too deep are usage errors, not stack overflows") {
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto e = usage_error_of("Tags", {deep});
    CHECK(e.code() == ecsctl::Exit::usage);
    CHECK(std::string(e.what()).find("nested more than 1000 levels") != std::string::npos);
    // shallower values, and brackets inside strings, still parse (validation comes later)
    auto env = ecsctl::Environment::isolated({});
    std::string ok = std::string(50, '[') + std::string(50, ']');
    CHECK(ecsctl::commands::param::parse_argument(shape_named("Tags"), "--fuzz", {ok}, env).is_array());
    std::string brackets = R"([{"key":")" + std::string(5000, '[') + R"(","value":"{{{{"}])";
    CHECK(ecsctl::commands::param::parse_argument(shape_named("Tags"), "--fuzz", {brackets}, env)[0]["value"] == "{{{{");
  }
}
