// Task-definition files: YAML/JSON loading with ${...} templating, the offline
// validator and every diagnostics renderer; also dotenv (--env-file) parsing.
// load_text never throws for bad content (problems become findings). Every
// input also checks the fast YAML path against yaml-cpp.
#include <sstream>

#include "core/error.hpp"
#include "schemas/taskdef.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

namespace {

bool same_tree(const taskdef::PNode& a, const taskdef::PNode& b) {
  if (a.kind != b.kind || a.text != b.text || a.plain != b.plain || a.pos.line != b.pos.line ||
      a.pos.col != b.pos.col || a.items.size() != b.items.size() || a.keys.size() != b.keys.size())
    return false;
  for (std::size_t i = 0; i < a.keys.size(); ++i)
    if (a.keys[i].first != b.keys[i].first || a.keys[i].second.line != b.keys[i].second.line ||
        a.keys[i].second.col != b.keys[i].second.col)
      return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (!same_tree(a.items[i], b.items[i])) return false;
  return true;
}

// Differential check: whatever the fast YAML path takes, yaml-cpp must read
// into the same tree (it never errors where the fast path succeeded).
void check_fast_yaml(const std::string& text) {
  if (taskdef::find_invalid_utf8(text).line != 0) return;  // parse_document stops before YAML
  std::optional<taskdef::PNode> fast = taskdef::parse_yaml_fast(text);
  if (!fast) return;
  try {
    if (!same_tree(*fast, taskdef::parse_yaml_full(text))) __builtin_trap();
  } catch (const taskdef::ParseError&) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sel = fuzz::take_selector(data, size);
  std::string text(fuzz::as_text(data, size));
  check_fast_yaml(text);
  if ((sel & 7) == 7) {
    int bad_line = 0;
    (void)taskdef::parse_dotenv(text, bad_line);
    return 0;
  }
  taskdef::TemplateVars vars;
  vars.set("TAG", "1.4.2");
  vars.set("ENV", "prod");
  vars.set("EMPTY", "");
  vars.set("SECRET", "s3cr3t-value");
  const char* names[] = {"task.yaml", "task.json", "task.yml", "task"};
  try {
    taskdef::Document doc = taskdef::load_text(names[sel & 3], text, (sel & 4) ? nullptr : &vars);
    if (doc.parsed) {
      taskdef::ValidateOptions opts;
      const char* launch[] = {nullptr, "FARGATE", "EC2", "EXTERNAL"};
      if (launch[(sel >> 3) & 3]) opts.launch_type = launch[(sel >> 3) & 3];
      opts.load_balanced = (sel >> 5) & 1;
      taskdef::validate(doc, opts);
    }
    (void)taskdef::fails(doc.findings, true);
    std::ostringstream out;
    taskdef::print_findings(out, doc, (sel >> 6) & 1);
    taskdef::print_github(out, doc);
    (void)taskdef::findings_json(doc).dump();
    (void)doc.def.dump();
  } catch (const ecsctl::Error&) {
  }
  return 0;
}
