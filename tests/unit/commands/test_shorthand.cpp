// The shorthand parser against the AWS CLI's parser (expected values were
// produced by awscli.shorthand.ShorthandParser for the same inputs).
#include <doctest/doctest.h>

#include "commands/shorthand.hpp"

using ecsctl::Json;
namespace sh = ecsctl::commands::shorthand;

static Json J(const char* text) { return Json::parse(text); }

TEST_SUITE("shorthand") {
  TEST_CASE("key=value pairs") {
    CHECK(sh::parse("Key=a,Value=b") == J(R"({"Key":"a","Value":"b"})"));
    CHECK(sh::parse("a = b , c = d") == J(R"({"a":"b","c":"d"})"));
    CHECK(sh::parse("a=b c") == J(R"({"a":"b c"})"));
    CHECK(sh::parse("a=b=c") == J(R"({"a":"b=c"})"));
    CHECK(sh::parse("a=,b=c") == J(R"({"a":"","b":"c"})"));
    CHECK(sh::parse("a=") == J(R"({"a":""})"));
    // keys keep their order
    CHECK(sh::parse("z=1,a=2").begin().key() == "z");
  }

  TEST_CASE("implied lists and backtracking to the next key") {
    CHECK(sh::parse("a=x,y,z") == J(R"({"a":["x","y","z"]})"));
    CHECK(sh::parse("foo=a,b,c=d") == J(R"({"foo":["a","b"],"c":"d"})"));
    CHECK(sh::parse("foo=a,b=c") == J(R"({"foo":"a","b":"c"})"));
  }

  TEST_CASE("explicit lists and nested structures") {
    CHECK(sh::parse("awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}") ==
          J(R"({"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"],"securityGroups":["sg-1"],"assignPublicIp":"ENABLED"}})"));
    CHECK(sh::parse("a=[{k=v,k2=[1,2]},{k=w}]") == J(R"({"a":[{"k":"v","k2":["1","2"]},{"k":"w"}]})"));
    CHECK(sh::parse("a=[]") == J(R"({"a":[]})"));
    CHECK(sh::parse("a={}") == J(R"({"a":{}})"));
    CHECK(sh::parse("a=[ x , y ]") == J(R"({"a":["x","y"]})"));
    CHECK(sh::parse("a={b={c={d=e}}}") == J(R"({"a":{"b":{"c":{"d":"e"}}}})"));
  }

  TEST_CASE("quoting and escapes") {
    CHECK(sh::parse(R"(a='x,y',b="q\"r")") == J(R"({"a":"x,y","b":"q\"r"})"));
    CHECK(sh::parse(R"(a=x\,y)") == J(R"({"a":"x,y"})"));
    CHECK(sh::parse(R"(k='it\'s')") == J(R"({"k":"it's"})"));
    CHECK(sh::parse(R"(a="x\\")") == J(R"({"a":"x\\"})"));
    // an escaped quote at the end backtracks to a literal backslash, as Python's regex does
    CHECK(sh::parse(R"(a='x\')") == J(R"({"a":"x\\"})"));
    CHECK(sh::parse("a=[\"p,q\",'r]s']") == J(R"({"a":["p,q","r]s"]})"));
    CHECK(sh::parse("a=é,b") == J(R"({"a":["é","b"]})"));
    CHECK(sh::parse("a=[,]") == J(R"({"a":[""]})"));
    CHECK(sh::parse("=") == J(R"({"":""})"));
    CHECK(sh::parse("a=üñî,b=é") == J(R"({"a":"üñî","b":"é"})"));
  }

  TEST_CASE("errors carry the AWS CLI's message, offset, column and caret") {
    struct Case {
      const char* input;
      const char* message;
      std::size_t offset;
    };
    const Case cases[] = {
        {"a=b,", "Expected: '<second>', received: '<none>' for input:\na=b,\n    ^", 4},
        {"a=[b,c", "Expected: ',', received: 'EOF' for input:\na=[b,c\n      ^", 6},
        {"a", "Expected: '=', received: 'EOF' for input:\na\n ^", 1},
        {"a={b=c", "Expected: ',', received: 'EOF' for input:\na={b=c\n      ^", 6},
        {"a=\"unterminated", "Expected: '<double quoted>', received: '<none>' for input:\na=\"unterminated\n  ^", 2},
        {"a=b\n,b==c", "Expected: ',', received: '=' for input:\na=b\n,b==c\n   ^", 7},
        {"a=b,a=c",
         "Second instance of key \"a\" encountered for input:\na=b,a=c\n    ^\nThis is often because there is a "
         "preceding \",\" instead of a space.",
         4},
    };
    for (const auto& c : cases) {
      CAPTURE(c.input);
      try {
        sh::parse(c.input);
        FAIL("no error");
      } catch (const sh::ParseError& e) {
        CHECK(std::string(e.what()) == c.message);
        CHECK(e.offset() == c.offset);
      }
    }
  }

  TEST_CASE("columns count characters, not bytes, on the failing line") {
    try {
      sh::parse("a=[é,b");
      FAIL("no error");
    } catch (const sh::ParseError& e) {
      CHECK(e.offset() == 7);
      CHECK(e.column() == 7);
      CHECK(std::string(e.what()).find("a=[é,b\n      ^") != std::string::npos);
    }
  }

  TEST_CASE("never crashes on odd input") {
    for (const char* s : {"", "=", ",", "[", "{", "a=[", "a={", "a=[{", "a='", "a=\"\\", "a=[,]", "a={=}", "==,,[[{{",
                          "\xff\xfe=\x01", "a=[[[[[[[[]]]]]]]]"}) {
      CAPTURE(s);
      try {
        Json j = sh::parse(s);
        CHECK(j.is_object());
      } catch (const sh::ParseError& e) {
        CHECK(std::string(e.what()).find("^") != std::string::npos);
      }
    }
  }
}
