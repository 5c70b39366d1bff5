#include "commands/project.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>

#include "client/api.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow_taskdef.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "schemas/service_def.hpp"
#include "schemas/taskdef_cli.hpp"
#include "schemas/taskdef_normalize.hpp"
#include "schemas/tfstate.hpp"

namespace ecsctl::commands::project {
namespace fs = std::filesystem;

const std::vector<FlagSpec>& flags() {
  static const std::vector<FlagSpec> f = {
      {.name = "--config", .metavar = "FILE", .help = "the project file (default: ecsctl.yaml in the current directory)",
       .complete = Completer::file},
      {.name = "--service-definition", .metavar = "FILE", .help = "the service file (overrides the project's)",
       .complete = Completer::file},
      {.name = "--tfstate", .metavar = "FILE", .help = "the Terraform state file ${tfstate:...} reads",
       .complete = Completer::file},
  };
  return f;
}

const std::vector<FlagSpec>& config_flag() {
  static const std::vector<FlagSpec> f = {flags().front()};
  return f;
}

static std::optional<std::string> default_config() {
  for (const char* n : k_default_names)
    if (fs::exists(n)) return std::string(n);
  return std::nullopt;
}

bool wanted(const Args& args, bool bare) {
  if (args.has("--config") || args.has("--service-definition")) return true;
  return bare && default_config().has_value();
}

// `path` as written in the project file: relative to the file's directory.
static std::string beside(const std::string& project_file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  fs::path dir = fs::path(project_file).parent_path();
  return dir.empty() ? path : (dir / path).lexically_normal().string();
}

Project load(Context& ctx, const Args& args, Need need) {
  Project p;
  std::optional<std::string> file = args.value("--config");
  if (!file) file = default_config();
  if (file) {
    p.file = *file;
    taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
    taskdef::Document doc = taskdef::load_file(*file, &vars);
    if (!doc.parsed || !doc.findings.empty()) {
      taskdef::print_findings(ctx.err, doc, ctx.color_stderr());
      throw Error(Exit::usage, "cannot read the project file " + *file, *file, "fix the findings above");
    }
    static const std::vector<std::string> keys = {"region", "cluster", "service", "service_definition",
                                                  "task_definition", "tfstate"};
    for (auto& [k, v] : doc.def.items()) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        auto near = closest_match(k, keys);
        taskdef::Pos pos = doc.locate(k, true);
        throw Error(Exit::usage, *file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) +
                                     ": unknown key '" + k + "' in the project file",
                    *file, near ? "did you mean '" + *near + "'?" : "the keys: region, cluster, service, service_definition, task_definition, tfstate");
      }
      if (!v.is_string()) throw_usage(*file + ": '" + k + "' must be a string");
    }
    p.region = doc.def.value("region", "");
    p.cluster = doc.def.value("cluster", "");
    p.service = doc.def.value("service", "");
    p.service_definition = beside(*file, doc.def.value("service_definition", ""));
    p.task_definition = beside(*file, doc.def.value("task_definition", ""));
    p.tfstate = beside(*file, doc.def.value("tfstate", ""));
  } else if (args.has("--config")) {
    throw_usage("--config: no project file");
  }
  if (auto v = args.value("--cluster")) p.cluster = *v;
  if (auto v = args.value("--service")) p.service = *v;
  if (auto v = args.value("--service-definition")) p.service_definition = *v;
  if (auto v = args.value("--task-definition")) p.task_definition = *v;
  if (auto v = args.value("--tfstate")) p.tfstate = *v;
  if (!p.region.empty()) {
    if (!ctx.opts.region) ctx.opts.region = p.region;
    else if (*ctx.opts.region != p.region && !ctx.opts.quiet)
      ctx.err << "warning: using region " << *ctx.opts.region << " (--region or AWS_REGION), not " << p.region
              << " from " << p.file << "\n";
  }
  if (need == Need::any) return p;
  if (p.service.empty())
    throw_usage("no service named", "set `service:` in " + (p.file.empty() ? std::string("ecsctl.yaml") : p.file) +
                                        " or pass --service");
  if (need == Need::names) return p;
  if (p.service_definition.empty())
    throw_usage("no service file", "set `service_definition:` in the project file or pass --service-definition");
  if (p.task_definition.empty())
    throw_usage("no task-definition file", "set `task_definition:` in the project file or pass --task-definition");
  if (!workflow::is_taskdef_file(p.task_definition))
    throw_usage("the project's task_definition must be a file, not '" + p.task_definition + "'");
  return p;
}

