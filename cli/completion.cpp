#include "cli/completion.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/command.hpp"
#include "cli/command_table.hpp"
#include "core/error.hpp"
#include "cli/global_options.hpp"
#include "client/api.hpp"
#include "commands/api.hpp"
#include "schemas/model.hpp"
#include "schemas/model_view.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::completion {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ---- what the words typed so far say ------------------------------------------

struct Line {
  std::string group;    // "elbv2", ... or ""
  std::string command;  // "describe-services", ... or ""
  std::string flag;     // the flag whose value is being typed ("--cluster"), or ""
  bool flag_is_list = false;
  std::map<std::string, std::string> values;  // flags seen with their (last) value
  std::size_t positionals = 0;                // positional words after the command
  std::vector<std::string> positional_words;  // and what they are
  const CommandSpec* spec = nullptr;          // the hand-written command, if it is one
  std::optional<commands::api::Operation> op;           // the API operation, or the one `spec` extends
};

// The operation a spec extends ("wait" holds ECS's waiters, "elbv2 wait" elbv2's).
void resolve_spec_operation(Line& line) {
  if (line.spec->api_operation.empty()) return;
  std::string_view group = line.spec->group.substr(0, line.spec->group.find(' '));
  line.op = commands::api::find_operation(commands::api::service_for_group(group).value_or("ecs"), line.spec->api_operation);
}

// Sets line.spec and line.op once the command word is known.
void resolve_command(Line& line) {
  line.spec = find_command(command_table(), line.group, line.command);
  if (line.spec && !line.spec->raw) return resolve_spec_operation(line);
  if (auto service = commands::api::service_for_group(line.group)) line.op = commands::api::find_operation(*service, line.command);
}

// `elbv2 wait WAITER`: the first word picks the spec that parses the rest.
bool resolve_subcommand(Line& line, const std::string& word) {
  if (!line.spec || line.spec->subcommands.empty() || line.positionals != 0) return false;
  for (const CommandSpec* sub : line.spec->subcommands)
    if (sub->name == word) {
      line.spec = sub;
      line.op.reset();
      resolve_spec_operation(line);
      return true;
    }
  return false;
}

// The command's own flag `name` (or the one flag it is a unique prefix of), or nullptr.
const FlagSpec* spec_flag(const Line& line, std::string_view name) {
  if (!line.spec || line.spec->raw) return nullptr;
  if (const FlagSpec* f = find_flag(*line.spec, name)) return f;
  const FlagSpec* found = nullptr;
  for (const auto& f : line.spec->flags)
    if (f.name.substr(0, name.size()) == name) {
      if (found) return nullptr;
      found = &f;
    }
  return found;
}

const GlobalOptionSpec* global_spec(std::string_view name) {
  for (const auto& s : global_option_specs())
    if (s.name == name) return &s;
  return nullptr;
}

const std::optional<commands::api::Operation>& operation_of(const Line& line) { return line.op; }

const commands::api::ArgSpec* arg_of(const std::optional<commands::api::Operation>& op, std::string_view flag) {
  if (!op) return nullptr;
  for (const auto& a : op->args)
    if (a.cli_name == flag) return &a;
  return nullptr;
}

bool flag_takes_value(const Line& line, std::string_view flag, bool* is_list) {
  *is_list = false;
  if (auto* g = global_spec(flag)) return !g->metavar.empty();
  if (const FlagSpec* f = spec_flag(line, flag)) {
    *is_list = f->repeats;
    return !f->metavar.empty();
  }
  if (const auto& op = operation_of(line)) {
    if (auto* a = arg_of(op, flag)) {
      if (a->type == "boolean") return false;
      *is_list = a->type == "list";
      return true;
    }
    // The operation's added options (--cli-input-json, --starting-token, ...) take a value.
    if (!line.spec || line.spec->raw || !line.spec->api_operation.empty())
      return flag != "--no-paginate" && flag != "--help";
  }
  return false;
}

