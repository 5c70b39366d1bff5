// Golden test: every tests/cases/output/<case>.json goes through print_result in
// each output format and must match, byte for byte, what the AWS CLI's own
// formatter printed for the same data (<case>.<format>.out, written by
// tests/cases/output/generate.py). Formats the AWS CLI fails on have no .out
// file; there ecsctl must still print something without throwing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/context.hpp"
#include "output/render.hpp"

namespace fs = std::filesystem;
using ecsctl::Json;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Format {
  const char* suffix;
  ecsctl::OutputFormat format;
  bool color;
};

constexpr Format k_formats[] = {
    {"json", ecsctl::OutputFormat::json, false},
    {"yaml", ecsctl::OutputFormat::yaml, false},
    {"yaml-stream", ecsctl::OutputFormat::yaml_stream, false},
    {"text", ecsctl::OutputFormat::text, false},
    {"table", ecsctl::OutputFormat::table, false},
    {"table-color", ecsctl::OutputFormat::table, true},
};

std::string print(const Json& data, const std::string& title, const Format& f) {
  std::ostringstream out, err;
  ecsctl::Context ctx(out, err, ecsctl::Environment::isolated({}));
  ctx.opts.output = f.format;
  ctx.opts.color = f.color ? ecsctl::ColorMode::on : ecsctl::ColorMode::off;
  ecsctl::print_result(ctx, data, title);
  CHECK(err.str().empty());
  return out.str();
}

// The first line where two texts differ, for a readable failure message.
std::string first_difference(const std::string& got, const std::string& want) {
  std::istringstream g(got), w(want);
  std::string gl, wl;
  for (int line = 1;; ++line) {
    bool gm = static_cast<bool>(std::getline(g, gl)), wm = static_cast<bool>(std::getline(w, wl));
    if (!gm && !wm) return "only the final newline differs";
    if (gl != wl || gm != wm)
      return "line " + std::to_string(line) + ":\n  got:  " + (gm ? gl : "<end>") + "\n  want: " + (wm ? wl : "<end>");
  }
}

}  // namespace

TEST_CASE("output formats match the AWS CLI's formatter on the golden cases") {
  const fs::path dir = fs::path(ECSCTL_SOURCE_DIR) / "tests" / "cases" / "output";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 20);
  int compared = 0;
  for (const auto& path : cases) {
    Json doc = Json::parse(read_file(path));
    const Json& data = doc.at("data");
    const std::string title = doc.at("title").get<std::string>();
    for (const auto& f : k_formats) {
      const fs::path expected = dir / (path.stem().string() + "." + f.suffix + ".out");
      CAPTURE(expected.filename().string());
      if (!fs::exists(expected)) {
        CHECK_NOTHROW(print(data, title, f));
        continue;
      }
      const std::string want = read_file(expected);
      const std::string got = print(data, title, f);
      CHECK_MESSAGE(got == want, first_difference(got, want));
      ++compared;
    }
  }
  CHECK(compared >= 100);
}
