#include "commands/workflow_schedule.hpp"

#include "core/error.hpp"
#include "schemas/schedule_expression.hpp"

namespace ecsctl::commands::workflow {

namespace {

const char* const k_target_id = "ecsctl-ecs-task";

bool not_found(const ServiceError& e) { return e.error_code() == "ResourceNotFoundException"; }

bool is_ecs_target(const Json& target) {
  std::string arn = target.value("Arn", "");
  return arn.find(":ecs:") != std::string::npos || target.contains("EcsParameters");
}

}  // namespace

std::optional<ScheduledTask> ScheduleStore::get(const std::string& name) {
  ScheduledTask t;
  t.name = name;
  t.group = group;
  t.rule = use_rules;
  try {
    if (!use_rules) {
      Json in = {{"Name", name}};
      if (!group.empty()) in["GroupName"] = group;
      Json s = rt.call("scheduler", "GetSchedule", in);
      t.expression = s.value("ScheduleExpression", "");
      t.timezone = s.value("ScheduleExpressionTimezone", "");
      t.state = s.value("State", "ENABLED");
      t.group = s.value("GroupName", group);
      t.target = s.value("Target", Json::object());
      return t;
    }
    Json r = rt.call("events", "DescribeRule", {{"Name", name}});
    t.expression = r.value("ScheduleExpression", "");
    t.state = r.value("State", "ENABLED");
    Json targets = rt.call("events", "ListTargetsByRule", {{"Rule", name}}).value("Targets", Json::array());
    for (const auto& tg : targets)
      if (is_ecs_target(tg)) t.target = tg;
    t.rule_targets = targets.size();
    return t;
  } catch (const ServiceError& e) {
    if (not_found(e)) return std::nullopt;
    throw;
  }
}

void ScheduleStore::put(const ScheduledTask& t, bool exists, Journal* journal) {
  // One call of the back end: recorded when it succeeds, reported with what is
  // left when it fails.
  auto step = [&](std::string_view service, std::string_view op, const Json& in, const std::string& done,
                  const std::vector<std::string>& not_done) {
    try {
      rt.call(service, op, in);
    } catch (const Error& e) {
      if (journal) journal->fail(e, not_done, t.name);
      throw;
    }
    if (journal) journal->done(done);
  };
  if (!use_rules) {
    Json in = {{"Name", t.name},
               {"ScheduleExpression", t.expression},
               {"FlexibleTimeWindow", {{"Mode", "OFF"}}},
               {"State", t.state},
               {"Target", t.target}};
    if (!t.group.empty()) in["GroupName"] = t.group;
    if (!t.timezone.empty()) in["ScheduleExpressionTimezone"] = t.timezone;
    in["Target"].erase("Id");
    std::string op = exists ? "UpdateSchedule" : "CreateSchedule";
    step("scheduler", op, in, "schedule " + t.name + " (" + op + ")", {"schedule " + t.name + " (" + op + ")"});
    return;
  }
  step("events", "PutRule", {{"Name", t.name}, {"ScheduleExpression", t.expression}, {"State", t.state}},
       "rule " + t.name + " (PutRule)", {"rule " + t.name + " (PutRule)", "its ECS task target (PutTargets)"});
  Json target = t.target;
  if (!target.contains("Id")) target["Id"] = k_target_id;
  step("events", "PutTargets", {{"Rule", t.name}, {"Targets", {target}}}, "its ECS task target (PutTargets)",
       {"the ECS task target of rule " + t.name + " (PutTargets)"});
}

std::vector<ScheduledTask> ScheduleStore::find_all(const std::string& name) {
  std::vector<ScheduledTask> out;
  for (bool rules : {false, true}) {
    ScheduleStore one{rt, rules, group};
    auto t = one.get(name);
    if (!t) continue;
    // A rule is a scheduled task when it runs an ECS task, or has no target at
    // all (a create that stopped after PutRule); another's rule is not ours.
    if (rules && !is_ecs_target(t->target) && t->rule_targets > 0) continue;
    out.push_back(*t);
  }
  return out;
}

std::optional<ScheduledTask> ScheduleStore::find(const std::string& name) {
  auto all = find_all(name);
  if (all.empty()) return std::nullopt;
  for (const auto& t : all)
    if (t.rule == use_rules) return t;
  return all.front();
}

void ScheduleStore::remove(const ScheduledTask& t) {
  if (!t.rule) {
    Json in = {{"Name", t.name}};
    if (!t.group.empty()) in["GroupName"] = t.group;
    rt.call("scheduler", "DeleteSchedule", in);
    return;
  }
  Json ids = Json::array();
  std::size_t others = 0;
  for (const auto& tg : rt.call("events", "ListTargetsByRule", {{"Rule", t.name}}).value("Targets", Json::array())) {
    if (is_ecs_target(tg)) ids.push_back(tg.value("Id", ""));
    else ++others;
  }
  if (!ids.empty()) rt.call("events", "RemoveTargets", {{"Rule", t.name}, {"Ids", ids}});
  if (others == 0) rt.call("events", "DeleteRule", {{"Name", t.name}});
}

std::vector<ScheduledTask> ScheduleStore::list(bool rules_only) {
  std::vector<ScheduledTask> out;
  for (bool rules : {false, true}) {
    if (rules_only && !rules) continue;
    ScheduleStore one{rt, rules, group};
    Json in = Json::object();
    if (!rules && !group.empty()) in["GroupName"] = group;
    for (int page = 0; page < 50; ++page) {
      Json res = rt.call(rules ? "events" : "scheduler", rules ? "ListRules" : "ListSchedules", in);
      for (const auto& item : res.value(rules ? "Rules" : "Schedules", Json::array())) {
        if (rules && !item.contains("ScheduleExpression")) continue;
        if (!rules && !is_ecs_target(item.value("Target", Json::object()))) continue;
        ScheduleStore in_group{rt, rules, rules ? group : item.value("GroupName", group)};
        auto t = in_group.get(item.value("Name", ""));
        if (t && is_ecs_target(t->target)) out.push_back(*t);
      }
      std::string next = res.value("NextToken", "");
      if (next.empty()) break;
      in["NextToken"] = next;
    }
  }
  return out;
}

void check_schedule(const std::string& expression, const std::string& timezone, bool use_rules) {
  try {
    schedule::parse(expression, use_rules ? schedule::Flavor::events : schedule::Flavor::scheduler);
  } catch (const schedule::ExpressionError& e) {
    std::size_t col = e.position() > 0 ? e.position() - 1 : 0;
    throw Error(Exit::usage, std::string("invalid schedule expression: ") + e.what(),
                "--schedule column " + std::to_string(e.position()),
                expression + "\n        " + std::string(col, ' ') + "^");
  }
  if (!timezone.empty()) {
    if (use_rules) throw_usage("--timezone needs EventBridge Scheduler", "EventBridge rules run in UTC; drop --use-rules or --timezone");
    if (!schedule::valid_timezone(timezone)) throw_usage("unknown time zone '" + timezone + "'", "use an IANA name such as Europe/Berlin");
  }
}

std::vector<std::string> next_fire_times(const std::string& expression, const std::string& timezone, bool use_rules,
                                         long long now, std::size_t count) {
  auto e = schedule::parse(expression, use_rules ? schedule::Flavor::events : schedule::Flavor::scheduler);
  schedule::FireOptions fo;
  fo.timezone = timezone;
  fo.anchor = now;
  std::vector<std::string> out;
  for (auto t : schedule::next_times(e, now, count, fo)) out.push_back(schedule::format_in_zone(t, timezone));
  return out;
}

Json run_task_input(const ScheduledTask& t) {
  const Json p = t.target.value("EcsParameters", Json::object());
  Json in = {{"cluster", t.target.value("Arn", "")}, {"taskDefinition", p.value("TaskDefinitionArn", "")},
             {"count", p.value("TaskCount", 1)}, {"startedBy", "ecsctl-schedule"}};
  if (p.contains("LaunchType")) in["launchType"] = p["LaunchType"];
  if (p.contains("PlatformVersion")) in["platformVersion"] = p["PlatformVersion"];
  if (p.contains("Group")) in["group"] = p["Group"];
  if (p.contains("NetworkConfiguration")) {
    const Json v = p["NetworkConfiguration"].value("awsvpcConfiguration", Json::object());
    Json vpc = Json::object();
    if (v.contains("Subnets")) vpc["subnets"] = v["Subnets"];
    if (v.contains("SecurityGroups")) vpc["securityGroups"] = v["SecurityGroups"];
    if (v.contains("AssignPublicIp")) vpc["assignPublicIp"] = v["AssignPublicIp"];
    in["networkConfiguration"] = {{"awsvpcConfiguration", vpc}};
  }
  if (p.contains("CapacityProviderStrategy")) {
    Json cps = Json::array();
    for (const auto& c : p["CapacityProviderStrategy"]) {
      Json item = {{"capacityProvider", c.value("capacityProvider", "")}};
      if (c.contains("weight")) item["weight"] = c["weight"];
      if (c.contains("base")) item["base"] = c["base"];
      cps.push_back(item);
    }
    in["capacityProviderStrategy"] = cps;
    in.erase("launchType");
  }
  return in;
}

Json to_json(const ScheduledTask& t) {
  Json j = {{"Name", t.name}, {"ScheduleExpression", t.expression}, {"State", t.state}};
  if (!t.timezone.empty()) j["ScheduleExpressionTimezone"] = t.timezone;
  if (!t.group.empty()) j["GroupName"] = t.group;
  j["Kind"] = t.rule ? "EventBridge rule" : "EventBridge Scheduler";
  j["Target"] = t.target;
  return j;
}

}  // namespace ecsctl::commands::workflow
