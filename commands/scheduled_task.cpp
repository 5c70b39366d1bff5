// Scheduled ECS tasks: create-, list-, describe-, update-, delete-scheduled-task(s)
// and run-scheduled-task-now, on EventBridge Scheduler or (--use-rules) rules.
#include <chrono>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_run.hpp"
#include "commands/workflow_schedule.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::workflow {
namespace {

const char* const k_help =
    "Usage: ecsctl create-scheduled-task NAME --schedule EXPR --cluster C --task-definition FAMILY[:REV]|FILE\n"
    "         [--count N] [--launch-type FARGATE|EC2] [--platform-version V] [--subnets ID ...]\n"
    "         [--security-groups ID ...] [--assign-public-ip ENABLED|DISABLED] [--role-arn ARN]\n"
    "         [--timezone TZ] [--group G] [--disabled] [--use-rules] [--dry-run]\n"
    "       ecsctl update-scheduled-task NAME [the same options]   (--enabled/--disabled)\n"
    "       ecsctl list-scheduled-tasks | describe-scheduled-task NAME | delete-scheduled-task NAME\n"
    "       ecsctl run-scheduled-task-now NAME [--wait-until none|running|stopped] [--exit-code-from C] [--timeout D]\n\n"
    "EventBridge Scheduler is used by default (rate(), cron(), at(), --timezone); --use-rules uses\n"
    "classic EventBridge rules (rate() and cron(), UTC). Expressions are checked offline;\n"
    "--dry-run prints the request and the next five fire times without calling AWS.\n"
    "The role defaults to arn:aws:iam::ACCOUNT:role/ecsEventsRole.\n";

struct Flags {
  std::optional<std::string> name, schedule, timezone, cluster, task_definition, count, launch_type, platform_version,
      assign_public_ip, role_arn, group;
  std::vector<std::string> subnets, security_groups;
  TemplateArgs templ;
  bool use_rules = false, dry_run = false, disabled = false, enabled = false;
};

Flags take_flags(std::vector<std::string>& args) {
  Flags f;
  f.schedule = take_value(args, "--schedule");
  f.timezone = take_value(args, "--timezone");
  f.cluster = take_value(args, "--cluster");
  f.task_definition = take_value(args, "--task-definition");
  f.count = take_value(args, "--count");
  f.launch_type = take_value(args, "--launch-type");
  f.platform_version = take_value(args, "--platform-version");
  f.assign_public_ip = take_value(args, "--assign-public-ip");
  f.role_arn = take_value(args, "--role-arn");
  f.group = take_value(args, "--group");
  f.subnets = take_list(args, "--subnets");
  f.security_groups = take_list(args, "--security-groups");
  f.templ = take_template_args(args);
  f.use_rules = take_flag(args, "--use-rules");
  f.dry_run = take_flag(args, "--dry-run");
  f.disabled = take_flag(args, "--disabled");
  f.enabled = take_flag(args, "--enabled");
  f.name = take_positional(args);
  return f;
}

Json split_ids(const std::vector<std::string>& words) {
  Json out = Json::array();
  for (const auto& w : words)
    for (std::size_t s = 0; s <= w.size();) {
      auto e = w.find(',', s);
      if (e == std::string::npos) e = w.size();
      if (e > s) out.push_back(w.substr(s, e - s));
      s = e + 1;
    }
  return out;
}

long long wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Applies the flags to `t.target` (EcsParameters and network).
void apply_flags(ScheduledTask& t, const Flags& f) {
  Json& p = t.target["EcsParameters"];
  if (!p.is_object()) p = Json::object();
  if (f.count) p["TaskCount"] = parse_count(*f.count, "--count");
  if (f.launch_type) p["LaunchType"] = *f.launch_type;
  if (f.platform_version) p["PlatformVersion"] = *f.platform_version;
  if (!f.subnets.empty() || !f.security_groups.empty() || f.assign_public_ip) {
    Json& vpc = p["NetworkConfiguration"]["awsvpcConfiguration"];
    if (!f.subnets.empty()) vpc["Subnets"] = split_ids(f.subnets);
    if (!f.security_groups.empty()) vpc["SecurityGroups"] = split_ids(f.security_groups);
    if (f.assign_public_ip) {
      if (*f.assign_public_ip != "ENABLED" && *f.assign_public_ip != "DISABLED")
        throw_usage("argument --assign-public-ip: expected ENABLED or DISABLED");
      vpc["AssignPublicIp"] = *f.assign_public_ip;
    }
    if (!vpc.contains("Subnets")) throw_usage("--security-groups/--assign-public-ip need --subnets");
  }
  if (f.schedule) t.expression = *f.schedule;
  if (f.timezone) t.timezone = *f.timezone;
  if (f.disabled) t.state = "DISABLED";
  if (f.enabled) t.state = "ENABLED";
  if (f.role_arn) t.target["RoleArn"] = *f.role_arn;
}

// Resolves cluster and task definition to ARNs (calls AWS; with --dry-run only
// read-only calls, and a task-definition file is validated but not registered).
void resolve_target(Context& ctx, Runtime& rt, ScheduledTask& t, const Flags& f, Journal* journal = nullptr) {
  if (f.cluster || !t.target.contains("Arn")) {
    std::string c = f.cluster.value_or("default");
    Json out = rt.call("ecs", "DescribeClusters", {{"clusters", {c}}});
    if (!out.contains("clusters") || out["clusters"].empty())
      throw Error(Exit::usage, "cluster '" + c + "' not found", {}, "create it or check --cluster");
    t.target["Arn"] = out["clusters"][0].value("clusterArn", "");
  }
  if (f.task_definition) {
    std::string arn;
    if (is_taskdef_file(*f.task_definition) && f.dry_run) {
      // Validated, not registered: a dry run changes nothing.
      load_taskdef_file(ctx, *f.task_definition, f.templ);
      arn = "(" + *f.task_definition + ": registered on a real run unless identical to the latest revision)";
    } else if (is_taskdef_file(*f.task_definition)) {
      Registered r = register_or_reuse(rt, load_taskdef_file(ctx, *f.task_definition, f.templ));
      arn = r.arn;
      if (!ctx.opts.quiet) ctx.err << (r.reused ? "reusing " : "registered ") << taskdef_short(arn) << "\n";
      if (journal) journal->done((r.reused ? "reused " : "registered ") + taskdef_short(arn));
    } else {
      arn = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", *f.task_definition}})["taskDefinition"].value(
          "taskDefinitionArn", "");
      // A family without a revision follows the latest ACTIVE revision.
      if (f.task_definition->find(':') == std::string::npos && arn.rfind(':') != std::string::npos)
        arn.resize(arn.rfind(':'));
    }
    t.target["EcsParameters"]["TaskDefinitionArn"] = arn;
  }
  if (!t.target.contains("RoleArn")) {
    std::string cluster_arn = t.target.value("Arn", "");
    std::vector<std::string> parts;
    for (std::size_t s = 0, e; s <= cluster_arn.size(); s = e + 1) {
      e = cluster_arn.find(':', s);
      if (e == std::string::npos) e = cluster_arn.size();
      parts.push_back(cluster_arn.substr(s, e - s));
    }
    std::string account = parts.size() > 4 ? parts[4] : "";
    t.target["RoleArn"] = "arn:aws:iam::" + account + ":role/ecsEventsRole";
    if (!ctx.opts.quiet) ctx.err << "note: using the role " << t.target["RoleArn"].get<std::string>() << " (set --role-arn)\n";
  }
}

