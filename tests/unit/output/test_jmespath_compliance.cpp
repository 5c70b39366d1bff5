// Runs the JMESPath compliance cases in tests/cases/jmespath/*.json: each file
// is a list of {"given": doc, "cases": [{"expression", "result" | "error"}]}.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "output/jmespath.hpp"

namespace {

namespace fs = std::filesystem;
using ecsctl::Json;

// Compares as plain JSON: object key order ignored, 1 == 1.0.
bool same_json(const Json& a, const Json& b) {
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

std::vector<fs::path> case_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(ECSCTL_SOURCE_DIR) / "tests/cases/jmespath"))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Runs one case; returns an empty string when it passes, else what went wrong.
std::string run_case(const Json& given, const Json& c) {
  const std::string expr = c.at("expression").get<std::string>();
  try {
    Json got = ecsctl::jmespath::search(expr, given);
    if (c.contains("error")) return "expected error " + c["error"].dump() + ", got " + got.dump();
    if (!same_json(got, c.value("result", Json()))) return "expected " + c["result"].dump() + ", got " + got.dump();
  } catch (const ecsctl::jmespath::Error& e) {
    if (!c.contains("error")) return std::string("unexpected error: ") + e.kind_name() + ": " + e.what();
    if (c["error"].get<std::string>() != e.kind_name())
      return "expected error " + c["error"].dump() + ", got " + e.kind_name() + ": " + e.what();
  }
  return {};
}

}  // namespace

TEST_SUITE("jmespath compliance") {
  TEST_CASE("every case file passes") {
    auto files = case_files();
    REQUIRE(files.size() >= 10);
    std::size_t total = 0;
    for (const auto& file : files) {
      std::ifstream in(file);
      Json groups = Json::parse(in);
      for (const auto& group : groups) {
        for (const auto& c : group.at("cases")) {
          ++total;
          std::string failure = run_case(group.at("given"), c);
          INFO(file.filename().string(), ": ", c.at("expression").get<std::string>());
          CHECK_MESSAGE(failure.empty(), failure);
        }
      }
    }
    MESSAGE("compliance cases run: ", total);
    CHECK(total > 400);
  }
}
