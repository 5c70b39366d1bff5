// EventBridge rules, targets and tags; scheduled rules fire ECS targets.
#include "local/events.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace ecsctl::local {

namespace {

constexpr const char* k_rules = "events_rules";
constexpr const char* k_targets = "events_targets";
constexpr const char* k_tags = "events_tags";
constexpr const char* k_prefix = "AWSEvents";

double system_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

bool valid_rule_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of(".-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == std::string::npos;
}

[[noreturn]] void not_found(const std::string& name, const std::string& bus) {
  throw ApiError("ResourceNotFoundException", "Rule " + name + " does not exist on EventBus " + bus + ".");
}

bool is_ecs_cluster(const std::string& arn) {
  return arn.rfind("arn:", 0) == 0 && arn.find(":ecs:") != std::string::npos && arn.find(":cluster/") != std::string::npos;
}

}  // namespace

Events::Events(Store& store, std::string region, std::string account, double factor, std::function<double()> clock)
    : m_store(store), m_region(std::move(region)), m_account(std::move(account)), m_factor(factor),
      m_clock(clock ? std::move(clock) : system_now) {}

void Events::register_operations(Router& router) {
  for (const char* op : {"PutRule", "DescribeRule", "ListRules", "DeleteRule", "EnableRule", "DisableRule", "PutTargets",
                         "ListTargetsByRule", "RemoveTargets", "TagResource", "UntagResource", "ListTagsForResource"}) {
    std::string operation = op;
    router.add_json(k_prefix, operation, [this, operation](const Json& in) {
      try {
        validate_input("events", operation, in);
      } catch (const ApiError& e) {
        throw ApiError(e.code == "InvalidParameterException" ? "ValidationException" : e.code, e.what(), e.status);
      }
      return call(operation, in);
    });
  }
}

Json Events::call(const std::string& op, const Json& in) {
  if (op == "PutRule") return put_rule(in);
  if (op == "DescribeRule") return describe_rule(in);
  if (op == "ListRules") return list_rules(in);
  if (op == "DeleteRule") return delete_rule(in);
  if (op == "EnableRule") return set_state(in, "ENABLED");
  if (op == "DisableRule") return set_state(in, "DISABLED");
  if (op == "PutTargets") return put_targets(in);
  if (op == "ListTargetsByRule") return list_targets_by_rule(in);
  if (op == "RemoveTargets") return remove_targets(in);
  if (op == "TagResource") return tag_resource(in);
  if (op == "UntagResource") return untag_resource(in);
  if (op == "ListTagsForResource") return list_tags_for_resource(in);
  throw ApiError("UnknownOperationException", "ecsctl-local does not implement the EventBridge operation " + op);
}

std::string Events::bus_of(const Json& in) const {
  std::string bus = in.value("EventBusName", "default");
  std::string default_arn = "arn:aws:events:" + m_region + ":" + m_account + ":event-bus/default";
  if (bus != "default" && bus != default_arn)
    throw ApiError("ResourceNotFoundException", "Event bus " + bus + " does not exist.");
  return "default";
}

Json Events::require_rule(const Json& in, const char* member) {
  std::string bus = bus_of(in);
  std::string name = in.value(member, "");
  const Json* r = m_store.get(k_rules, bus + "/" + name);
  if (!r) not_found(name, bus);
  return *r;
}

void Events::schedule_next(Json& rule, double after) {
  rule["_"]["next"] = -1;
  if (rule.value("State", "") != "ENABLED" || !rule.contains("ScheduleExpression")) return;
  auto e = schedule::parse(rule["ScheduleExpression"].get<std::string>(), schedule::Flavor::events);
  rule["_"]["next"] = next_fire(e, rule["_"]["anchor"].get<double>(), after, m_factor, "");
}