void print_task(Context& ctx, const ScheduledTask& t, bool use_rules, const char* title) {
  Json j = to_json(t);
  j["NextFireTimes"] = next_fire_times(t.expression, t.timezone, use_rules, wall_now());
  print_result(ctx, j, title);
}

std::string need_name(const Flags& f, const char* cmd) {
  if (!f.name) throw_usage(std::string(cmd) + " needs a NAME", "ecsctl create-scheduled-task --help");
  return *f.name;
}

int run_create(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  Flags f = take_flags(args);
  reject_leftovers(args, "create-scheduled-task");
  ScheduledTask t;
  t.name = need_name(f, "create-scheduled-task");
  t.group = f.group.value_or("");
  if (!f.schedule) throw_usage("--schedule is required", "e.g. --schedule 'rate(5 minutes)' or 'cron(0 12 * * ? *)'");
  if (!f.task_definition) throw_usage("--task-definition is required");
  apply_flags(t, f);
  check_schedule(t.expression, t.timezone, f.use_rules);
  if (f.dry_run) {
    if (!t.target.contains("Arn")) t.target["Arn"] = "(cluster " + f.cluster.value_or("default") + ")";
    t.target["EcsParameters"]["TaskDefinitionArn"] = "(" + *f.task_definition + ")";
    Json j = to_json(t);
    j["Backend"] = f.use_rules ? "EventBridge rules (PutRule, PutTargets)" : "EventBridge Scheduler (CreateSchedule)";
    j["NextFireTimes"] = next_fire_times(t.expression, t.timezone, f.use_rules, wall_now());
    print_result(ctx, j, "CreateScheduledTask");
    return 0;
  }
  Runtime& rt = runtime(ctx);
  ScheduleStore store{rt, f.use_rules, t.group};
  if (!t.target["EcsParameters"].contains("TaskCount")) t.target["EcsParameters"]["TaskCount"] = 1;
  Journal journal;
  resolve_target(ctx, rt, t, f, &journal);
  auto existing = store.get(t.name);
  if (existing && f.use_rules && existing->rule_targets == 0) {
    // A rule with no target at all is what a create that stopped after PutRule
    // leaves behind: finish it (PutRule again with these settings, PutTargets).
    if (!ctx.opts.quiet)
      ctx.err << "scheduled task " << t.name << " has a rule but no target (an earlier create stopped half-way); "
              << "completing it\n";
    store.put(t, true, &journal);
  } else if (existing) {
    Json a = to_json(*existing), b = to_json(t);
    a["Target"].erase("Id");
    b["Target"].erase("Id");
    // No --group means Scheduler's "default" group, which GetSchedule names.
    for (Json* j : {&a, &b})
      if (j->value("GroupName", "default") == "default") j->erase("GroupName");
    // Compared without regard to key order: GetSchedule/ListTargetsByRule answer in
    // the model's member order, the request is built in the flags' order.
    if (nlohmann::json::parse(a.dump()) != nlohmann::json::parse(b.dump()))
      throw Error(Exit::usage, "scheduled task '" + t.name + "' already exists with other settings", {},
                  "change it with `ecsctl update-scheduled-task " + t.name + " ...`");
    if (!ctx.opts.quiet) ctx.err << "scheduled task " << t.name << " already exists as requested; nothing changed\n";
  } else {
    store.put(t, false, &journal);
  }
  print_task(ctx, t, f.use_rules, "CreateScheduledTask");
  return 0;
}

