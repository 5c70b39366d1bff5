// Unit tests of the JMESPath implementation beyond the data-driven cases:
// error kinds and positions, key order, number types, limits.
#include <doctest/doctest.h>

#include <string>

#include "output/jmespath.hpp"

using ecsctl::Json;
namespace jp = ecsctl::jmespath;

namespace {

jp::Error error_of(const std::string& expr, const Json& data = Json::object()) {
  try {
    jp::search(expr, data);
  } catch (const jp::Error& e) {
    return e;
  }
  FAIL("no error for ", expr);
  return jp::Error(jp::ErrorKind::syntax, "");
}

}  // namespace

TEST_SUITE("jmespath") {
  TEST_CASE("syntax errors carry the offset of the offending token") {
    CHECK(error_of("foo.").position() == 4);
    CHECK(error_of("foo[?bar==]").position() == 10);
    CHECK(error_of("a = b").position() == 2);
    CHECK(error_of("  ]").position() == 2);
    CHECK(error_of("foo[\"bar\"").position() == 4);
    CHECK(error_of("x && `[1, 2").position() == 5);  // unterminated literal: reported at its start
    CHECK(error_of("'abc").position() == 0);
    CHECK(error_of("a.\"b").position() == 2);
    CHECK(error_of("abs(@, @)").position() == 0);
    CHECK(error_of("x | nope(@)").position() == 4);
  }

  TEST_CASE("ordering comparators order strings as jmespath.py (the AWS CLI) does") {
    Json d = Json::parse(R"({
      "deployments": [{"id": "old", "createdAt": "2019-06-30T10:00:00+00:00"},
                      {"id": "new", "createdAt": "2024-01-02T03:04:05+00:00"}],
      "taskDefinitionArns": ["arn:aws:ecs:us-east-1:123456789012:task-definition/api:1",
                             "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2",
                             "arn:aws:ecs:us-east-1:123456789012:task-definition/api:3"]})");
    CHECK(jp::search("deployments[?createdAt > '2020-01-01'].id", d) == Json::parse(R"(["new"])"));
    CHECK(jp::search("deployments[?createdAt <= '2020-01-01'].id", d) == Json::parse(R"(["old"])"));
    CHECK(jp::search("taskDefinitionArns[?@ >= 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:2'] | length(@)", d) ==
          Json(2));
    CHECK(jp::search("'a' < 'b'", d) == Json(true));
    CHECK(jp::search("'b' <= 'a'", d) == Json(false));
    CHECK(jp::search("'abc' >= 'abc'", d) == Json(true));
    CHECK(jp::search("'Z' < 'a'", d) == Json(true));            // by code point
    CHECK(jp::search("'\u00e9' > 'z'", d) == Json(true));       // beyond ASCII too
    CHECK(jp::search("'a' < `1`", d).is_null());                // mixed types: null
    CHECK(jp::search("`[1]` < `[2]`", d).is_null());
  }

  TEST_CASE("every error kind has its specification name") {
    CHECK(std::string(error_of("a[").kind_name()) == "syntax");
    CHECK(std::string(error_of("abs(`\"x\"`)").kind_name()) == "invalid-type");
    CHECK(std::string(error_of("abs()").kind_name()) == "invalid-arity");
    CHECK(std::string(error_of("nope()").kind_name()) == "unknown-function");
    CHECK(std::string(error_of("[::0]").kind_name()) == "invalid-value");
    CHECK(error_of("abs()").kind() == jp::ErrorKind::invalid_arity);
    CHECK(std::string(jp::kind_name(jp::ErrorKind::unknown_function)) == "unknown-function");
  }

  TEST_CASE("error messages name the function and the expected types") {
    std::string msg = error_of("join(`1`, `[\"a\"]`)").what();
    CHECK(msg.find("join()") != std::string::npos);
    CHECK(msg.find("argument 1") != std::string::npos);
    CHECK(msg.find("string") != std::string::npos);
    msg = error_of("merge()").what();
    CHECK(msg.find("at least 1") != std::string::npos);
  }

  TEST_CASE("a compiled expression is reused across documents") {
    jp::Expression e("items[?n > `1`].name");
    CHECK(e.search(Json::parse(R"({"items":[{"n":1,"name":"a"},{"n":2,"name":"b"}]})")) == Json::parse(R"(["b"])"));
    CHECK(e.search(Json::parse(R"({"items":[{"n":5,"name":"c"}]})")) == Json::parse(R"(["c"])"));
    CHECK(e.search(Json::parse("[]")).is_null());
  }

  TEST_CASE("results keep object key order") {
    Json doc = Json::parse(R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
    CHECK(jp::search("@", doc).dump() == R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
    CHECK(jp::search("{z: a, a: z, m: m}", doc).dump() == R"({"z":2,"a":1,"m":{"y":1,"b":2}})");
    CHECK(jp::search("keys(@)", doc).dump() == R"(["z","a","m"])");
    CHECK(jp::search("merge(m, `{\"c\": 3, \"y\": 0}`)", doc).dump() == R"({"y":0,"b":2,"c":3})");
    CHECK(jp::search("*", doc).dump() == R"([1,2,{"y":1,"b":2}])");
  }

  TEST_CASE("to_string prints compact JSON like the reference implementation") {
    Json doc = Json::parse(R"({"o":{"b":[1,2.5,true,null],"a":"x\"y"},"u":"é"})");
    CHECK(jp::search("to_string(o)", doc) == R"({"b":[1,2.5,true,null],"a":"x\"y"})");
    CHECK(jp::search("to_string(`[\"é\"]`)", doc) == R"(["\u00e9"])");
    CHECK(jp::search("to_string(u)", doc) == "é");
    CHECK(jp::search("to_string(`1.0`)", doc) == "1.0");
  }

  TEST_CASE("number results keep integer and float types") {
    Json doc = Json::parse(R"({"i":[1,2,3],"f":[1.5,2.5],"x":-3.7})");
    CHECK(jp::search("ceil(x)", doc).is_number_integer());
    CHECK(jp::search("ceil(x)", doc) == -3);
    CHECK(jp::search("floor(x)", doc) == -4);
    CHECK(jp::search("sum(i)", doc).is_number_integer());
    CHECK(jp::search("sum(f)", doc).is_number_float());
    CHECK(jp::search("avg(i)", doc).is_number_float());
    CHECK(jp::search("avg(i)", doc).dump() == "2.0");
    CHECK(jp::search("abs(x)", doc) == 3.7);
    CHECK(jp::search("to_number('12')", doc).is_number_integer());
    CHECK(jp::search("to_number('1e3')", doc) == 1000.0);
    CHECK(jp::search("to_number('99999999999999999999')", doc).is_number_float());
    CHECK(jp::search("abs(`-9223372036854775808`)", doc) == 9223372036854775808.0);
  }

  TEST_CASE("searching never modifies the input") {
    const Json doc = Json::parse(R"({"a":[3,1,2],"b":{"k":"v"}})");
    const Json copy = doc;
    jp::search("sort(a)", doc);
    jp::search("reverse(a)", doc);
    jp::search("merge(b, `{\"k\": 1}`)", doc);
    jp::search("a[::-1]", doc);
    CHECK(doc == copy);
  }

  TEST_CASE("results from temporaries survive their source") {
    Json doc = Json::parse(R"({"a":[{"b":{"c":[1,2]}}]})");
    CHECK(jp::search("a[0] | b.c", doc) == Json::parse("[1,2]"));
    CHECK(jp::search("to_array(a[0].b)[0].c | [1]", doc) == 2);
    CHECK(jp::search("`{\"x\": {\"y\": 5}}`.x.y", doc) == 5);
    CHECK(jp::search("sort_by(a, &b.c[0])[0].b.c", doc) == Json::parse("[1,2]"));
    CHECK(jp::search("not_null(missing, a[0]).b", doc) == Json::parse(R"({"c":[1,2]})"));
    CHECK(jp::search("max_by(a[*].b, &c[0]).c", doc) == Json::parse("[1,2]"));
    CHECK(jp::search("[a][0][0].b.c[-1]", doc) == 2);
  }

  TEST_CASE("deep or long expressions are refused or handled, never crash") {
    std::string deep(5000, '(');
    CHECK(error_of(deep + "a" + std::string(5000, ')')).kind() == jp::ErrorKind::syntax);
    std::string list(5000, '[');
    CHECK(error_of(list).kind() == jp::ErrorKind::syntax);
    std::string chain = "a";
    for (int i = 0; i < 1500; ++i) chain += ".a";
    Json doc = Json::object();
    CHECK(jp::search(chain, doc).is_null());
    std::string too_long = "a";
    for (int i = 0; i < 3000; ++i) too_long += ".a";
    CHECK(error_of(too_long).kind() == jp::ErrorKind::syntax);
    std::string nots(201, '!');
    CHECK(jp::search(nots + "a", doc) == true);
  }

  TEST_CASE("garbage bytes are syntax errors") {
    for (std::string s : {std::string("\xff\xfe"), std::string("a\0b", 3), std::string("\x01"), std::string("`\xff`"),
                          std::string("\"\xc3\""), std::string("foo[?a==`\"\\ud800\"`]")}) {
      try {
        jp::search(s, Json::object());
      } catch (const jp::Error& e) {
        CHECK(e.position() <= s.size());
      }
    }
  }
}
