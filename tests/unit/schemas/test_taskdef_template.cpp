// Templating: ${VAR}, ${VAR:-default}, ${VAR:?message}, $$, sources and
// precedence, dotenv parsing, and positions of problems.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "schemas/taskdef.hpp"

using namespace ecsctl::taskdef;

namespace {

std::string expand(const std::string& in, const TemplateVars& v, std::vector<TemplateProblem>* out = nullptr) {
  std::vector<TemplateProblem> problems;
  std::string s = expand_template(in, v, problems);
  if (out) *out = problems;
  else CHECK(problems.empty());
  return s;
}

}  // namespace

TEST_SUITE("taskdef templates") {
  TEST_CASE("forms of references") {
    TemplateVars v;
    v.set("TAG", "1.4.2");
    v.set("EMPTY", "");
    CHECK(expand("app:${TAG}", v) == "app:1.4.2");
    CHECK(expand("${MISSING:-latest}", v) == "latest");
    CHECK(expand("${EMPTY:-dflt}", v) == "dflt");
    CHECK(expand("${EMPTY-dflt}", v) == "");
    CHECK(expand("${MISSING:-${TAG}}", v) == "1.4.2");
    CHECK(expand("cost $$5 and $HOME", v) == "cost $5 and $HOME");
    CHECK(expand("$${TAG}", v) == "${TAG}");
    CHECK(expand("${TAG:?set the tag}", v) == "1.4.2");
  }

  TEST_CASE("problems name the variable") {
    TemplateVars v;
    std::vector<TemplateProblem> p;
    expand("x ${IMAGE_TAG:?pass --var IMAGE_TAG=...}", v, &p);
    REQUIRE(p.size() == 1);
    CHECK(p[0].variable == "IMAGE_TAG");
    CHECK(p[0].offset == 2);
    CHECK(p[0].message.find("IMAGE_TAG") != std::string::npos);
    CHECK(p[0].message.find("pass --var") != std::string::npos);
    expand("${UNSET}", v, &p);
    REQUIRE(p.size() == 1);
    CHECK(p[0].variable == "UNSET");
    expand("${unterminated", v, &p);
    CHECK(p.size() == 1);
    expand("${1BAD}", v, &p);
    CHECK(p.size() == 1);
  }

  TEST_CASE("environment, files and --var in order of precedence") {
    auto env = ecsctl::Environment::isolated({{"A", "env"}, {"B", "env"}, {"C", "env"}});
    auto dir = std::filesystem::temp_directory_path();
    auto envfile = dir / "ecsctl-tpl-test.env";
    auto varfile = dir / "ecsctl-tpl-test.yaml";
    std::ofstream(envfile) << "# comment\nexport B=envfile\nQ=\"two words\\n\"\nS='single $x'\nT=plain # trailing\n";
    std::ofstream(varfile) << "C: varfile\nN: 5\n";
    TemplateVars v;
    v.set_environment(&env);
    v.add_env_file(envfile.string());
    v.add_var_file(varfile.string());
    v.add_assignment("D=cli=x");
    CHECK(v.get("A") == "env");
    CHECK(v.get("B") == "envfile");
    CHECK(v.get("C") == "varfile");
    CHECK(v.get("D") == "cli=x");
    CHECK(v.get("N") == "5");
    CHECK(v.get("Q") == "two words\n");
    CHECK(v.get("S") == "single $x");
    CHECK(v.get("T") == "plain");
    CHECK_THROWS_AS(v.add_assignment("novalue"), ecsctl::Error);
    CHECK_THROWS_AS(v.add_env_file((dir / "does-not-exist.env").string()), ecsctl::Error);
    std::ofstream(envfile) << "this is not dotenv\n";
    CHECK_THROWS_AS(v.add_env_file(envfile.string()), ecsctl::Error);
    std::filesystem::remove(envfile);
    std::filesystem::remove(varfile);
  }

  TEST_CASE("templated documents keep positions and retype plain scalars") {
    TemplateVars v;
    v.set("PORT", "8080");
    v.set("TAG", "1.2");
    Document y = load_text("t.yaml", "family: web\nport: ${PORT}\nquoted: \"${PORT}\"\nimage: app:${TAG}\n", &v);
    REQUIRE(y.parsed);
    CHECK(y.def["port"] == 8080);
    CHECK(y.def["quoted"] == "8080");
    CHECK(y.def["image"] == "app:1.2");
    CHECK(y.value_position("port").value().line == 2);
    Document j = load_text("t.json", "{\"family\": \"web\",\n \"port\": ${PORT}, \"image\": \"app:${TAG}\"}", &v);
    REQUIRE(j.parsed);
    CHECK(j.def["port"] == 8080);
    CHECK(j.def["image"] == "app:1.2");
  }

  TEST_CASE("an unset required variable is a template-unset finding at file:line:col") {
    TemplateVars v;
    Document d = load_text("td.yaml", "family: web\ncontainerDefinitions:\n  - image: \"repo/app:${IMAGE_TAG:?set it}\"\n", &v);
    REQUIRE(d.findings.size() == 1);
    CHECK(d.findings[0].rule == "template-unset");
    CHECK(d.findings[0].pos.line == 3);
    CHECK(d.findings[0].pos.col == 22);
    CHECK(d.findings[0].message.find("IMAGE_TAG") != std::string::npos);
    CHECK(fails(d.findings, false));
  }

  TEST_CASE("dotenv parser reports the bad line") {
    int bad = 0;
    auto pairs = parse_dotenv("A=1\n\n# x\nB = 2\n=oops\n", bad);
    CHECK(bad == 5);
    REQUIRE(pairs.size() == 2);
    CHECK(pairs[1].first == "B");
    CHECK(pairs[1].second == "2");
  }
}
