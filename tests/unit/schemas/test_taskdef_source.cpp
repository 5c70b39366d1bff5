// Loading task-definition files: positions, both accepted shapes, and bad
// input (malformed, wrong types, huge, deeply nested, invalid UTF-8) that must
// give a clear input-parse finding with a location and never crash.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "schemas/taskdef.hpp"

using namespace ecsctl::taskdef;

namespace {

Document load(const std::string& text) { return load_text("t.yaml", text, nullptr); }

const Finding* first(const Document& d, const std::string& rule) {
  for (const auto& f : d.findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

}  // namespace

TEST_SUITE("taskdef source") {
  TEST_CASE("YAML and JSON keep line and column of values and keys") {
    Document y = load("family: web\ncontainerDefinitions:\n  - name: app\n    image: nginx:1.25\n");
    REQUIRE(y.parsed);
    CHECK(y.def["family"] == "web");
    CHECK(y.value_position("containerDefinitions[0].image").value().line == 4);
    CHECK(y.value_position("containerDefinitions[0].image").value().col == 12);
    CHECK(y.key_position("containerDefinitions[0].image").value().col == 5);
    Document j = load("{\n  \"family\": \"web\",\n  \"containerDefinitions\": [{\"name\": \"a\", \"memory\": 5}]\n}");
    REQUIRE(j.parsed);
    CHECK(j.def["containerDefinitions"][0]["memory"] == 5);
    CHECK(j.value_position("containerDefinitions[0].memory").value().line == 3);
    CHECK(j.value_position("containerDefinitions[0].memory").value().col == 52);
  }

  TEST_CASE("paths quote keys that are not identifiers") {
    Document d = load("options:\n  awslogs-group: /ecs/x\n");
    CHECK(d.value_position("options[\"awslogs-group\"]").has_value());
    CHECK(d.locate("options[\"awslogs-region\"]").line == 2);  // falls back to the parent
  }

  TEST_CASE("every value and key is found by its path, the first of equal paths winning") {
    // The reference: index every path of the source tree up front, first one
    // wins (what Document kept before positions were looked up on demand).
    struct Index {
      std::map<std::string, Pos> values, keys;
      void add(const PNode& n, const std::string& path) {
        values.emplace(path, n.pos);
        for (std::size_t i = 0; i < n.items.size(); ++i) {
          if (n.kind == PNode::Kind::array) {
            add(n.items[i], path_index(path, i));
          } else {
            std::string child = path_join(path, n.keys[i].first);
            keys.emplace(child, n.keys[i].second);
            add(n.items[i], child);
          }
        }
      }
    };
    const char* docs[] = {
        "family: web\na: 1\nab: 2\n\"a.b\": 3\n'q\"uote': 4\n'back\\slash': 5\n\"0\": 6\n\"x[0]\": 7\n"
        "containerDefinitions:\n  - name: app\n    options: {awslogs-group: g, \"a b\": [1, [2, {c: 3}]]}\n"
        "  - []\n  - - x\n    - y\n",
        "{\"family\": \"w\", \"list\": [[[1]], {\"k\": {\"\": 2}}], \"e\": {}}",
    };
    for (const char* text : docs) {
      INFO(text);
      Document d = load(text);
      REQUIRE(d.parsed);
      Index ix;
      ix.add(parse_document(text), "");
      // Not structured bindings: clang 14 cannot capture them in INFO's lambda.
      for (const auto& entry : ix.values) {
        const std::string& path = entry.first;
        const auto& pos = entry.second;
        INFO(path);
        REQUIRE(d.value_position(path).has_value());
        CHECK(d.value_position(path)->line == pos.line);
        CHECK(d.value_position(path)->col == pos.col);
      }
      for (const auto& entry : ix.keys) {
        const std::string& path = entry.first;
        const auto& pos = entry.second;
        INFO(path);
        REQUIRE(d.key_position(path).has_value());
        CHECK(d.key_position(path)->col == pos.col);
      }
      for (const char* missing : {"nope", "a.b", "containerDefinitions[9]", "containerDefinitions[00]",
                                  "containerDefinitions[0]x", "list[0][0][0][0]", "family.x", "[0]"})
        CHECK_FALSE(d.value_position(missing).has_value());
    }
    // Keys equal after templating: the first one's position, as before.
    TemplateVars vars;
    vars.set("K", "dup");
    Document t = load_text("t.yaml", "family: w\ndup: 1\n${K}:\n  x: 2\n", &vars);
    REQUIRE(t.parsed);
    CHECK(t.value_position("dup")->line == 2);
    CHECK(t.key_position("dup")->line == 2);
    CHECK(t.locate("dup.x").line == 4);  // only the second has x: found there
  }

  TEST_CASE("describe-task-definition output is unwrapped, read-only members dropped, tags kept") {
    Document d = load(
        "taskDefinition:\n  taskDefinitionArn: arn:aws:ecs:us-east-1:123456789012:task-definition/web:3\n"
        "  family: web\n  revision: 3\n  status: ACTIVE\n  registeredAt: 2024-01-01\n"
        "  containerDefinitions: []\ntags:\n  - {key: a, value: b}\n");
    REQUIRE(d.parsed);
    CHECK(d.def.contains("family"));
    CHECK_FALSE(d.def.contains("revision"));
    CHECK_FALSE(d.def.contains("taskDefinitionArn"));
    CHECK_FALSE(d.def.contains("status"));
    CHECK(d.def["tags"][0]["key"] == "a");
    CHECK(d.value_position("family").value().line == 3);  // paths are relative to the task definition
  }

  TEST_CASE("plain scalars get YAML 1.2 types, quoted ones stay strings") {
    Document d = load("a: 12\nb: '12'\nc: true\nd: null\ne: 1.5\nf: 0x10\ng: yes\n");
    CHECK(d.def["a"].is_number_integer());
    CHECK(d.def["b"] == "12");
    CHECK(d.def["c"] == true);
    CHECK(d.def["d"].is_null());
    CHECK(d.def["e"] == 1.5);
    CHECK(d.def["f"] == 16);
    CHECK(d.def["g"] == "yes");
  }

  TEST_CASE("malformed input is an input-parse finding with a location") {
    struct Bad {
      const char* text;
      int line;
    };
    const Bad bad[] = {
        {"{\"family\": \"web\",\n \"cpu\": }", 2},
        {"{\"family\": \"web\"", 1},
        {"family: web\n  bad: indent\n", 2},
        {"family: [unclosed\n", 2},
        {"- a\n- b\n", 1},
        {"just a string", 1},
        {"", 1},
        {"a: 1\n---\nb: 2\n", 1},
        {"{\"a\": 1, \"a\": 2}", 1},
        {"{\"a\": \"\\x\"}", 1},
        {"{\"a\": \"\\ud800\"}", 1},
        {"a: *nope\n", 1},
        {"? [a]\n: 1\n", 1},
    };
    for (const auto& b : bad) {
      INFO(std::string(b.text));
      Document d = load(b.text);
      CHECK_FALSE(d.parsed);
      const Finding* f = first(d, "input-parse");
      REQUIRE(f != nullptr);
      CHECK(f->pos.line == b.line);
      CHECK(f->pos.col >= 1);
      // Either "not a JSON/YAML object: ..." or a YAML error that says what
      // it found; both with a hint.
      CHECK_FALSE(f->message.empty());
      CHECK_FALSE(f->hint.empty());
    }
  }

  TEST_CASE("deep nesting is refused with a clear error, not a stack overflow") {
    for (std::size_t depth : {300u, 100000u}) {
      std::string json(depth, '[');
      json += std::string(depth, ']');
      Document j = load(json);
      CHECK_FALSE(j.parsed);
      REQUIRE(first(j, "input-parse"));
      CHECK(first(j, "input-parse")->message.find("nested deeper") != std::string::npos);
      std::string yaml;
      for (std::size_t i = 0; i < std::min<std::size_t>(depth, 3000); ++i) yaml += "a: {";
      Document y = load(yaml);
      CHECK_FALSE(y.parsed);
      REQUIRE(first(y, "input-parse"));
    }
    std::string ok = "a: ";
    for (int i = 0; i < 200; ++i) ok += "[";
    ok += std::string(200, ']');
    CHECK(load(ok).parsed);
  }

  TEST_CASE("invalid UTF-8 is reported at its position") {
    Document d = load("family: web\nimage: \"caf\xC3\x28\"\n");
    CHECK_FALSE(d.parsed);
    const Finding* f = first(d, "input-parse");
    REQUIRE(f);
    CHECK(f->message.find("UTF-8") != std::string::npos);
    CHECK(f->pos.line == 2);
    CHECK(f->pos.col == 12);
    CHECK(find_invalid_utf8("\xE2\x82\xAC ok").line == 0);
    CHECK(find_invalid_utf8("\xED\xA0\x80").line == 1);  // surrogate
    CHECK(find_invalid_utf8("\xC0\xAF").line == 1);      // overlong
    CHECK_FALSE(load(std::string("a: b\0c", 6)).parsed);
  }

  TEST_CASE("alias expansion is bounded") {
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'k'; ++c, ++prev)
      bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
              prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
    Document d = load(bomb);
    CHECK_FALSE(d.parsed);
    REQUIRE(first(d, "input-parse"));
  }

  TEST_CASE("a 100 MB file is refused without reading it; missing files are findings") {
    auto path = std::filesystem::temp_directory_path() / "ecsctl-taskdef-100mb.json";
    {
      std::ofstream out(path, std::ios::binary);
      out << "{\"family\": \"";
      std::string chunk(1 << 20, 'x');
      for (int i = 0; i < 100; ++i) out << chunk;
      out << "\"}";
    }
    Document d = load_file(path.string(), nullptr);
    std::filesystem::remove(path);
    CHECK_FALSE(d.parsed);
    REQUIRE(first(d, "input-parse"));
    CHECK(first(d, "input-parse")->message.find("MiB") != std::string::npos);
    Document missing = load_file("/nonexistent/taskdef.yaml", nullptr);
    CHECK_FALSE(missing.parsed);
    CHECK(first(missing, "input-parse"));
  }

  TEST_CASE("a large valid document under the limit parses") {
    std::string big = "{\"family\": \"web\", \"containerDefinitions\": [";
    for (int i = 0; i < 20000; ++i) big += std::string(i ? "," : "") + "{\"name\": \"c" + std::to_string(i) + "\"}";
    big += "]}";
    Document d = load(big);
    CHECK(d.parsed);
    CHECK(d.def["containerDefinitions"].size() == 20000);
  }

  TEST_CASE("wrong types are findings, not crashes") {
    const char* docs[] = {"family: 5\ncontainerDefinitions: {a: 1}\n", "family: [1]\ncontainerDefinitions: [1, \"x\", null, [2]]\n",
                          "containerDefinitions: [{portMappings: 5, environment: [{name: 1}], healthCheck: []}]\n",
                          "cpu: {a: 1}\nmemory: [1]\nrequiresCompatibilities: FARGATE\nnetworkMode: 5\n"};
    for (const char* text : docs) {
      INFO(std::string(text));
      Document d = load(text);
      REQUIRE(d.parsed);
      validate(d, ValidateOptions{});
      bool type_error = false;
      for (const auto& f : d.findings) type_error = type_error || f.rule == "input-type";
      CHECK(type_error);
    }
  }
}

TEST_SUITE("taskdef fuzz regressions") {
  // fuzz_taskdef (tests/fuzz/corpus/fuzz_taskdef/regression-cut-utf8-in-message): a
  // JSON syntax error next to a multi-byte character produced a message that cut the
  // character short, and the JSON findings (validate --output json) then threw.
  TEST_CASE("JSON findings stay valid UTF-8 when a message quotes a cut character") {
    const std::string text = "{\"taskDefinitionons\": [{\"name\": \"a\", \"image\": \xdc\x9d\xdd\x82]}}";
    Document d = load_text("task.json", text, nullptr);
    CHECK_FALSE(d.findings.empty());
    std::string dumped;
    CHECK_NOTHROW(dumped = findings_json(d).dump());
    CHECK(dumped.find("\"rule\"") != std::string::npos);
  }
}
