// A service as code: the project file (ecsctl.yaml: region, cluster, service,
// service_definition, task_definition, tfstate), the render-time lookups
// (${ssm:/name}, ${tfstate:ADDRESS}), and the service and task-definition files
// rendered and validated together. deploy, diff and init build on it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "core/context.hpp"
#include "core/json.hpp"
#include "schemas/template.hpp"

namespace ecsctl::commands::project {

// The names looked for in the current directory, in order.
inline const char* const k_default_names[] = {"ecsctl.yaml", "ecsctl.yml", "ecsctl.json"};

struct Project {
  std::string file;  // the project file ("" when none: flags only)
  std::string region, cluster, service;
  std::string service_definition, task_definition, tfstate;  // paths as usable from the cwd
};

// --config, --service-definition, --tfstate.
const std::vector<FlagSpec>& flags();
// --config alone, for commands that only need the project's names (status, exec).
const std::vector<FlagSpec>& config_flag();

// Whether the command line asks for the service-as-code form: --config or
// --service-definition given, or (`bare`: no SERVICE/FILE named) a project file
// in the current directory.
bool wanted(const Args& args, bool bare);

// The project file (--config, else one of k_default_names in the cwd) with
// --cluster, --service, --task-definition, --service-definition and --tfstate
// over it; its region applies when no --region/AWS_REGION is set. Throws usage
// errors (an unknown key, an unreadable file; what `need` asks for missing:
// files: the service and both files; names: the service; any: nothing).
enum class Need { files, names, any };
Project load(Context& ctx, const Args& args, Need need = Need::files);

// The template variables (--var, --var-file, --env-file, the environment) with
// the lookups: ${ssm:/name} through SSM GetParameter (String and StringList
// only; a SecureString belongs in `secrets`), ${tfstate:ADDRESS} from the
// project's tfstate file. Values are looked up once per run.
taskdef::TemplateVars template_vars(Context& ctx, const Args& args, const Project& p);

// The two files rendered: the task definition (RegisterTaskDefinition input,
// normalised as it will be sent, --image/--tag applied when given) and the
// service file's members. Findings are printed with file:line:col; any error
// throws Error(Exit::validation_failed).
struct Rendered {
  Json task_definition;
  Json service;
};
Rendered render(Context& ctx, const Args& args, const Project& p, const taskdef::TemplateVars& vars);

// Leaf-level changes from `before` to `after` (objects by key, lists by
// index): {"path": "desiredCount", "before": 1, "after": 3}, a missing side as null.
void flat_changes(const Json& before, const Json& after, const std::string& prefix, Json& out);

// Deploy, diff and init in the service-as-code form (service_file_*.cpp, init.cpp).
int run_deploy(Context& ctx, Args& args);
int run_diff(Context& ctx, Args& args);

}  // namespace ecsctl::commands::project
