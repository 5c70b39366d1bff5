// Every validation rule has a failing and a passing case in
// tests/cases/taskdef/*.cases, asserting rule id, JSON path and line:column.
//
// Case file format: a header line, then the document (lines counted from 1):
//   === fail <rule> <path|-> <line>:<col> [launch-type=X] [platform-version=V] [load-balanced]
//   === pass <rule> [options]
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "schemas/taskdef.hpp"
#include "schemas/taskdef_rules.hpp"

using namespace ecsctl::taskdef;

namespace {

struct Case {
  std::string file;
  int header_line = 0;
  bool fail = false;
  std::string rule, path;
  int line = 0, col = 0;
  ValidateOptions opts;
  std::string body;
};

std::vector<Case> read_cases() {
  std::vector<Case> cases;
  std::string dir = std::string(ECSCTL_SOURCE_DIR) + "/tests/cases/taskdef";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".cases") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.rfind("=== ", 0) == 0) {
        Case c;
        c.file = std::filesystem::path(f).filename().string();
        c.header_line = n;
        std::istringstream h(line.substr(4));
        std::string kind, tok;
        h >> kind >> c.rule;
        c.fail = kind == "fail";
        if (c.fail) {
          std::string pos;
          h >> c.path >> pos;
          if (c.path == "-") c.path.clear();
          std::sscanf(pos.c_str(), "%d:%d", &c.line, &c.col);
        }
        while (h >> tok) {
          if (tok.rfind("launch-type=", 0) == 0) c.opts.launch_type = tok.substr(12);
          else if (tok.rfind("platform-version=", 0) == 0) c.opts.platform_version = tok.substr(17);
          else if (tok == "load-balanced") c.opts.load_balanced = true;
        }
        cases.push_back(std::move(c));
      } else if (!cases.empty()) {
        cases.back().body += line + "\n";
      }
    }
  }
  return cases;
}

std::string describe(const Document& doc) {
  std::string s;
  for (const auto& f : doc.findings)
    s += "  " + f.rule + " at " + f.path + " " + std::to_string(f.pos.line) + ":" + std::to_string(f.pos.col) + ": " +
         f.message + "\n";
  return s;
}

}  // namespace

TEST_SUITE("taskdef rules") {
  TEST_CASE("every case file case holds") {
    auto cases = read_cases();
    REQUIRE(cases.size() > 100);
    for (const auto& c : cases) {
      INFO(c.file << ":" << c.header_line << " " << (c.fail ? "fail " : "pass ") << c.rule);
      REQUIRE(find_rule(c.rule) != nullptr);
      TemplateVars vars;
      Document doc = load_text(c.file, c.body, &vars);
      validate(doc, c.opts);
      INFO("findings:\n" << describe(doc));
      bool hit = false, any = false;
      for (const auto& f : doc.findings) {
        if (f.rule != c.rule) continue;
        any = true;
        if (f.path == c.path && f.pos.line == c.line && f.pos.col == c.col) hit = true;
      }
      if (c.fail) CHECK(hit);
      else CHECK_FALSE(any);
    }
  }

  TEST_CASE("every rule has a failing and a passing case") {
    std::set<std::string> failing, passing;
    for (const auto& c : read_cases()) (c.fail ? failing : passing).insert(c.rule);
    // Rules tested elsewhere: parsing (taskdef_source_test), templating
    // (taskdef_template_test), CLI references (taskdef_cli_test).
    std::set<std::string> elsewhere = {"input-parse", "template-unset", "taskdef-ref-format"};
    for (const auto& r : rules()) {
      std::string id(r.id);
      if (elsewhere.count(id)) continue;
      INFO(id);
      CHECK(failing.count(id) == 1);
      CHECK(passing.count(id) == 1);
    }
  }

  TEST_CASE("rule ids are unique kebab-case") {
    std::set<std::string_view> ids;
    for (const auto& r : rules()) {
      CHECK(ids.insert(r.id).second);
      for (char c : r.id) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
      CHECK_FALSE(r.hint.empty());
    }
  }

  TEST_CASE("unverified errors alone do not fail, --strict does") {
    Finding f;
    f.rule = "container-name-unique";
    f.severity = Severity::error;
    CHECK_FALSE(fails({f}, false));
    CHECK(fails({f}, true));
    f.rule = "fargate-task-size";
    CHECK(fails({f}, false));
    Finding w;
    w.rule = "image-latest-tag";
    w.severity = Severity::warning;
    CHECK_FALSE(fails({w}, false));
    CHECK(fails({w}, true));
  }
}
