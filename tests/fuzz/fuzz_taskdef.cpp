// Task-definition files: YAML/JSON loading with ${...} templating, the offline
// validator and every diagnostics renderer; also dotenv (--env-file) parsing.
// load_text never throws for bad content (problems become findings).
#include <sstream>

#include "cli/error.hpp"
#include "schemas/taskdef.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sel = fuzz::take_selector(data, size);
  std::string text(fuzz::as_text(data, size));
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