int run_update(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  Flags f = take_flags(args);
  reject_leftovers(args, "update-scheduled-task");
  std::string name = need_name(f, "update-scheduled-task");
  if (f.enabled && f.disabled) throw_usage("give --enabled or --disabled, not both");
  Runtime& rt = runtime(ctx);
  ScheduleStore store{rt, f.use_rules, f.group.value_or("")};
  auto t = store.get(name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + name + "'", {}, "list them with `ecsctl list-scheduled-tasks`");
  apply_flags(*t, f);
  check_schedule(t->expression, t->timezone, f.use_rules);
  Journal journal;
  if (f.cluster || f.task_definition) resolve_target(ctx, rt, *t, f, &journal);
  if (!f.dry_run) store.put(*t, true, &journal);
  print_task(ctx, *t, f.use_rules, "UpdateScheduledTask");
  return 0;
}

struct NameOnly {
  std::string name;
  bool use_rules;
  std::string group;
};

NameOnly take_name(std::vector<std::string>& args, const char* cmd) {
  NameOnly n;
  n.use_rules = take_flag(args, "--use-rules");
  n.group = take_value(args, "--group").value_or("");
  auto name = take_positional(args);
  reject_leftovers(args, cmd);
  if (!name) throw_usage(std::string(cmd) + " needs a NAME");
  n.name = *name;
  return n;
}

