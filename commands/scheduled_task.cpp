// Scheduled ECS tasks: create-, list-, describe-, update-, delete-scheduled-task(s)
// and run-scheduled-task-now, on EventBridge Scheduler or (--use-rules) rules.
#include <chrono>
#include <ostream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/poller.hpp"
#include "commands/shorthand.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_run.hpp"
#include "commands/workflow_schedule.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::commands::workflow {
namespace {

struct Flags {
  std::optional<std::string> name, schedule, timezone, cluster, task_definition, launch_type, platform_version,
      assign_public_ip, role_arn, group;
  std::optional<long> count;
  std::vector<std::string> subnets, security_groups;
  Json file_def;  // the loaded --task-definition file, if one was given
  bool use_rules = false, dry_run = false, disabled = false, enabled = false;
};

// The words of a list value ("a,b" or ["a","b"]) of --network-configuration.
std::vector<std::string> words_of(const Json& v, const char* key) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  else if (v.is_array())
    for (const auto& w : v) {
      if (!w.is_string()) throw_usage(std::string("--network-configuration: ") + key + " must be a list of strings");
      out.push_back(w.get<std::string>());
    }
  else throw_usage(std::string("--network-configuration: ") + key + " must be a list of strings");
  return out;
}

// --network-configuration as run-task and the AWS CLI take it, shorthand
// (awsvpcConfiguration={subnets=[a,b],securityGroups=[c],assignPublicIp=ENABLED})
// or JSON, into the --subnets/--security-groups/--assign-public-ip fields.
void take_network_configuration(Flags& f, const std::string& text) {
  if (!f.subnets.empty() || !f.security_groups.empty() || f.assign_public_ip)
    throw_usage("give --network-configuration or --subnets/--security-groups/--assign-public-ip, not both");
  Json nc;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    nc = Json::parse(text, nullptr, false);
    if (nc.is_discarded()) throw_usage("--network-configuration: invalid JSON", "awsvpcConfiguration={subnets=[subnet-1]}");
  } else {
    try {
      nc = shorthand::parse(text);
    } catch (const shorthand::ParseError& e) {
      throw_usage(std::string("--network-configuration: ") + e.what());
    }
  }
  if (!nc.is_object() || !nc.contains("awsvpcConfiguration") || !nc["awsvpcConfiguration"].is_object())
    throw_usage("--network-configuration needs awsvpcConfiguration", "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=DISABLED}");
  for (const auto& [k, v] : nc["awsvpcConfiguration"].items()) {
    if (k == "subnets") f.subnets = words_of(v, "subnets");
    else if (k == "securityGroups") f.security_groups = words_of(v, "securityGroups");
    else if (k == "assignPublicIp" && v.is_string()) f.assign_public_ip = v.get<std::string>();
    else throw_usage("--network-configuration: unknown or bad member awsvpcConfiguration." + k,
                     "subnets, securityGroups and assignPublicIp (ENABLED or DISABLED)");
  }
  if (f.assign_public_ip && *f.assign_public_ip != "ENABLED" && *f.assign_public_ip != "DISABLED")
    throw_usage("--network-configuration: assignPublicIp must be ENABLED or DISABLED");
  if (f.subnets.empty()) throw_usage("--network-configuration: awsvpcConfiguration needs subnets");
}

// The flags of create- and update-scheduled-task; a --task-definition file is
// loaded and validated here, before any call.
Flags parse_flags(Context& ctx, const Args& args) {
  Flags f;
  f.name = args.positional(0);
  f.schedule = args.value("--schedule");
  f.timezone = args.value("--timezone");
  f.cluster = args.value("--cluster");
  f.task_definition = args.value("--task-definition");
  if (auto c = args.value("--count")) f.count = parse_count(*c, "--count");
  f.launch_type = args.value("--launch-type");
  f.platform_version = args.value("--platform-version");
  f.assign_public_ip = args.value("--assign-public-ip");
  f.role_arn = args.value("--role-arn");
  f.group = args.value("--group");
  f.subnets = args.values("--subnets");
  f.security_groups = args.values("--security-groups");
  if (auto nc = args.value("--network-configuration")) take_network_configuration(f, *nc);
  f.use_rules = args.has("--use-rules");
  f.dry_run = args.has("--dry-run");
  f.disabled = args.has("--disabled");
  f.enabled = args.has("--enabled");
  if (f.enabled && f.disabled) throw_usage("give --enabled or --disabled, not both");
  if (f.task_definition && is_taskdef_file(*f.task_definition))
    f.file_def = taskdef_input::load(ctx, *f.task_definition, taskdef_input::template_vars(ctx, args));
  return f;
}