namespace {

struct Lookups {
  std::map<std::string, std::string> cache;
  std::optional<Json> state;
};

std::optional<std::string> ssm_lookup(Context& ctx, std::string_view name, std::string& error) {
  Json out;
  try {
    out = client::call(ctx, "ssm", "GetParameter", Json{{"Name", std::string(name)}, {"WithDecryption", false}});
  } catch (const ServiceError& e) {
    error = e.error_code() == "ParameterNotFound" ? "no SSM parameter " + std::string(name)
                                                    : "SSM GetParameter failed: " + e.error_code() + ": " + e.service_message();
    return std::nullopt;
  } catch (const std::exception& e) {
    error = std::string("SSM GetParameter failed: ") + e.what();
    return std::nullopt;
  }
  const Json& p = out.contains("Parameter") ? out["Parameter"] : Json();
  if (p.value("Type", "") == "SecureString") {
    error = "SSM parameter " + std::string(name) +
            " is a SecureString: it would be written into the definition in plain text; reference it from "
            "`secrets` (valueFrom) instead";
    return std::nullopt;
  }
  if (!p.contains("Value") || !p["Value"].is_string()) {
    error = "SSM parameter " + std::string(name) + " has no value";
    return std::nullopt;
  }
  return p["Value"].get<std::string>();
}

}  // namespace

taskdef::TemplateVars template_vars(Context& ctx, const Args& args, const Project& p) {
  taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
  auto state = std::make_shared<Lookups>();
  std::string tfstate = p.tfstate;
  Context* c = &ctx;
  vars.set_lookup([state, tfstate, c](std::string_view kind, std::string_view arg,
                                      std::string& error) -> std::optional<std::string> {
    std::string key = std::string(kind) + ":" + std::string(arg);
    if (auto it = state->cache.find(key); it != state->cache.end()) return it->second;
    std::optional<std::string> v;
    if (kind == "ssm") {
      v = ssm_lookup(*c, arg, error);
    } else {
      if (tfstate.empty()) {
        error = "no Terraform state file: set `tfstate:` in the project file or pass --tfstate";
        return std::nullopt;
      }
      if (!state->state) {
        std::ifstream in(tfstate, std::ios::binary);
        if (!in) {
          error = "cannot read the Terraform state file " + tfstate;
          return std::nullopt;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        Json parsed = Json::parse(ss.str(), nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
          error = tfstate + " is not a JSON Terraform state file";
          return std::nullopt;
        }
        state->state = std::move(parsed);
      }
      v = tfstate::lookup_text(*state->state, arg, error);
    }
    if (v) state->cache[key] = *v;
    return v;
  });
  return vars;
}

Rendered render(Context& ctx, const Args& args, const Project& p, const taskdef::TemplateVars& vars) {
  workflow::ContainerOverrides overrides =
      workflow::parse_overrides(args.values("--image"), args.values("--command"), args.values("--env"));
  std::set<std::string> replaced;
  for (const auto& [name, image] : overrides.image) replaced.insert(name);
  Rendered r;
  r.task_definition = taskdef::normalize_for_render(taskdef_input::load(ctx, p.task_definition, vars, std::nullopt,
                                                                        false, replaced));
  auto tag = args.value("--tag");
  if (!overrides.empty() || tag) workflow::apply_overrides(r.task_definition, overrides, tag);
  taskdef::Document doc = servicedef::load_file(p.service_definition, &vars);
  servicedef::validate(doc, r.task_definition);
  taskdef::print_findings(ctx.err, doc, ctx.color_stderr());
  if (taskdef::fails(doc.findings, false) || !doc.parsed) {
    std::size_t errors = 0;
    for (const auto& f : doc.findings) errors += f.severity == taskdef::Severity::error ? 1 : 0;
    throw Error(Exit::validation_failed,
                p.service_definition + " failed validation (" + std::to_string(errors) +
                    (errors == 1 ? " error)" : " errors)"),
                p.service_definition, "fix the findings above; nothing was sent");
  }
  r.service = std::move(doc.def);
  return r;
}

void flat_changes(const Json& before, const Json& after, const std::string& prefix, Json& out) {
  if (before.is_object() && after.is_object()) {
    for (auto& [k, v] : before.items())
      flat_changes(v, after.contains(k) ? after[k] : Json(), taskdef::path_join(prefix, k), out);
    for (auto& [k, v] : after.items())
      if (!before.contains(k)) flat_changes(Json(), v, taskdef::path_join(prefix, k), out);
    return;
  }
  if (before.is_array() && after.is_array()) {
    for (std::size_t i = 0; i < std::max(before.size(), after.size()); ++i)
      flat_changes(i < before.size() ? before[i] : Json(), i < after.size() ? after[i] : Json(),
                   taskdef::path_index(prefix, i), out);
    return;
  }
  if (before != after) out.push_back({{"path", prefix}, {"before", before}, {"after", after}});
}

}  // namespace ecsctl::commands::project