int run_list(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  bool rules = take_flag(args, "--use-rules");
  std::string group = take_value(args, "--group").value_or("");
  reject_leftovers(args, "list-scheduled-tasks");
  ScheduleStore store{runtime(ctx), rules, group};
  Json list = Json::array();
  for (const auto& t : store.list()) list.push_back(to_json(t));
  print_result(ctx, {{"ScheduledTasks", list}}, "ListScheduledTasks");
  return 0;
}

int run_describe(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  NameOnly n = take_name(args, "describe-scheduled-task");
  ScheduleStore store{runtime(ctx), n.use_rules, n.group};
  auto t = store.get(n.name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + n.name + "'");
  print_task(ctx, *t, n.use_rules, "DescribeScheduledTask");
  return 0;
}

int run_delete(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  NameOnly n = take_name(args, "delete-scheduled-task");
  ScheduleStore store{runtime(ctx), n.use_rules, n.group};
  if (!store.get(n.name)) {
    if (!ctx.opts.quiet) ctx.err << "scheduled task " << n.name << " does not exist; nothing to delete\n";
    return 0;
  }
  store.remove(n.name);
  if (!ctx.opts.quiet) ctx.err << "deleted scheduled task " << n.name << "\n";
  return 0;
}

int run_now(Context& ctx, std::vector<std::string>& args) {
  if (take_flag(args, "--help") || take_flag(args, "-h")) return ctx.out << k_help, 0;
  RunWait w;
  auto wait_until = take_value(args, "--wait-until");
  w.exit_code_from = take_value(args, "--exit-code-from");
  w.wait_until = wait_until.value_or(w.exit_code_from ? "stopped" : "none");
  if (auto t = take_value(args, "--timeout")) w.timeout = parse_duration(*t, "--timeout");
  w.poll = poll_interval(ctx, take_value(args, "--poll-interval"));
  NameOnly n = take_name(args, "run-scheduled-task-now");
  if (w.wait_until != "none" && w.wait_until != "running" && w.wait_until != "stopped")
    throw_usage("argument --wait-until: expected none, running or stopped");
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  ScheduleStore store{rt, n.use_rules, n.group};
  auto t = store.get(n.name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + n.name + "'");
  Json in = run_task_input(*t);
  w.cluster = in.value("cluster", "");
  if (w.exit_code_from)
    w.definition = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", in["taskDefinition"]}})["taskDefinition"];
  return run_and_wait(ctx, rt, in, w);
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec create_scheduled_task{
    .group = "",
    .name = "create-scheduled-task",
    .summary = "run a task on a schedule (EventBridge Scheduler or rules)",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_create(ctx, args.rest); },
    .raw = true,
};

const CommandSpec update_scheduled_task{
    .group = "",
    .name = "update-scheduled-task",
    .summary = "change a scheduled task's schedule, task or network",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_update(ctx, args.rest); },
    .raw = true,
};

const CommandSpec list_scheduled_tasks{
    .group = "",
    .name = "list-scheduled-tasks",
    .summary = "list the schedules that run ECS tasks",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_list(ctx, args.rest); },
    .raw = true,
};

const CommandSpec describe_scheduled_task{
    .group = "",
    .name = "describe-scheduled-task",
    .summary = "show a scheduled task and its next fire times",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_describe(ctx, args.rest); },
    .raw = true,
};

const CommandSpec delete_scheduled_task{
    .group = "",
    .name = "delete-scheduled-task",
    .summary = "delete a scheduled task (its schedule or rule and target)",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_delete(ctx, args.rest); },
    .raw = true,
};

const CommandSpec run_scheduled_task_now{
    .group = "",
    .name = "run-scheduled-task-now",
    .summary = "run a scheduled task's target once, now",
    .run = [](Context& ctx, Args& args) { return ecsctl::workflow::run_now(ctx, args.rest); },
    .raw = true,
};

}  // namespace ecsctl::commands