Line parse_line(const std::vector<std::string>& words, std::size_t cword) {
  Line line;
  for (std::size_t i = 1; i < cword && i < words.size(); ++i) {
    const std::string& w = words[i];
    if (starts_with(w, "--")) {
      auto eq = w.find('=');
      std::string name = w.substr(0, eq);
      if (const FlagSpec* f = spec_flag(line, name)) name = std::string(f->name);  // a unique prefix
      line.flag.clear();
      if (eq != std::string::npos) {
        line.values[name] = w.substr(eq + 1);
        continue;
      }
      bool is_list = false;
      if (flag_takes_value(line, name, &is_list)) {
        line.flag = name;
        line.flag_is_list = is_list;
        line.values[name] = "";
      }
      continue;
    }
    if (!line.flag.empty()) {
      line.values[line.flag] = w;
      if (!line.flag_is_list) line.flag.clear();
      continue;
    }
    if (line.command.empty()) {
      if (line.group.empty() && is_group(w)) {
        line.group = w;
      } else {
        line.command = w;
        resolve_command(line);
      }
    } else if (!resolve_subcommand(line, w)) {
      ++line.positionals;
      line.positional_words.push_back(w);
    }
  }
  return line;
}

// ---- static candidates ----------------------------------------------------------

void add(Result& r, std::string value, std::string description = {}) {
  r.candidates.push_back({std::move(value), std::move(description)});
}

void command_candidates(Result& r, const std::string& group) {
  std::set<std::string> seen;
  for (const CommandSpec* c : command_table())
    if (c->group == group && !c->hidden && seen.insert(std::string(c->name)).second)
      add(r, std::string(c->name), std::string(c->summary));
  if (auto service = commands::api::service_for_group(group)) {
    const Json& meta = model::metadata(*service);
    std::string what = meta.value("serviceId", *service) + " API operation";
    for (auto& n : commands::api::operation_names(*service))
      if (seen.insert(n).second) add(r, n, what);
  }
  if (group.empty())
    for (const auto& g : command_groups()) add(r, std::string(g.name), std::string(g.summary));
}

void flag_candidates(Result& r, const Line& line) {
  std::set<std::string> seen;
  if (line.spec && !line.spec->raw)
    for (const auto& f : line.spec->flags)
      if (seen.insert(std::string(f.name)).second) add(r, std::string(f.name), std::string(f.help));
  if (const auto& op = operation_of(line)) {
    for (const auto& a : op->args) {
      if (a.undocumented || !seen.insert(a.cli_name).second) continue;
      std::string d = a.type + (a.required ? " (required)" : "");
      if (a.negative) d = "turn off " + a.cli_name.substr(5);
      add(r, a.cli_name, d);
    }
  }
  for (const auto& s : global_option_specs())
    if (seen.insert(std::string(s.name)).second) add(r, std::string(s.name), std::string(s.description));
}

