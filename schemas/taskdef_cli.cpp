#include "schemas/taskdef_cli.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "core/error.hpp"

namespace ecsctl::taskdef {

std::vector<std::string> collect_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      if (ext == ".json" || ext == ".yaml" || ext == ".yml") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

static bool family_ok(std::string_view f) {
  if (f.empty() || f.size() > 255) return false;
  for (char c : f)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

static bool revision_ok(std::string_view r) {
  if (r.empty() || r.size() > 9 || r[0] == '0') return false;
  for (char c : r)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<std::string> check_taskdef_ref(const std::string& ref) {
  std::string_view s = ref;
  if (s.rfind("arn:", 0) == 0) {
    // arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (int i = 0; i < 5; ++i) {
      std::size_t c = s.find(':', start);
      if (c == std::string_view::npos) return "not a task-definition ARN";
      parts.push_back(s.substr(start, c - start));
      start = c + 1;
    }
    std::string_view res = s.substr(start);
    bool account = parts[4].size() == 12 && std::all_of(parts[4].begin(), parts[4].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (parts[2] != "ecs" || parts[1].empty() || parts[3].empty() || !account || res.rfind("task-definition/", 0) != 0)
      return "not a task-definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)";
    s = res.substr(16);
    std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || !family_ok(s.substr(0, colon)) || !revision_ok(s.substr(colon + 1)))
      return "the ARN must end in task-definition/FAMILY:REVISION";
    return std::nullopt;
  }
  std::size_t colon = s.find(':');
  if (!family_ok(s.substr(0, colon))) return "the family must be 1..255 letters, digits, - and _";
  if (colon != std::string_view::npos && !revision_ok(s.substr(colon + 1)))
    return "the revision must be a whole number >= 1";
  return std::nullopt;
}

Json load_valid(Context& ctx, const std::string& path, const TemplateVars& vars, const ValidateOptions& opts,
                bool strict) {
  Document doc = load_file(path, &vars);
  validate(doc, opts);
  print_findings(ctx.err, doc, ctx.color_stderr());
  if (fails(doc.findings, strict) || !doc.parsed) {
    std::size_t errors = 0;
    for (const auto& f : doc.findings) errors += f.severity == Severity::error ? 1 : 0;
    throw Error(Exit::validation_failed,
                path + " failed validation (" + std::to_string(errors) + (errors == 1 ? " error)" : " errors)"), path,
                "fix the findings above; nothing was sent");
  }
  return std::move(doc.def);
}

}  // namespace ecsctl::taskdef