long long wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Applies the flags to `t.target` (EcsParameters and network).
void apply_flags(ScheduledTask& t, const Flags& f) {
  Json& p = t.target["EcsParameters"];
  if (!p.is_object()) p = Json::object();
  if (f.count) p["TaskCount"] = *f.count;
  if (f.launch_type) p["LaunchType"] = *f.launch_type;
  if (f.platform_version) p["PlatformVersion"] = *f.platform_version;
  if (!f.subnets.empty() || !f.security_groups.empty() || f.assign_public_ip) {
    Json& vpc = p["NetworkConfiguration"]["awsvpcConfiguration"];
    if (!f.subnets.empty()) vpc["Subnets"] = split_ids(f.subnets);
    if (!f.security_groups.empty()) vpc["SecurityGroups"] = split_ids(f.security_groups);
    if (f.assign_public_ip) vpc["AssignPublicIp"] = *f.assign_public_ip;
    if (!vpc.contains("Subnets")) throw_usage("--security-groups/--assign-public-ip need --subnets");
  }
  if (f.schedule) t.expression = *f.schedule;
  if (f.timezone) t.timezone = *f.timezone;
  if (f.disabled) t.state = "DISABLED";
  if (f.enabled) t.state = "ENABLED";
  if (f.role_arn) t.target["RoleArn"] = *f.role_arn;
}