void file_candidates(Result& r, std::string_view typed, std::string_view prefix = {}) {
  std::string path(typed);
  std::string dir = ".", base = path, shown_dir;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    shown_dir = path.substr(0, slash + 1);
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
  if (starts_with(dir, "~") ) {
    if (const char* home = getenv("HOME")) dir = std::string(home) + dir.substr(1);
  }
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::pair<std::string, bool>> found;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (!starts_with(name, base)) continue;
    if (base.empty() && name[0] == '.') continue;
    struct stat st {};
    bool is_dir = stat((dir + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    found.emplace_back(name, is_dir);
    if (found.size() > 2000) break;
  }
  closedir(d);
  std::sort(found.begin(), found.end());
  for (auto& [name, is_dir] : found)
    add(r, std::string(prefix) + shown_dir + name + (is_dir ? "/" : ""), is_dir ? "directory" : "file");
  if (r.candidates.size() == 1 && found.size() == 1 && found[0].second) r.no_space = true;
}

// ---- live names ---------------------------------------------------------------

std::string cache_dir(const Context& ctx) {
  if (auto x = ctx.env.get_nonempty("XDG_CACHE_HOME")) return *x + "/ecsctl";
  if (auto h = ctx.env.get_nonempty("HOME")) return *h + "/.cache/ecsctl";
  return {};
}

std::string cache_key(const Context& ctx, const std::string& what) {
  std::string s = ctx.opts.profile.value_or("") + "|" + ctx.opts.region.value_or("") + "|" +
                  ctx.opts.endpoint_url.value_or(ctx.env.get("AWS_ENDPOINT_URL").value_or("")) + "|" + what;
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

constexpr double k_cache_ttl = 30.0;        // names stay fresh this long
constexpr double k_failure_ttl = 10.0;      // a failing endpoint is not asked again this long

std::optional<std::vector<std::string>> read_cache(const std::string& path, bool* failed) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    Json j = Json::parse(in);
    double age = now_seconds() - j.at("time").get<double>();
    bool fail = j.value("failed", false);
    if (age < 0 || age > (fail ? k_failure_ttl : k_cache_ttl)) return std::nullopt;
    *failed = fail;
    return j.at("names").get<std::vector<std::string>>();
  } catch (...) {
    return std::nullopt;
  }
}

void write_cache(const std::string& dir, const std::string& path, const std::vector<std::string>& names,
                 bool failed) {
  if (dir.empty()) return;
  std::string parent = dir.substr(0, dir.rfind('/'));
  mkdir(parent.c_str(), 0700);
  mkdir(dir.c_str(), 0700);
  Json j = {{"time", now_seconds()}, {"failed", failed}, {"names", names}};
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    if (!out) return;
    out << j.dump();
  }
  std::rename(tmp.c_str(), path.c_str());
}

