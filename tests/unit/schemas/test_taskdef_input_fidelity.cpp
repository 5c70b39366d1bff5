// Task-definition input that must not be misread or half-reported: quoted
// scalars that are never closed (yaml-cpp accepts them when a newline follows;
// PyYAML and the YAML spec do not), YAML errors that say what was found and
// what to fix, unreadable files, `cpu: 256` as a number, dependsOn cycles and
// the port-host-conflict hint per network mode.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "schemas/taskdef.hpp"
#include "schemas/taskdef_source.hpp"

using namespace ecsctl::taskdef;

namespace {

Document load(const std::string& text) { return load_text("t.yaml", text, nullptr); }

const Finding* first(const Document& d, const std::string& rule) {
  for (const auto& f : d.findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Document validated(const std::string& text, const char* launch_type = nullptr) {
  Document d = load(text);
  ValidateOptions o;
  if (launch_type) o.launch_type = launch_type;
  validate(d, o);
  return d;
}

}  // namespace

TEST_SUITE("taskdef input fidelity") {
  TEST_CASE("a quoted value that is never closed is a syntax error where it opens") {
    struct Case {
      const char* text;
      int line, col;
    };
    const Case cases[] = {
        {"family: \"x\n", 1, 9},
        {"family: 'x\n", 1, 9},
        {"family: \"x", 1, 9},
        {"family: 'x", 1, 9},
        {"family: \"x\ncpu: \"256\"\nmemory: 512\n", 1, 9},  // closes mid-file on line 2
        {"family: 'x\ncpu: '256'\nmemory: 512\n", 1, 9},
        {"family: \"x\ncpu: 256\nmemory: 512\n", 1, 9},  // runs to the end of the file
        {"family: web\ncontainerDefinitions:\n  - name: \"app\n    image: nginx\n", 3, 11},
        {"family: \"x\\\"\n", 1, 9},  // \" does not close
        {"family: 'x''\n", 1, 9},    // '' does not close
        {"family: [\"a, b]\n", 1, 10},
    };
    for (const auto& c : cases) {
      INFO(std::string(c.text));
      CHECK_FALSE(parse_yaml_fast(c.text).has_value());
      CHECK_THROWS_AS(parse_yaml_full(c.text), ParseError);
      Document d = load(c.text);
      CHECK_FALSE(d.parsed);
      const Finding* f = first(d, "input-parse");
      REQUIRE(f != nullptr);
      INFO(f->message);
      CHECK(f->pos.line == c.line);
      CHECK(f->pos.col == c.col);
      CHECK(contains(f->message, "quote"));
      CHECK_FALSE(f->hint.empty());
    }
  }

  TEST_CASE("quoted values over several lines that do close still read as YAML reads them") {
    Document d = load("family: \"x\n  y\"\ncpu: '256'\n");
    REQUIRE(d.parsed);
    CHECK(d.def["family"] == "x y");
    Document s = load("family: 'it''s'\nimage: \"a\\\"b\"\n");
    REQUIRE(s.parsed);
    CHECK(s.def["family"] == "it's");
    CHECK(s.def["image"] == "a\"b");
    Document block = load("family: web\ncommand: |\n  echo \"hi\n  \"unclosed\nmemory: 512\n");
    REQUIRE(block.parsed);
  }

  TEST_CASE("a bad indentation says what YAML found, where, and what to fix") {
    Document d = load(
        "family: web\n"
        "containerDefinitions:\n"
        "  - name: app\n"
        "    image: nginx\n"
        "   memory: 512\n");
    const Finding* f = first(d, "input-parse");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(f->pos.line == 5);
    CHECK(f->pos.col == 4);
    CHECK_FALSE(contains(f->message, "end of sequence not found"));
    CHECK(contains(f->message, "bad indentation"));
    CHECK(contains(f->message, "\"memory: 512\""));
    CHECK(contains(f->message, "column 4"));
    CHECK(contains(f->message, "5"));  // the column the item's keys are at
    CHECK(contains(f->hint, "spaces"));
    CHECK(f->hint != "the file must hold one JSON or YAML object");

    Document deeper = load("family: web\n  cpu: 256\n");
    const Finding* g = first(deeper, "input-parse");
    REQUIRE(g != nullptr);
    CHECK(g->pos.line == 2);
    CHECK(contains(g->message, "\"cpu: 256\""));
    CHECK(contains(g->hint, "line the key up"));

    Document tab = load("family: web\ncontainerDefinitions:\n\t- name: app\n");
    const Finding* t = first(tab, "input-parse");
    REQUIRE(t != nullptr);
    CHECK(contains(t->message, "tab"));
  }

  TEST_CASE("a file that cannot be read says why") {
    Document missing = load_file("/nonexistent/taskdef.yaml", nullptr);
    CHECK_FALSE(missing.parsed);
    const Finding* f = first(missing, "input-parse");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::error);
    CHECK(f->message == "cannot read the file: No such file or directory");
    CHECK(f->hint != "the file must hold one JSON or YAML object");
    CHECK(fails(missing.findings, false));

    Document dir = load_file(std::filesystem::temp_directory_path().string(), nullptr);
    REQUIRE(first(dir, "input-parse"));
    CHECK(first(dir, "input-parse")->message == "cannot read the file: it is a directory");

    if (::geteuid() != 0) {  // root reads anything
      auto path = std::filesystem::temp_directory_path() / "ecsctl-unreadable.yaml";
      { std::ofstream(path) << "family: web\n"; }
      std::filesystem::permissions(path, std::filesystem::perms::none);
      Document locked = load_file(path.string(), nullptr);
      std::filesystem::remove(path);
      REQUIRE(first(locked, "input-parse"));
      CHECK(first(locked, "input-parse")->message == "cannot read the file: Permission denied");
    }
  }

  TEST_CASE("cpu and memory written as numbers get the type error and the Fargate size check") {
    Document d = validated(
        "family: web\nrequiresCompatibilities: [FARGATE]\nnetworkMode: awsvpc\ncpu: 256\nmemory: 4096\n"
        "containerDefinitions:\n  - name: app\n    image: nginx:1.25\n",
        "FARGATE");
    const Finding* type = first(d, "input-type");
    REQUIRE(type != nullptr);
    CHECK(type->path == "cpu");
    const Finding* size = first(d, "fargate-task-size");
    REQUIRE(size != nullptr);
    CHECK(contains(size->message, "cpu 256"));
    CHECK(contains(size->message, "memory 4096"));
    // A valid pair as numbers: only the type errors.
    Document ok = validated(
        "family: web\nrequiresCompatibilities: [FARGATE]\nnetworkMode: awsvpc\ncpu: 256\nmemory: 512\n"
        "containerDefinitions:\n  - name: app\n    image: nginx:1.25\n",
        "FARGATE");
    CHECK(first(ok, "input-type"));
    CHECK_FALSE(first(ok, "fargate-task-size"));
  }

  TEST_CASE("a dependsOn cycle fails validation and names its containers") {
    Document two = validated(
        "family: web\ncontainerDefinitions:\n"
        "  - name: a\n    image: nginx:1.25\n    memory: 128\n    dependsOn: [{containerName: b, condition: START}]\n"
        "  - name: b\n    image: nginx:1.25\n    memory: 128\n    dependsOn: [{containerName: a, condition: START}]\n");
    const Finding* f = first(two, "depends-on-cycle");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::error);
    CHECK(contains(f->message, "a \u2192 b \u2192 a"));
    CHECK(fails(two.findings, false));
    Document three = validated(
        "family: web\ncontainerDefinitions:\n"
        "  - name: a\n    image: nginx:1.25\n    memory: 128\n    dependsOn: [{containerName: b, condition: START}]\n"
        "  - name: b\n    image: nginx:1.25\n    memory: 128\n    dependsOn: [{containerName: c, condition: START}]\n"
        "  - name: c\n    image: nginx:1.25\n    memory: 128\n    dependsOn: [{containerName: a, condition: START}]\n");
    const Finding* g = first(three, "depends-on-cycle");
    REQUIRE(g != nullptr);
    CHECK(contains(g->message, "a \u2192 b \u2192 c \u2192 a"));
    CHECK(fails(three.findings, false));
  }

  TEST_CASE("the port-host-conflict hint matches the network mode") {
    const char* body =
        "containerDefinitions:\n"
        "  - name: app\n    image: nginx:1.25\n    memory: 128\n    portMappings: [{containerPort: 80, hostPort: 8080}]\n"
        "  - name: other\n    image: nginx:1.25\n    memory: 128\n    portMappings: [{containerPort: 81, hostPort: 8080}]\n";
    Document bridge = validated(std::string("family: web\nnetworkMode: bridge\n") + body);
    const Finding* b = first(bridge, "port-host-conflict");
    REQUIRE(b != nullptr);
    CHECK_FALSE(contains(b->hint, "namespace"));
    CHECK(contains(b->hint, "once per instance"));
    Document awsvpc = validated(
        "family: web\nnetworkMode: awsvpc\ncontainerDefinitions:\n"
        "  - name: app\n    image: nginx:1.25\n    memory: 128\n    portMappings: [{containerPort: 80}]\n"
        "  - name: other\n    image: nginx:1.25\n    memory: 128\n    portMappings: [{containerPort: 80}]\n");
    const Finding* a = first(awsvpc, "port-host-conflict");
    REQUIRE(a != nullptr);
    CHECK(contains(a->hint, "network namespace"));
  }
}
