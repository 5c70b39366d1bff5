// The output renderers and print_result: Python-exact scalars, the rules
// print_result applies around the renderers (empty results, --query, colour,
// --output off), and robustness on data the AWS CLI itself cannot format.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "core/context.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "core/pyformat.hpp"

using ecsctl::Json;
namespace pyfmt = ecsctl::pyfmt;

namespace {

struct Printer {
  std::ostringstream out, err;
  ecsctl::Context ctx{out, err, ecsctl::Environment::isolated({})};

  explicit Printer(ecsctl::OutputFormat f) { ctx.opts.output = f; }
  std::string print(const Json& v, std::string_view title = "Op") {
    ecsctl::print_result(ctx, v, title);
    return out.str();
  }
};

const std::string k_replacement = "\xEF\xBF\xBD";

}  // namespace

TEST_SUITE("pyfmt") {
  TEST_CASE("float_repr prints what Python's repr prints") {
    CHECK(pyfmt::float_repr(1.0) == "1.0");
    CHECK(pyfmt::float_repr(0.1) == "0.1");
    CHECK(pyfmt::float_repr(1e-07) == "1e-07");
    CHECK(pyfmt::float_repr(0.0001) == "0.0001");
    CHECK(pyfmt::float_repr(0.00001) == "1e-05");
    CHECK(pyfmt::float_repr(1e16) == "1e+16");
    CHECK(pyfmt::float_repr(1e15) == "1000000000000000.0");
    CHECK(pyfmt::float_repr(1234567890123456.0) == "1234567890123456.0");
    CHECK(pyfmt::float_repr(2.5e-10) == "2.5e-10");
    CHECK(pyfmt::float_repr(1.5e300) == "1.5e+300");
    CHECK(pyfmt::float_repr(-0.0) == "-0.0");
    CHECK(pyfmt::float_repr(-123.456) == "-123.456");
    CHECK(pyfmt::float_repr(5e-324) == "5e-324");
    CHECK(pyfmt::float_repr(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(pyfmt::float_repr(std::nan("")) == "nan");
  }

  TEST_CASE("sanitize_utf8 replaces maximal invalid subparts like Python") {
    CHECK(pyfmt::sanitize_utf8("plain ascii") == "plain ascii");
    CHECK(pyfmt::sanitize_utf8("h\xC3\xA9llo \xE6\x97\xA5") == "h\xC3\xA9llo \xE6\x97\xA5");
    CHECK(pyfmt::sanitize_utf8("a\xFF" "b") == "a" + k_replacement + "b");
    CHECK(pyfmt::sanitize_utf8("\xE2\x82") == k_replacement);
    CHECK(pyfmt::sanitize_utf8("\xF0\x9F\x98x") == k_replacement + "x");
    CHECK(pyfmt::sanitize_utf8("\xED\xA0\x80") == k_replacement + k_replacement + k_replacement);
    CHECK(pyfmt::sanitize_utf8("\xC0\xAF") == k_replacement + k_replacement);
  }

  TEST_CASE("str and repr follow Python") {
    CHECK(pyfmt::str(Json(true)) == "True");
    CHECK(pyfmt::str(Json(nullptr)) == "None");
    CHECK(pyfmt::str(Json(3.0)) == "3.0");
    CHECK(pyfmt::str(Json(18446744073709551615ull)) == "18446744073709551615");
    Json v = Json::parse(R"({"a": [1, "x", null, true, 1.5], "it's": "q\"", "tab": "a\tb\u0001"})");
    CHECK(pyfmt::repr(v) == R"({'a': [1, 'x', None, True, 1.5], "it's": 'q"', 'tab': 'a\tb\x01'})");
  }
}

TEST_SUITE("render") {
  TEST_CASE("json escapes as Python's json.dump with ensure_ascii=False") {
    Json v = {{"s", "q\"\\\n\t\x01\x7f\xC3\xA9"}, {"f", 1e-07}, {"n", Json::array()}, {"o", Json::object()}};
    CHECK(ecsctl::render_json(v) ==
          "{\n    \"s\": \"q\\\"\\\\\\n\\t\\u0001\x7f\xC3\xA9\",\n    \"f\": 1e-07,\n"
          "    \"n\": [],\n    \"o\": {}\n}\n");
    CHECK(ecsctl::render_json(Json(std::nan(""))) == "NaN\n");
    CHECK(ecsctl::render_json(Json("bad \xFF")) == "\"bad " + k_replacement + "\"\n");
  }

  TEST_CASE("yaml sorts keys, keeps sequences flush and quotes look-alikes") {
    Json v = Json::parse(R"({"b": ["1", "yes", "", "x"], "a": {"n": null, "f": 2.0, "e": []}})");
    CHECK(ecsctl::render_yaml(v) == "a:\n  e: []\n  f: 2.0\n  n: null\nb:\n- '1'\n- yes\n- ''\n- x\n");
    CHECK(ecsctl::render_yaml_stream(v).rfind("- a:\n    e: []\n", 0) == 0);
    CHECK(ecsctl::render_yaml(Json("str")) == "\"str\"\n");
    CHECK(ecsctl::render_yaml(Json::array()) == "[]\n");
    CHECK(ecsctl::render_yaml(Json("bad \xFF")) == "\"bad " + k_replacement + "\"\n");
  }

  TEST_CASE("text prints Python's str() of scalars") {
    Json v = Json::parse(R"({"b": true, "a": null, "c": 1.0, "l": [{"x": 1}, {"x": {"deep": 1}, "y": 2}]})");
    CHECK(ecsctl::render_text(v) == "None\tTrue\t1.0\nL\t1\t\nL\t{'deep': 1}\t2\n");
  }

  TEST_CASE("table turns one-row sections vertical only past the terminal width") {
    Json v = {{"items", {{{"name", std::string(50, 'n')}, {"value", std::string(50, 'v')}}}}};
    std::string narrow = ecsctl::render_table(v, "Op", false, 80);
    std::string wide = ecsctl::render_table(v, "Op", false, 200);
    const std::string vertical_row = "||  name |  " + std::string(50, 'n');
    CHECK(narrow.find(vertical_row) != std::string::npos);
    CHECK(wide.find(vertical_row) == std::string::npos);
    // As awscli's MultiTable prints it (checked against awscli.formatter at width 200).
    CHECK(wide.find("||  " + std::string(50, 'n') + " |  " + std::string(50, 'v') + "  ||") != std::string::npos);
    CHECK(ecsctl::render_table(Json::object(), "Op") == "");
    CHECK(ecsctl::render_table(Json(0), "Op") == "");
  }

  TEST_CASE("table counts East Asian wide characters as two columns") {
    std::string t = ecsctl::render_table(Json::parse(R"({"k": "日本"})"), "T");
    CHECK(t == "---------------\n|      T      |\n+----+--------+\n|  k |  日本  |\n+----+--------+\n");
  }

  TEST_CASE("data the AWS CLI fails on is still printed") {
    Json ragged = Json::parse(R"([[["a", "b"], ["c"]], [1, {"k": 2}], "s", [{"x": 1}, 3]])");
    for (auto f : {ecsctl::OutputFormat::text, ecsctl::OutputFormat::table, ecsctl::OutputFormat::yaml}) {
      CAPTURE(static_cast<int>(f));
      std::string s;
      CHECK_NOTHROW(s = ecsctl::render(ragged, f, "Op"));
      CHECK(s.find('a') != std::string::npos);
    }
  }
}

TEST_SUITE("print_result") {
  TEST_CASE("an empty response prints nothing in every format") {
    for (auto f : {ecsctl::OutputFormat::json, ecsctl::OutputFormat::yaml, ecsctl::OutputFormat::yaml_stream,
                   ecsctl::OutputFormat::text, ecsctl::OutputFormat::table}) {
      Printer p(f);
      CHECK(p.print(Json::object()).empty());
    }
    Printer p(ecsctl::OutputFormat::json);
    CHECK(p.print(Json::array()) == "[]\n");
  }

  TEST_CASE("--output off prints nothing") {
    Printer p(ecsctl::OutputFormat::off);
    CHECK(p.print(Json{{"a", 1}}).empty());
  }

  TEST_CASE("--query is applied before rendering") {
    Printer p(ecsctl::OutputFormat::text);
    p.ctx.opts.query = "services[].serviceName";
    CHECK(p.print(Json::parse(R"({"services": [{"serviceName": "api"}, {"serviceName": "web"}]})")) ==
          "api\tweb\n");
  }

  TEST_CASE("an error while evaluating --query is 255, not 252: the request was already sent") {
    Printer p(ecsctl::OutputFormat::json);
    p.ctx.opts.query = "abs(service)";
    try {
      p.print(Json{{"service", Json{{"serviceName", "api"}}}});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == ecsctl::Exit::other);
      CHECK(std::string(e.what()).find("--query") != std::string::npos);
    }
    CHECK(p.out.str().empty());
  }

  TEST_CASE("a bad --query is a usage error") {
    Printer p(ecsctl::OutputFormat::json);
    p.ctx.opts.query = "services[";
    try {
      p.print(Json{{"services", Json::array()}});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == ecsctl::Exit::usage);
      CHECK(std::string(e.what()).find("--query") != std::string::npos);
    }
    CHECK(p.out.str().empty());
  }

  TEST_CASE("table colour: only with --color on or on a terminal without NO_COLOR") {
    const Json v = {{"a", 1}, {"b", 2}};
    Printer plain(ecsctl::OutputFormat::table);
    CHECK(plain.print(v).find('\033') == std::string::npos);

    Printer forced(ecsctl::OutputFormat::table);
    forced.ctx.opts.color = ecsctl::ColorMode::on;
    CHECK(forced.print(v).find("\033[1m\033[34m1\033[0m") != std::string::npos);

    Printer tty(ecsctl::OutputFormat::table);
    tty.ctx.stdout_is_tty = true;
    CHECK(tty.print(v).find('\033') != std::string::npos);

    Printer no_color(ecsctl::OutputFormat::table);
    no_color.ctx.stdout_is_tty = true;
    no_color.ctx.env.set("NO_COLOR", "1");
    CHECK(no_color.print(v).find('\033') == std::string::npos);
  }
}