// An awsvpc task definition cannot run without subnets: ECS refuses RunTask
// each time the schedule fires. Refused before anything is created.
void require_subnets(const ScheduledTask& t, const std::string& network_mode, const std::string& what) {
  if (network_mode != "awsvpc") return;
  const Json p = t.target.value("EcsParameters", Json::object());
  const Json vpc = p.value("NetworkConfiguration", Json::object()).value("awsvpcConfiguration", Json::object());
  if (vpc.contains("Subnets") && vpc["Subnets"].is_array() && !vpc["Subnets"].empty()) return;
  throw Error(Exit::usage, what + " uses networkMode awsvpc, and the scheduled task has no subnets", {},
              "give --subnets (or --network-configuration 'awsvpcConfiguration={subnets=[...]}'); without them "
              "every run would fail");
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
    if (!f.file_def.is_null() && f.dry_run) {
      // Validated (by parse_flags), not registered: a dry run changes nothing.
      arn = "(" + *f.task_definition + ": registered on a real run unless identical to the latest revision)";
    } else if (!f.file_def.is_null()) {
      Registered r = register_or_reuse(rt, f.file_def);
      arn = r.arn;
      if (!ctx.opts.quiet) ctx.err << (r.reused ? "reusing " : "registered ") << taskdef_short(arn) << "\n";
      if (journal) journal->done((r.reused ? "reused " : "registered ") + taskdef_short(arn));
    } else {
      Json described = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", *f.task_definition}})["taskDefinition"];
      require_subnets(t, described.value("networkMode", ""), "task definition " + *f.task_definition);
      arn = described.value("taskDefinitionArn", "");
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

// The next five fire times; none while the schedule is disabled.
Json fire_times(const ScheduledTask& t, bool use_rules) {
  if (t.state == "DISABLED") return Json::array();
  return next_fire_times(t.expression, t.timezone, use_rules, wall_now());
}

void print_task(Context& ctx, const ScheduledTask& t, bool use_rules, const char* title) {
  Json j = to_json(t);
  j["NextFireTimes"] = fire_times(t, use_rules);
  print_result(ctx, j, title);
}

int run_create(Context& ctx, Args& args) {
  Flags f = parse_flags(ctx, args);
  ScheduledTask t;
  t.name = *f.name;
  t.group = f.group.value_or("");
  t.rule = f.use_rules;
  apply_flags(t, f);
  check_schedule(t.expression, t.timezone, f.use_rules);
  if (!f.file_def.is_null()) require_subnets(t, f.file_def.value("networkMode", ""), *f.task_definition);
  if (f.dry_run) {
    if (!t.target.contains("Arn")) t.target["Arn"] = "(cluster " + f.cluster.value_or("default") + ")";
    t.target["EcsParameters"]["TaskDefinitionArn"] = "(" + *f.task_definition + ")";
    Json j = to_json(t);
    j["Backend"] = f.use_rules ? "EventBridge rules (PutRule, PutTargets)" : "EventBridge Scheduler (CreateSchedule)";
    j["NextFireTimes"] = fire_times(t, f.use_rules);
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

int run_update(Context& ctx, Args& args) {
  Flags f = parse_flags(ctx, args);
  std::string name = *f.name;
  Runtime& rt = runtime(ctx);
  ScheduleStore lookup{rt, f.use_rules, f.group.value_or("")};
  auto t = lookup.find(name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + name + "'", {}, "list them with `ecsctl list-scheduled-tasks`");
  // The back end that holds it, whether or not --use-rules was given.
  ScheduleStore store{rt, t->rule, f.group.value_or("")};
  apply_flags(*t, f);
  check_schedule(t->expression, t->timezone, t->rule);
  if (!f.file_def.is_null()) require_subnets(*t, f.file_def.value("networkMode", ""), *f.task_definition);
  Journal journal;
  if (f.cluster || f.task_definition) resolve_target(ctx, rt, *t, f, &journal);
  if (!f.dry_run) store.put(*t, true, &journal);
  print_task(ctx, *t, t->rule, "UpdateScheduledTask");
  return 0;
}

struct NameOnly {
  std::string name;
  bool use_rules;
  std::string group;
};

NameOnly take_name(const Args& args) {
  NameOnly n;
  n.use_rules = args.has("--use-rules");
  n.group = args.value("--group").value_or("");
  n.name = args.positional(0).value_or("");
  return n;
}

int run_list(Context& ctx, Args& args) {
  NameOnly n = take_name(args);
  ScheduleStore store{runtime(ctx), n.use_rules, n.group};
  Json list = Json::array();
  for (const auto& t : store.list(n.use_rules)) list.push_back(to_json(t));
  print_result(ctx, {{"ScheduledTasks", list}}, "ListScheduledTasks");
  return 0;
}

int run_describe(Context& ctx, Args& args) {
  NameOnly n = take_name(args);
  ScheduleStore store{runtime(ctx), n.use_rules, n.group};
  auto t = store.find(n.name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + n.name + "'", {}, "list them with `ecsctl list-scheduled-tasks`");
  print_task(ctx, *t, t->rule, "DescribeScheduledTask");
  return 0;
}

int run_delete(Context& ctx, Args& args) {
  NameOnly n = take_name(args);
  ScheduleStore store{runtime(ctx), n.use_rules, n.group};
  // Both back ends: a schedule and a rule of the same name are both deleted, so
  // that nothing called NAME still fires afterwards.
  auto found = store.find_all(n.name);
  if (found.empty()) {
    if (args.has("--if-exists")) {
      if (!ctx.opts.quiet) ctx.err << "scheduled task " << n.name << " does not exist; nothing to delete\n";
      return 0;
    }
    throw Error(Exit::usage, "no scheduled task '" + n.name + "' (no Scheduler schedule, no EventBridge rule)", {},
                "list them with `ecsctl list-scheduled-tasks`; --if-exists makes a missing one not an error");
  }
  for (const auto& t : found) {
    store.remove(t);
    if (!ctx.opts.quiet)
      ctx.err << "deleted scheduled task " << n.name << " (" << (t.rule ? "EventBridge rule" : "Scheduler schedule")
              << ")\n";
  }
  // Never report success while something still fires: look again.
  auto left = store.find_all(n.name);
  if (!left.empty())
    throw Error(Exit::other, "scheduled task '" + n.name + "' still exists after deleting it (" +
                                 (left.front().rule ? "EventBridge rule" : "Scheduler schedule") + ")",
                {}, "it may still fire; check it with `ecsctl describe-scheduled-task " + n.name + "`");
  return 0;
}

int run_now(Context& ctx, Args& args) {
  NameOnly n = take_name(args);
  RunWait w;
  w.exit_code_from = args.value("--exit-code-from");
  w.wait_until = args.value("--wait-until").value_or(w.exit_code_from ? "stopped" : "none");
  if (auto t = args.value("--timeout")) w.timeout = parse_duration(*t, "--timeout");
  w.poll = poll_interval(ctx, args.value("--poll-interval"));
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  ScheduleStore store{rt, n.use_rules, n.group};
  auto t = store.find(n.name);
  if (!t) throw Error(Exit::usage, "no scheduled task '" + n.name + "'", {}, "list them with `ecsctl list-scheduled-tasks`");
  Json in = run_task_input(*t);
  w.cluster = in.value("cluster", "");
  if (w.exit_code_from)
    w.definition = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", in["taskDefinition"]}})["taskDefinition"];
  return run_and_wait(ctx, rt, in, w);
}


}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {
namespace {

const char* const k_about =
    "EventBridge Scheduler is used by default (rate(), cron(), at(), --timezone); --use-rules uses\n"
    "classic EventBridge rules (rate() and cron(), UTC). A scheduled task is found whichever of the\n"
    "two holds it; --use-rules only prefers the rule when both have one of that name (list: only rules).\n";

const FlagSpec k_use_rules{.name = "--use-rules",
                           .help = "classic EventBridge rules (create); prefer or list only rules (the others)"};
const FlagSpec k_group{.name = "--group", .metavar = "GROUP", .help = "the Scheduler schedule group (default: default)"};

// The flags of create- and update-scheduled-task.
std::vector<FlagSpec> schedule_flags(bool create) {
  return flags_with(
      {
          {.name = "--schedule", .metavar = "EXPR",
           .help = "rate(5 minutes), cron(0 12 * * ? *) or at(2030-01-01T00:00:00)", .required = create},
          {.name = "--timezone", .metavar = "TZ", .help = "the time zone of cron() and at() (Scheduler only)"},
          {.name = "--cluster", .metavar = "CLUSTER", .help = "the cluster to run in (default: default)",
           .complete = Completer::cluster},
          {.name = "--task-definition", .metavar = "FILE|FAMILY[:REV]",
           .help = "a file (registered or reused), a revision, or a family (follows its latest revision)",
           .complete = Completer::task_definition_or_file, .required = create},
          {.name = "--count", .metavar = "N", .help = "tasks per run (default 1)"},
          {.name = "--launch-type", .metavar = "TYPE", .help = "the launch type", .complete = Completer::choices,
           .choices = {"FARGATE", "EC2", "EXTERNAL"}},
          {.name = "--platform-version", .metavar = "V", .help = "the Fargate platform version"},
          {.name = "--subnets", .metavar = "ID", .help = "awsvpc subnets (space or comma separated)",
           .repeats = true},
          {.name = "--network-configuration", .metavar = "CONFIG",
           .help = "awsvpcConfiguration={subnets=[..],securityGroups=[..],assignPublicIp=..} or JSON, as run-task takes it"},
          {.name = "--security-groups", .metavar = "ID", .help = "awsvpc security groups", .repeats = true},
          {.name = "--assign-public-ip", .metavar = "VALUE", .help = "give the tasks a public IP",
           .complete = Completer::choices, .choices = {"ENABLED", "DISABLED"}},
          {.name = "--role-arn", .metavar = "ARN",
           .help = "the role that runs the task (default arn:aws:iam::ACCOUNT:role/ecsEventsRole)"},
          k_group,
          {.name = "--enabled", .help = "the schedule fires (the default on create)"},
          {.name = "--disabled", .help = "the schedule does not fire"},
          k_use_rules,
          {.name = "--dry-run",
           .help = "print the request and the next five fire times; change nothing (read-only calls only)"},
      },
      taskdef_input::template_flags());
}

std::vector<FlagSpec> lookup_flags(std::vector<FlagSpec> own = {}) {
  std::vector<FlagSpec> flags = {k_use_rules, k_group};
  flags.insert(flags.end(), own.begin(), own.end());
  return flags;
}

}  // namespace

const CommandSpec create_scheduled_task{
    .group = "",
    .name = "create-scheduled-task",
    .summary = "run a task on a schedule (EventBridge Scheduler or rules)",
    .description =
        "Creates a schedule (or a rule and its target) that runs the task definition on the cluster.\n"
        "Expressions are checked offline. A task-definition file is validated as `ecsctl validate`\n"
        "does (exit 3 when it fails). Creating an existing scheduled task with the same settings\n"
        "changes nothing; with other settings it is refused (use update-scheduled-task).\n",
    .flags = schedule_flags(true),
    .positionals = {{.name = "NAME", .help = "the scheduled task's name"}},
    .run = ecsctl::commands::workflow::run_create,
};

const CommandSpec update_scheduled_task{
    .group = "",
    .name = "update-scheduled-task",
    .summary = "change a scheduled task's schedule, task or network",
    .description = "Changes only what the flags give; the rest of the scheduled task stays as it is.\n",
    .flags = schedule_flags(false),
    .positionals = {{.name = "NAME", .help = "the scheduled task", .complete = Completer::scheduled_task}},
    .run = ecsctl::commands::workflow::run_update,
};

const CommandSpec list_scheduled_tasks{
    .group = "",
    .name = "list-scheduled-tasks",
    .summary = "list the schedules that run ECS tasks",
    .description = k_about,
    .flags = lookup_flags(),
    .run = ecsctl::commands::workflow::run_list,
};

const CommandSpec describe_scheduled_task{
    .group = "",
    .name = "describe-scheduled-task",
    .summary = "show a scheduled task and its next fire times",
    .description = k_about,
    .flags = lookup_flags(),
    .positionals = {{.name = "NAME", .help = "the scheduled task", .complete = Completer::scheduled_task}},
    .run = ecsctl::commands::workflow::run_describe,
};

const CommandSpec delete_scheduled_task{
    .group = "",
    .name = "delete-scheduled-task",
    .summary = "delete a scheduled task (its schedule or rule and target)",
    .description =
        "Deletes the Scheduler schedule and the EventBridge rule (its ECS task target; the rule too\n"
        "unless it has other targets) called NAME, whichever exist, then checks that nothing is left.\n"
        "A NAME that exists in neither is an error (exit 252) unless --if-exists.\n",
    .flags = lookup_flags({{.name = "--if-exists", .help = "a scheduled task that does not exist is not an error"}}),
    .positionals = {{.name = "NAME", .help = "the scheduled task", .complete = Completer::scheduled_task}},
    .run = ecsctl::commands::workflow::run_delete,
};

const CommandSpec run_scheduled_task_now{
    .group = "",
    .name = "run-scheduled-task-now",
    .summary = "run a scheduled task's target once, now",
    .description =
        "Runs the scheduled task's target once with RunTask, and waits as run-task does.\n\n"
        "Exit codes: 4 timed out, 5 the task failed to start or stopped before running, 130 Ctrl-C;\n"
        "with --exit-code-from, the container's exit code.\n",
    .flags = lookup_flags({
        {.name = "--wait-until", .metavar = "STATE", .help = "wait until the task is running or stopped",
         .complete = Completer::choices, .choices = {"none", "running", "stopped"}},
        {.name = "--exit-code-from", .metavar = "CONTAINER|essential",
         .help = "exit with this container's exit code (implies --wait-until stopped)",
         .complete = Completer::container},
        {.name = "--timeout", .metavar = "DURATION", .help = "give up waiting after this long (exit 4)",
         .complete = Completer::duration},
        {.name = "--poll-interval", .metavar = "DURATION",
         .help = "first delay between polls (default 3s or ECSCTL_POLL_INTERVAL)", .complete = Completer::duration},
    }),
    .positionals = {{.name = "NAME", .help = "the scheduled task", .complete = Completer::scheduled_task}},
    .run = ecsctl::commands::workflow::run_now,
};

}  // namespace ecsctl::commands