std::string last_segment(const std::string& arn) {
  auto slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

// Sends one listing call with a short budget; returns the names it lists.
std::vector<std::string> fetch(Context& live, const std::string& kind, const std::string& arg) {
  client::PageOptions page;
  page.max_items = 1000;
  std::vector<std::string> names;
  auto strings = [&](const Json& list, bool tail) {
    for (const auto& v : list)
      if (v.is_string()) names.push_back(tail ? last_segment(v.get<std::string>()) : v.get<std::string>());
  };
  if (kind == "clusters") {
    strings(client::call_paginated(live, "ecs", "ListClusters", Json::object(), page).value("clusterArns", Json::array()), true);
  } else if (kind == "services") {
    Json in = Json::object();
    if (!arg.empty()) in["cluster"] = arg;
    strings(client::call_paginated(live, "ecs", "ListServices", in, page).value("serviceArns", Json::array()), true);
  } else if (kind == "families") {
    Json in = {{"status", "ACTIVE"}};
    strings(client::call_paginated(live, "ecs", "ListTaskDefinitionFamilies", in, page).value("families", Json::array()), false);
  } else if (kind == "revisions") {
    Json in = {{"familyPrefix", arg}, {"status", "ACTIVE"}};
    strings(client::call_paginated(live, "ecs", "ListTaskDefinitions", in, page).value("taskDefinitionArns", Json::array()), true);
  } else if (kind == "tasks") {
    Json in = {{"desiredStatus", "RUNNING"}};
    if (!arg.empty()) in["cluster"] = arg;
    strings(client::call_paginated(live, "ecs", "ListTasks", in, page).value("taskArns", Json::array()), true);
  } else if (kind == "target-groups") {
    Json out = client::call_paginated(live, "elbv2", "DescribeTargetGroups", Json::object(), page);
    for (const auto& tg : out.value("TargetGroups", Json::array())) names.push_back(tg.value("TargetGroupArn", ""));
  } else if (kind == "schedules") {
    Json out = client::call_paginated(live, "scheduler", "ListSchedules", Json::object(), page);
    for (const auto& s : out.value("Schedules", Json::array())) names.push_back(s.value("Name", ""));
  } else if (kind == "scheduled-tasks") {  // both kinds: Scheduler schedules and EventBridge rules
    Json out = client::call_paginated(live, "scheduler", "ListSchedules", Json::object(), page);
    for (const auto& s : out.value("Schedules", Json::array())) names.push_back(s.value("Name", ""));
    Json rules = client::call_paginated(live, "events", "ListRules", Json::object(), page);
    for (const auto& s : rules.value("Rules", Json::array()))
      if (s.contains("ScheduleExpression")) names.push_back(s.value("Name", ""));
  } else if (kind == "target-group-names") {
    Json out = client::call_paginated(live, "elbv2", "DescribeTargetGroups", Json::object(), page);
    for (const auto& tg : out.value("TargetGroups", Json::array())) names.push_back(tg.value("TargetGroupName", ""));
  } else if (kind == "load-balancers") {
    Json out = client::call_paginated(live, "elbv2", "DescribeLoadBalancers", Json::object(), page);
    for (const auto& lb : out.value("LoadBalancers", Json::array())) names.push_back(lb.value("LoadBalancerName", ""));
  } else if (kind == "log-groups") {
    Json out = client::call_paginated(live, "logs", "DescribeLogGroups", Json::object(), page);
    for (const auto& g : out.value("logGroups", Json::array())) names.push_back(g.value("logGroupName", ""));
  } else if (kind == "containers" || kind == "service-containers" || kind == "task-containers" ||
             kind == "schedule-containers") {
    // arg: a task definition (family[:revision] or ARN), "CLUSTER\nSERVICE", "CLUSTER\nTASK" or a
    // scheduled task's name; the task definition is looked up first for all but the first.
    std::string td = arg;
    auto nl = arg.find('\n');
    std::string cluster = nl == std::string::npos ? "" : arg.substr(0, nl), name = arg.substr(nl + 1);
    if (kind == "service-containers") {
      Json in = {{"services", {name}}};
      if (!cluster.empty()) in["cluster"] = cluster;
      Json out = client::call(live, "ecs", "DescribeServices", in);
      td = out.value("services", Json::array()).empty() ? "" : out["services"][0].value("taskDefinition", "");
    } else if (kind == "task-containers") {
      Json in = {{"tasks", {name}}};
      if (!cluster.empty()) in["cluster"] = cluster;
      Json out = client::call(live, "ecs", "DescribeTasks", in);
      td = out.value("tasks", Json::array()).empty() ? "" : out["tasks"][0].value("taskDefinitionArn", "");
    } else if (kind == "schedule-containers") {
      try {
        Json out = client::call(live, "scheduler", "GetSchedule", Json{{"Name", arg}});
        td = out["Target"]["EcsParameters"].value("TaskDefinitionArn", "");
      } catch (const std::exception&) {
        Json out = client::call(live, "events", "ListTargetsByRule", Json{{"Rule", arg}});
        for (const auto& t : out.value("Targets", Json::array()))
          if (t.contains("EcsParameters")) td = t["EcsParameters"].value("TaskDefinitionArn", "");
      }
    }
    if (td.empty()) return names;
    Json out = client::call(live, "ecs", "DescribeTaskDefinition", Json{{"taskDefinition", td}});
    for (const auto& c : out["taskDefinition"].value("containerDefinitions", Json::array()))
      names.push_back(c.value("name", ""));
  }
  return names;
}

std::vector<std::string> live_names(Context& ctx, const std::string& kind, const std::string& arg) {
  std::string dir = cache_dir(ctx);
  std::string path = dir.empty() ? "" : dir + "/complete-" + cache_key(ctx, kind + "|" + arg) + ".json";
  bool failed = false;
  if (!path.empty())
    if (auto cached = read_cache(path, &failed)) return *cached;
  std::ostringstream out, err;  // nothing reaches the terminal
  Context live(out, err, ctx.env);
  live.opts = ctx.opts;
  live.opts.debug = false;
  live.opts.connect_timeout = 0.3;
  live.opts.read_timeout = 0.5;
  live.env.set("AWS_MAX_ATTEMPTS", "1");
  live.env.set("AWS_RETRY_MODE", "standard");
  std::vector<std::string> names;
  try {
    names = fetch(live, kind, arg);
  } catch (...) {
    write_cache(dir, path, {}, true);
    return {};
  }
  write_cache(dir, path, names, false);
  return names;
}

// What kind of live resource a flag names, by the AWS CLI's flag names.
std::string live_kind(const std::string& group, const std::string& flag) {
  if (flag == "--cluster" || flag == "--clusters") return "clusters";
  if (flag == "--service" || flag == "--services") return "services";
  if (flag == "--task-definition") return "families";
  if (flag == "--task" || flag == "--tasks") return "tasks";
  if (flag == "--target-group-arn" || flag == "--target-group-arns" || flag == "--target-group")
    return "target-groups";
  if (group == "scheduler" && flag == "--name") return "schedules";
  return {};
}

void live_candidates(Context& ctx, Result& r, const Line& line, const std::string& kind,
                     const std::string& typed) {
  std::string cluster;
  if (auto it = line.values.find("--cluster"); it != line.values.end()) cluster = it->second;
  if (kind == "families" && typed.find(':') != std::string::npos) {
    for (auto& n : live_names(ctx, "revisions", typed.substr(0, typed.find(':'))))
      add(r, n, "task definition revision");
    return;
  }
  static const std::map<std::string, std::string> what = {
      {"clusters", "cluster"}, {"services", "service"}, {"families", "task definition family"},
      {"tasks", "running task"}, {"target-groups", "target group"}, {"schedules", "schedule"},
      {"scheduled-tasks", "scheduled task"}, {"target-group-names", "target group"},
      {"load-balancers", "load balancer"}, {"log-groups", "log group"}};
  for (auto& n : live_names(ctx, kind, cluster)) add(r, n, what.at(kind));
}

void apply_line_options(Context& ctx, const Line& line) {
  if (auto it = line.values.find("--profile"); it != line.values.end()) ctx.opts.profile = it->second;
  if (auto it = line.values.find("--region"); it != line.values.end()) ctx.opts.region = it->second;
  if (auto it = line.values.find("--endpoint-url"); it != line.values.end()) ctx.opts.endpoint_url = it->second;
}

std::vector<std::string> profile_names(const Context& ctx) {
  std::set<std::string> names;
  auto scan = [&](const std::string& path, bool config) {
    std::ifstream in(path);
    for (std::string l; std::getline(in, l);) {
      auto b = l.find('['), e = l.rfind(']');
      if (b != 0 || e == std::string::npos) continue;
      std::string n = l.substr(1, e - 1);
      if (config && starts_with(n, "profile ")) n = n.substr(8);
      else if (config && n != "default") continue;
      names.insert(n);
    }
  };
  std::string home = ctx.env.get("HOME").value_or("");
  scan(ctx.env.get_nonempty("AWS_CONFIG_FILE").value_or(home + "/.aws/config"), true);
  scan(ctx.env.get_nonempty("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials"), false);
  return {names.begin(), names.end()};
}

std::vector<std::string> region_names() {
  std::vector<std::string> names;
  try {
    for (const auto& p : model::partitions().at("partitions"))
      for (auto it = p.at("regions").begin(); it != p.at("regions").end(); ++it) names.push_back(it.key());
  } catch (...) {
  }
  return names;
}

// The container names of the task definition on the line (--task-definition):
// read from the file when it is one, else asked of the service.
// The container names of the task definition the line names: --task-definition
// or --for-task-definition (a file, read here, or a live revision), else the one
// its service, task or scheduled task runs.
std::vector<std::string> container_names(Context& ctx, const Line& line) {
  auto value_of = [&](const char* flag) -> std::string {
    auto it = line.values.find(flag);
    return it == line.values.end() ? std::string() : it->second;
  };
  // The positional word whose completer is `c`, if the line has one.
  auto positional = [&](Completer c) -> std::string {
    if (!line.spec || line.spec->raw) return {};
    const auto& ps = line.spec->positionals;
    for (std::size_t i = 0; i < ps.size() && i < line.positional_words.size(); ++i)
      if (ps[i].complete == c) return line.positional_words[i];
    return {};
  };
  std::string td = value_of("--task-definition");
  if (td.empty()) td = value_of("--for-task-definition");
  if (!td.empty()) {
    struct stat st {};
    if (stat(td.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      std::vector<std::string> names;
      try {
        taskdef::TemplateVars vars;
        vars.set_environment(&ctx.env);
        taskdef::Document doc = taskdef::load_file(td, &vars);
        for (const auto& c : doc.def.value("containerDefinitions", Json::array()))
          if (c.is_object() && c.contains("name") && c["name"].is_string())
            names.push_back(c["name"].get<std::string>());
      } catch (...) {
      }
      return names;
    }
    return live_names(ctx, "containers", td);
  }
  const std::string cluster = value_of("--cluster");
  std::string service = value_of("--service");
  if (service.empty()) service = positional(Completer::service);
  if (!service.empty()) return live_names(ctx, "service-containers", cluster + "\n" + service);
  std::string task = value_of("--task");
  if (task.empty()) task = positional(Completer::task);
  if (!task.empty()) return live_names(ctx, "task-containers", cluster + "\n" + task);
  std::string scheduled = positional(Completer::scheduled_task);
  if (!scheduled.empty()) return live_names(ctx, "schedule-containers", scheduled);
  return {};
}

void completer_candidates(Context& ctx, Result& r, const Line& line, Completer c,
                          const std::vector<std::string_view>& choices, std::string_view flag,
                          const std::string& typed) {
  auto live = [&](const char* kind) {
    apply_line_options(ctx, line);
    live_candidates(ctx, r, line, kind, typed);
  };
  for (auto v : choices) add(r, std::string(v));
  switch (c) {
    case Completer::none:
    case Completer::choices:
      break;
    case Completer::file:
      file_candidates(r, typed);
      break;
    case Completer::directory: {
      Result all;
      file_candidates(all, typed);
      for (auto& x : all.candidates)
        if (!x.value.empty() && x.value.back() == '/') r.candidates.push_back(x);
      r.no_space = r.candidates.size() == 1;
      break;
    }
    case Completer::cluster:
      live("clusters");
      break;
    case Completer::service:
      live("services");
      break;
    case Completer::task:
      live("tasks");
      break;
    case Completer::task_definition:
      live("families");
      break;
    case Completer::task_definition_or_file:
      live("families");
      file_candidates(r, typed);
      break;
    case Completer::container: {
      apply_line_options(ctx, line);
      for (auto& n : container_names(ctx, line)) add(r, n, "container");
      if (flag == "--exit-code-from") add(r, "essential", "the essential container");
      break;
    }
    case Completer::duration:
      for (auto d : {"30s", "1m", "5m", "10m", "30m", "1h"}) add(r, d, "duration");
      break;
    case Completer::region:
      for (auto& n : region_names()) add(r, n, "region");
      break;
    case Completer::profile:
      for (auto& p : profile_names(ctx)) add(r, p, "profile");
      break;
    case Completer::target_group:
      live("target-group-names");
      break;
    case Completer::load_balancer:
      live("load-balancers");
      break;
    case Completer::scheduled_task:
      live("scheduled-tasks");
      break;
    case Completer::log_group:
      live("log-groups");
      break;
  }
}

void value_candidates(Context& ctx, Result& r, const Line& line, const std::string& typed) {
  const std::string& flag = line.flag;
  if (starts_with(typed, "file://") || starts_with(typed, "fileb://")) {
    std::string prefix = typed.substr(0, typed.find("//") + 2);
    file_candidates(r, typed.substr(prefix.size()), prefix);
    return;
  }
  if (flag == "--output") {
    for (auto f : {"json", "yaml", "yaml-stream", "text", "table", "off"}) add(r, f, "output format");
    return;
  }
  if (flag == "--color") {
    for (auto f : {"on", "off", "auto"}) add(r, f);
    return;
  }
  if (flag == "--profile") {
    for (auto& p : profile_names(ctx)) add(r, p, "profile");
    return;
  }
  if (flag == "--region") {
    try {
      for (const auto& p : model::partitions().at("partitions"))
        for (auto it = p.at("regions").begin(); it != p.at("regions").end(); ++it)
          add(r, it.key(), it.value().value("description", ""));
    } catch (...) {
    }
    return;
  }
  if (global_spec(flag)) return;
  if (const FlagSpec* f = spec_flag(line, flag)) {
    completer_candidates(ctx, r, line, f->complete, f->choices, f->name, typed);
    return;
  }
  const auto& op = operation_of(line);
  if (const commands::api::ArgSpec* a = arg_of(op, flag)) {
    const model::Shape& shape = model::view(op->service, op->name).shape(a->shape);
    const model::Shape* target = &shape;
    if (shape.type == model::Type::list) target = &shape.list_member.target();
    if (target->has_enum()) {
      for (const auto& v : target->enum_values) add(r, v, a->member);
      return;
    }
    if (a->type == "structure" || a->type == "map" ||
        (a->type == "list" && target->type == model::Type::structure))
      add(r, "file://", "read the value from a file");
  }
  std::string kind = live_kind(line.group, flag);
  if (!kind.empty()) {
    apply_line_options(ctx, line);
    live_candidates(ctx, r, line, kind, typed);
  }
  // A value no model or spec describes: offer files.
  if (!op) file_candidates(r, typed);
}

void positional_candidates(Context& ctx, Result& r, const Line& line, const std::string& typed) {
  if (line.spec && !line.spec->raw) {
    const auto& ps = line.spec->positionals;
    const PositionalSpec* p = nullptr;
    if (line.positionals < ps.size()) p = &ps[line.positionals];
    else if (!ps.empty() && ps.back().many) p = &ps.back();
    if (p) completer_candidates(ctx, r, line, p->complete, p->choices, p->name, typed);
    return;
  }
  file_candidates(r, typed);  // an API operation takes no positional words; a path is the best guess
}

}  // namespace

Result complete(Context& ctx, const std::vector<std::string>& words, std::size_t cword) {
  Result r;
  std::string typed = cword < words.size() ? words[cword] : "";
  Line line = parse_line(words, cword);
  if (!line.flag.empty() && !(line.flag_is_list && starts_with(typed, "-"))) {
    value_candidates(ctx, r, line, typed);
  } else if (starts_with(typed, "-")) {
    if (auto eq = typed.find('='); eq != std::string::npos && starts_with(typed, "--")) {
      line.flag = typed.substr(0, eq);
      Result values;
      value_candidates(ctx, values, line, typed.substr(eq + 1));
      for (auto& c : values.candidates) add(r, line.flag + "=" + c.value, c.description);
      r.no_space = values.no_space;
    } else {
      flag_candidates(r, line);
    }
  } else if (line.command.empty()) {
    command_candidates(r, line.group);
  } else {
    positional_candidates(ctx, r, line, typed);
  }
  // Keep only what extends the typed word (files and values were built from it already).
  std::vector<Candidate> kept;
  std::set<std::string> seen;
  for (auto& c : r.candidates)
    if (starts_with(c.value, typed) && seen.insert(c.value).second) kept.push_back(std::move(c));
  r.candidates = std::move(kept);
  if (r.candidates.size() == 1 &&
      (r.candidates[0].value.back() == '/' || r.candidates[0].value == "file://" || r.candidates[0].value.back() == '='))
    r.no_space = true;
  return r;
}

std::string format(const Result& result, const std::string& shell) {
  std::string out;
  if (result.no_space) out += ":nospace\n";
  for (const auto& c : result.candidates) {
    if (shell == "zsh") {
      std::string v;
      for (char ch : c.value) {
        if (ch == ':' || ch == '\\') v += '\\';
        v += ch;
      }
      out += v;
      if (!c.description.empty()) out += ":" + c.description;
    } else if (shell == "fish") {
      out += c.value;
      if (!c.description.empty()) out += "\t" + c.description;
    } else {
      out += c.value;
    }
    out += "\n";
  }
  return out;
}

}  // namespace ecsctl::completion