Json Events::put_rule(const Json& in) {
  std::string bus = bus_of(in);
  std::string name = in["Name"];
  if (!valid_rule_name(name))
    throw ApiError("ValidationException", "1 validation error detected: Value '" + name +
                                              "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  if (!in.contains("ScheduleExpression") && !in.contains("EventPattern"))
    throw ApiError("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  if (in.contains("ScheduleExpression")) {
    try {
      schedule::parse(in["ScheduleExpression"].get<std::string>(), schedule::Flavor::events);
    } catch (const schedule::ExpressionError&) {
      throw ApiError("ValidationException", "Parameter ScheduleExpression is not valid.");
    }
  }
  if (in.contains("EventPattern")) {
    Json p = Json::parse(in["EventPattern"].get<std::string>(), nullptr, false);
    if (p.is_discarded() || !p.is_object())
      throw ApiError("InvalidEventPatternException", "Event pattern is not valid. Reason: Filter is not an object");
  }
  std::string key = bus + "/" + name;
  const Json* existing = m_store.get(k_rules, key);
  Json rule = {{"Name", name}, {"Arn", "arn:aws:events:" + m_region + ":" + m_account + ":rule/" + name}};
  for (const char* k : {"EventPattern", "ScheduleExpression"})
    if (in.contains(k)) rule[k] = in[k];
  rule["State"] = in.value("State", "ENABLED");
  for (const char* k : {"Description", "RoleArn"})
    if (in.contains(k)) rule[k] = in[k];
  rule["EventBusName"] = bus;
  rule["CreatedBy"] = m_account;
  double now = m_clock();
  rule["_"] = existing ? (*existing)["_"] : Json{{"seq", m_store.next_sequence("events")}, {"anchor", now}};
  bool restart = !existing || (*existing).value("ScheduleExpression", "") != rule.value("ScheduleExpression", "") ||
                 (*existing)["State"] != rule["State"];
  if (restart) rule["_"]["anchor"] = now;
  if (restart || !rule["_"].contains("next")) schedule_next(rule, now);
  m_store.put(k_rules, key, rule);
  if (in.contains("Tags")) tag_resource({{"ResourceARN", rule["Arn"]}, {"Tags", in["Tags"]}});
  return {{"RuleArn", rule["Arn"]}};
}

Json Events::describe_rule(const Json& in) { return strip(require_rule(in, "Name")); }

Json Events::list_rules(const Json& in) {
  std::string bus = bus_of(in);
  std::string prefix = in.value("NamePrefix", "");
  long limit = in.value("Limit", 100L);
  if (limit < 1 || limit > 100)
    throw ApiError("ValidationException", "1 validation error detected: Value '" + std::to_string(limit) +
                                              "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
  size_t start = 0;
  std::string token = in.value("NextToken", "");
  if (!token.empty()) {
    if (token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos)
      throw ApiError("ValidationException", "The NextToken provided is invalid.");
    start = std::stoul(token);
  }
  std::vector<Json> rules;
  for (const auto& [key, r] : m_store.table(k_rules))  // keys sort by name, as EventBridge lists
    if (key.rfind(bus + "/", 0) == 0 && r["Name"].get<std::string>().rfind(prefix, 0) == 0) rules.push_back(r);
  Json out = {{"Rules", Json::array()}};
  size_t i = start;
  for (; i < rules.size() && static_cast<long>(out["Rules"].size()) < limit; ++i) {
    Json r = strip(rules[i]);
    r.erase("CreatedBy");
    out["Rules"].push_back(r);
  }
  if (i < rules.size()) out["NextToken"] = std::to_string(i);
  return out;
}

Json Events::delete_rule(const Json& in) {
  std::string bus = bus_of(in);
  std::string key = bus + "/" + in["Name"].get<std::string>();
  const Json* r = m_store.get(k_rules, key);
  if (!r) return Json::object();
  const Json* targets = m_store.get(k_targets, key);
  if (targets && !targets->empty() && !in.value("Force", false))
    throw ApiError("ValidationException", "Rule can't be deleted since it has targets.");
  m_store.erase(k_tags, (*r)["Arn"].get<std::string>());
  m_store.erase(k_targets, key);
  m_store.erase(k_rules, key);
  return Json::object();
}

Json Events::set_state(const Json& in, const char* state) {
  Json rule = require_rule(in, "Name");
  if (rule["State"] == state) return Json::object();
  rule["State"] = state;
  double now = m_clock();
  rule["_"]["anchor"] = now;
  schedule_next(rule, now);
  m_store.put(k_rules, bus_of(in) + "/" + rule["Name"].get<std::string>(), rule);
  return Json::object();
}

Json Events::put_targets(const Json& in) {
  Json rule = require_rule(in, "Rule");
  std::string key = bus_of(in) + "/" + rule["Name"].get<std::string>();
  const Json& targets = in["Targets"];
  if (targets.empty() || targets.size() > 10)
    throw ApiError("ValidationException", "1 validation error detected: Value at 'targets' failed to satisfy constraint: "
                                          "Member must have length less than or equal to 10 and greater than or equal to 1");
  std::set<std::string> ids;
  for (const auto& t : targets) {
    std::string id = t["Id"];
    if (!ids.insert(id).second) throw ApiError("ValidationException", "The target Id " + id + " is duplicated.");
    if (is_ecs_cluster(t["Arn"]) && !t.contains("RoleArn"))
      throw ApiError("ValidationException", "RoleArn is required for target arn " + t["Arn"].get<std::string>() + ".");
    if (t.contains("EcsParameters") && t["EcsParameters"].value("TaskCount", 1) < 1)
      throw ApiError("ValidationException", "1 validation error detected: Value '" +
                                                std::to_string(t["EcsParameters"].value("TaskCount", 1)) +
                                                "' at 'targets.1.member.ecsParameters.taskCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
  }
  const Json* stored = m_store.get(k_targets, key);
  Json all = stored ? *stored : Json::array();
  for (const auto& t : targets) {
    auto same = std::find_if(all.begin(), all.end(), [&](const Json& x) { return x["Id"] == t["Id"]; });
    if (same != all.end()) *same = t;
    else all.push_back(t);
  }
  if (all.size() > 5) throw ApiError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
  m_store.put(k_targets, key, all);
  return {{"FailedEntryCount", 0}, {"FailedEntries", Json::array()}};
}

Json Events::list_targets_by_rule(const Json& in) {
  Json rule = require_rule(in, "Rule");
  const Json* stored = m_store.get(k_targets, bus_of(in) + "/" + rule["Name"].get<std::string>());
  return {{"Targets", stored ? *stored : Json::array()}};
}

Json Events::remove_targets(const Json& in) {
  Json rule = require_rule(in, "Rule");
  std::string key = bus_of(in) + "/" + rule["Name"].get<std::string>();
  const Json* stored = m_store.get(k_targets, key);
  Json kept = Json::array();
  for (const auto& t : stored ? *stored : Json::array())
    if (std::find(in["Ids"].begin(), in["Ids"].end(), t["Id"]) == in["Ids"].end()) kept.push_back(t);
  m_store.put(k_targets, key, kept);
  return {{"FailedEntryCount", 0}, {"FailedEntries", Json::array()}};
}

std::string Events::rule_arn_key(const std::string& arn) {
  std::string prefix = "arn:aws:events:" + m_region + ":" + m_account + ":rule/";
  std::string name = arn.rfind(prefix, 0) == 0 ? arn.substr(prefix.size()) : "";
  if (name.empty() || !m_store.get(k_rules, "default/" + name)) {
    if (name.empty()) throw ApiError("ResourceNotFoundException", "Resource " + arn + " does not exist.");
    not_found(name, "default");
  }
  return arn;
}

Json Events::tag_resource(const Json& in) {
  std::string arn = rule_arn_key(in["ResourceARN"]);
  const Json* stored = m_store.get(k_tags, arn);
  Json tags = stored ? *stored : Json::array();
  for (const auto& t : in["Tags"]) {
    auto same = std::find_if(tags.begin(), tags.end(), [&](const Json& x) { return x["Key"] == t["Key"]; });
    if (same != tags.end()) *same = t;
    else tags.push_back(t);
  }
  if (tags.size() > 50) throw ApiError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
  m_store.put(k_tags, arn, tags);
  return Json::object();
}

Json Events::untag_resource(const Json& in) {
  std::string arn = rule_arn_key(in["ResourceARN"]);
  const Json* stored = m_store.get(k_tags, arn);
  Json tags = Json::array();
  for (const auto& t : stored ? *stored : Json::array())
    if (std::find(in["TagKeys"].begin(), in["TagKeys"].end(), t["Key"]) == in["TagKeys"].end()) tags.push_back(t);
  m_store.put(k_tags, arn, tags);
  return Json::object();
}

Json Events::list_tags_for_resource(const Json& in) {
  std::string arn = rule_arn_key(in["ResourceARN"]);
  const Json* stored = m_store.get(k_tags, arn);
  return {{"Tags", stored ? *stored : Json::array()}};
}

bool Events::tick(const RunTask& run_task) {
  double now = m_clock();
  std::vector<std::string> due;
  for (const auto& [key, r] : m_store.table(k_rules)) {
    double next = r["_"].value("next", -1.0);
    if (next >= 0 && next <= now && r.value("State", "") == "ENABLED") due.push_back(key);
  }
  for (const auto& key : due) {
    Json rule = *m_store.get(k_rules, key);
    const Json* targets = m_store.get(k_targets, key);
    for (const auto& t : targets ? *targets : Json::array()) {
      if (!is_ecs_cluster(t.value("Arn", "")) || !t.contains("EcsParameters")) continue;
      try {
        Json out = run_task(run_task_input(t["Arn"], t["EcsParameters"], "events-rule/" + rule["Name"].get<std::string>()));
        rule["_"]["lastTasks"] = out.value("tasks", Json::array()).size();
        rule["_"].erase("lastError");
      } catch (const ApiError& e) {
        rule["_"]["lastError"] = e.code + ": " + e.what();
      } catch (const std::exception& e) {  // a fault must not make the schedule fire again at once
        rule["_"]["lastError"] = std::string("InternalError: ") + e.what();
      }
    }
    rule["_"]["fired"] = rule["_"].value("fired", 0L) + 1;
    // Missed fire times are not caught up (as EventBridge): the next is after now.
    schedule_next(rule, std::max(now, rule["_"]["next"].get<double>()));
    m_store.put(k_rules, key, rule);
  }
  return !due.empty();
}

}  // namespace ecsctl::local