namespace ecsctl {
namespace {

int run_completion(Context& ctx, Args& args) {
  ctx.out << completion::script(*args.positional(0));
  return 0;
}

// __complete SHELL CWORD WORD...: never fails loudly; prints nothing on errors.
int run_complete(Context& ctx, std::vector<std::string>& args) {
  if (args.size() < 2) return 0;
  std::string shell = args[0];
  std::size_t cword = 0;
  try {
    cword = static_cast<std::size_t>(std::stoul(args[1]));
  } catch (...) {
    return 0;
  }
  std::vector<std::string> words(args.begin() + 2, args.end());
  if (words.empty()) words.push_back("ecsctl");
  if (cword >= words.size()) words.resize(cword + 1);
  try {
    ctx.out << completion::format(completion::complete(ctx, words, cword), shell);
  } catch (...) {
  }
  return 0;
}


}  // namespace
}  // namespace ecsctl

namespace ecsctl::commands {

const CommandSpec completion{
    .group = "",
    .name = "completion",
    .summary = "print the tab-completion script for bash, zsh or fish",
    .description = "Prints the tab-completion script for the shell. Load it with, for example:\n"
                   "  source <(ecsctl completion bash)           # bash, in ~/.bashrc\n"
                   "  ecsctl completion zsh > \"${fpath[1]}/_ecsctl\"  # zsh\n"
                   "  ecsctl completion fish | source             # fish, in config.fish\n",
    .positionals = {{.name = "SHELL", .help = "the shell", .complete = Completer::choices,
                     .choices = {"bash", "zsh", "fish"}}},
    .run = ecsctl::run_completion,
};

// `ecsctl __commands`: the command table as JSON (name, flags, positionals and
// their completers), for tests that check every command's completion.
const CommandSpec internal_commands{
    .name = "__commands",
    .summary = "print the command table as JSON (used by tests)",
    .run =
        [](Context& ctx, Args&) {
          Json out = Json::array();
          for (const CommandSpec* c : command_table()) {
            if (c->hidden) continue;
            Json flags = Json::array(), positionals = Json::array();
            for (const auto& f : c->flags) {
              Json choices = Json::array();
              for (auto v : f.choices) choices.push_back(std::string(v));
              flags.push_back({{"name", std::string(f.name)}, {"takesValue", !f.metavar.empty()},
                               {"repeats", f.repeats}, {"complete", std::string(completer_name(f.complete))},
                               {"choices", choices}});
            }
            for (const auto& p : c->positionals) {
              Json choices = Json::array();
              for (auto v : p.choices) choices.push_back(std::string(v));
              positionals.push_back({{"name", std::string(p.name)}, {"many", p.many},
                                     {"complete", std::string(completer_name(p.complete))}, {"choices", choices}});
            }
            out.push_back({{"group", std::string(c->group)}, {"name", std::string(c->name)},
                           {"raw", c->raw}, {"apiOperation", std::string(c->api_operation)},
                           {"flags", flags}, {"positionals", positionals}});
          }
          ctx.out << out.dump(2) << "\n";
          return 0;
        },
    .hidden = true,
};

const CommandSpec internal_complete{
    .group = "",
    .name = "__complete",
    .summary = "compute completion candidates (used by the scripts)",
    .run = [](Context& ctx, Args& args) { return ecsctl::run_complete(ctx, args.rest); },
    .hidden = true,
    .raw = true,
};

}  // namespace ecsctl::commands
