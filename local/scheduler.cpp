// EventBridge Scheduler: REST routing, schedules, schedule groups, firing.
#include "local/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/pyformat.hpp"
#include "schemas/model.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_schedules = "scheduler_schedules";
constexpr const char* k_groups = "scheduler_groups";

double system_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string path_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 &&
         s.find_first_not_of("-_.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == std::string::npos;
}

bool is_ecs_cluster(const std::string& arn) {
  return arn.rfind("arn:", 0) == 0 && arn.find(":ecs:") != std::string::npos && arn.find(":cluster/") != std::string::npos;
}

HttpResponse rest_error(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("x-amzn-ErrorType", code);
  // The message may quote request bytes that are not UTF-8.
  r.body = Json{{"Message", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

int status_of(const std::string& code) {
  if (code == "ResourceNotFoundException") return 404;
  if (code == "ConflictException") return 409;
  if (code == "ServiceQuotaExceededException") return 402;
  if (code == "InternalServerException") return 500;
  return 400;
}

// The operation of a REST request and its {Name} segment ("" when none).
std::pair<std::string, std::string> route(const std::string& method, const std::string& path) {
  auto split = [&](const std::string& base) -> std::optional<std::string> {
    if (path == base) return std::string();
    if (path.rfind(base + "/", 0) == 0 && path.size() > base.size() + 1) return path_decode(path.substr(base.size() + 1));
    return std::nullopt;
  };
  if (auto name = split("/schedules")) {
    if (name->empty()) return {method == "GET" ? "ListSchedules" : "", ""};
    if (method == "POST") return {"CreateSchedule", *name};
    if (method == "GET") return {"GetSchedule", *name};
    if (method == "PUT") return {"UpdateSchedule", *name};
    if (method == "DELETE") return {"DeleteSchedule", *name};
  }
  if (auto name = split("/schedule-groups")) {
    if (name->empty()) return {method == "GET" ? "ListScheduleGroups" : "", ""};
    if (method == "POST") return {"CreateScheduleGroup", *name};
    if (method == "GET") return {"GetScheduleGroup", *name};
    if (method == "DELETE") return {"DeleteScheduleGroup", *name};
  }
  return {"", ""};
}

}  // namespace

Scheduler::Scheduler(Store& store, std::string region, std::string account, double factor, std::function<double()> clock)
    : m_store(store), m_region(std::move(region)), m_account(std::move(account)), m_factor(factor),
      m_clock(clock ? std::move(clock) : system_now) {}

void Scheduler::register_operations(Router& router) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    router.add_rest(method, "/schedules", [this](const HttpRequest& r) { return handle(r); });
    router.add_rest(method, "/schedule-groups", [this](const HttpRequest& r) { return handle(r); });
  }
}

HttpResponse Scheduler::handle(const HttpRequest& r) {
  auto [operation, name] = route(r.method, r.path);
  if (operation.empty()) return rest_error(404, "UnknownOperationException", "Unknown operation " + r.method + " " + r.path);
  // Percent-decoded names and query values can be any bytes; stored state must
  // stay serialisable JSON (AWS answers these with a ValidationException too).
  bool utf8 = pyfmt::sanitize_utf8(name) == name;
  for (const auto& [k, v] : r.query) utf8 = utf8 && pyfmt::sanitize_utf8(k) == k && pyfmt::sanitize_utf8(v) == v;
  if (!utf8) return rest_error(400, "ValidationException", "The request's path or query string is not valid UTF-8.");
  const model::OperationView& view = model::view("scheduler", operation);
  Json in = r.body.empty() ? Json::object() : Json::parse(r.body, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return rest_error(400, "ValidationException", "Request body is not valid JSON.");
  static const std::vector<model::Member> k_no_members;
  for (const model::Member& m : view.input ? view.input->members : k_no_members) {
    if (m.location == "uri") in[m.name] = name;
    if (m.location != "querystring") continue;
    for (const auto& [k, v] : r.query) {
      if (k != m.wire_name(m.name)) continue;
      if (m.target().type == model::Type::integer) {
        char* end = nullptr;
        long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end) return rest_error(400, "ValidationException", "Value '" + v + "' at '" + k + "' is not a number.");
        in[m.name] = n;
      } else {
        in[m.name] = v;
      }
    }
  }
  HttpResponse out;
  out.content_type = "application/json";
  try {
    try {
      validate_input("scheduler", operation, in);
    } catch (const ApiError& e) {
      throw ApiError("ValidationException", e.what(), 400);
    }
    out.body = call(operation, in).dump();
  } catch (const ApiError& e) {
    return rest_error(status_of(e.code), e.code, e.what());
  }
  return out;
}

Json Scheduler::call(const std::string& op, const Json& in) {
  if (op == "CreateSchedule") return update_schedule(in, true);
  if (op == "UpdateSchedule") return update_schedule(in, false);
  if (op == "GetSchedule") return get_schedule(in);
  if (op == "DeleteSchedule") return delete_schedule(in);
  if (op == "ListSchedules") return list_schedules(in);
  if (op == "CreateScheduleGroup") return create_schedule_group(in);
  if (op == "GetScheduleGroup") return get_schedule_group(in);
  if (op == "ListScheduleGroups") return list_schedule_groups(in);
  if (op == "DeleteScheduleGroup") return delete_schedule_group(in);
  throw ApiError("ValidationException", "Unknown operation " + op);
}

std::string Scheduler::group_of(const Json& in) {
  std::string group = in.value("GroupName", "default");
  if (group != "default" && !m_store.get(k_groups, group))
    throw ApiError("ResourceNotFoundException", "Schedule group " + group + " does not exist.", 404);
  return group;
}

void Scheduler::schedule_next(Json& s, double after) {
  s["_"]["next"] = -1;
  if (s.value("State", "") != "ENABLED") return;
  auto e = schedule::parse(s["ScheduleExpression"].get<std::string>(), schedule::Flavor::scheduler);
  double anchor = s["_"]["anchor"].get<double>();
  if (s.contains("StartDate") && s["StartDate"].is_number()) {
    // Schedule time starts at StartDate: fire times before it do not count.
    double start_sim = s["StartDate"].get<double>();
    double start_wall = anchor + (start_sim - anchor) / m_factor;
    if (after < start_wall) after = start_wall - 0.001;
  }
  double next = next_fire(e, anchor, after, m_factor, s.value("ScheduleExpressionTimezone", ""));
  if (next >= 0 && s.contains("EndDate") && s["EndDate"].is_number()) {
    double end_wall = anchor + (s["EndDate"].get<double>() - anchor) / m_factor;
    if (next > end_wall) next = -1;
  }
  s["_"]["next"] = next;
}

Json Scheduler::update_schedule(const Json& in, bool create) {
  std::string name = in["Name"];
  if (!valid_name(name))
    throw ApiError("ValidationException", "1 validation error detected: Value '" + name +
                                              "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$");
  std::string group = group_of(in);
  std::string key = group + "/" + name;
  const Json* existing = m_store.get(k_schedules, key);
  if (create && existing) throw ApiError("ConflictException", "Schedule " + name + " already exists.", 409);
  if (!create && !existing) throw ApiError("ResourceNotFoundException", "Schedule " + name + " does not exist.", 404);
  std::string expr = in["ScheduleExpression"];
  try {
    schedule::parse(expr, schedule::Flavor::scheduler);
  } catch (const schedule::ExpressionError& e) {
    throw ApiError("ValidationException", "Invalid Schedule Expression " + expr + ". " + e.what());
  }
  std::string tz = in.value("ScheduleExpressionTimezone", "");
  if (!tz.empty() && !schedule::valid_timezone(tz))
    throw ApiError("ValidationException", "Invalid ScheduleExpressionTimezone " + tz + ".");
  const Json& window = in["FlexibleTimeWindow"];
  if (window.value("Mode", "") == "FLEXIBLE") {
    long max = window.value("MaximumWindowInMinutes", 0L);
    if (max < 1 || max > 1440)
      throw ApiError("ValidationException", "MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.");
  } else if (window.contains("MaximumWindowInMinutes")) {
    throw ApiError("ValidationException", "MaximumWindowInMinutes is not allowed when Mode is OFF.");
  }
  if (in.contains("StartDate") && in.contains("EndDate") && in["StartDate"].is_number() && in["EndDate"].is_number() &&
      in["EndDate"].get<double>() <= in["StartDate"].get<double>())
    throw ApiError("ValidationException", "The EndDate must be after the StartDate.");
  double now = m_clock();
  Json s = {{"ActionAfterCompletion", in.value("ActionAfterCompletion", "NONE")},
            {"Arn", "arn:aws:scheduler:" + m_region + ":" + m_account + ":schedule/" + group + "/" + name},
            {"CreationDate", existing ? (*existing)["CreationDate"] : Json(now)}};
  for (const char* k : {"Description", "EndDate", "KmsKeyArn", "StartDate", "ScheduleExpressionTimezone"})
    if (in.contains(k)) s[k] = in[k];
  s["FlexibleTimeWindow"] = window;
  s["GroupName"] = group;
  s["LastModificationDate"] = now;
  s["Name"] = name;
  s["ScheduleExpression"] = expr;
  s["State"] = in.value("State", "ENABLED");
  s["Target"] = in["Target"];
  s["_"] = {{"anchor", now}, {"fired", existing ? (*existing)["_"].value("fired", 0L) : 0L}};
  schedule_next(s, now);
  m_store.put(k_schedules, key, s);
  return {{"ScheduleArn", s["Arn"]}};
}

Json Scheduler::get_schedule(const Json& in) {
  std::string group = group_of(in);
  const Json* s = m_store.get(k_schedules, group + "/" + in["Name"].get<std::string>());
  if (!s) throw ApiError("ResourceNotFoundException", "Schedule " + in["Name"].get<std::string>() + " does not exist.", 404);
  return strip(*s);
}

Json Scheduler::delete_schedule(const Json& in) {
  std::string group = group_of(in);
  std::string key = group + "/" + in["Name"].get<std::string>();
  if (!m_store.get(k_schedules, key))
    throw ApiError("ResourceNotFoundException", "Schedule " + in["Name"].get<std::string>() + " does not exist.", 404);
  m_store.erase(k_schedules, key);
  return Json::object();
}

Json Scheduler::list_schedules(const Json& in) {
  std::string group = in.value("GroupName", "");
  if (!group.empty()) group_of(in);
  std::string prefix = in.value("NamePrefix", ""), state = in.value("State", "");
  long max = in.value("MaxResults", 100L);
  if (max < 1 || max > 100) throw ApiError("ValidationException", "MaxResults must be between 1 and 100.");
  size_t start = 0;
  std::string token = in.value("NextToken", "");
  if (!token.empty()) {
    if (token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos)
      throw ApiError("ValidationException", "The NextToken is not valid.");
    start = std::stoul(token);
  }
  std::vector<Json> all;
  for (const auto& [key, s] : m_store.table(k_schedules)) {
    if (!group.empty() && s["GroupName"] != group) continue;
    if (s["Name"].get<std::string>().rfind(prefix, 0) != 0 || (!state.empty() && s["State"] != state)) continue;
    all.push_back({{"Arn", s["Arn"]}, {"CreationDate", s["CreationDate"]}, {"GroupName", s["GroupName"]},
                   {"LastModificationDate", s["LastModificationDate"]}, {"Name", s["Name"]}, {"State", s["State"]},
                   {"Target", {{"Arn", s["Target"]["Arn"]}}}});
  }
  Json out = {{"Schedules", Json::array()}};
  size_t i = start;
  for (; i < all.size() && static_cast<long>(out["Schedules"].size()) < max; ++i) out["Schedules"].push_back(all[i]);
  if (i < all.size()) out["NextToken"] = std::to_string(i);
  return out;
}

Json Scheduler::create_schedule_group(const Json& in) {
  std::string name = in["Name"];
  if (!valid_name(name)) throw ApiError("ValidationException", "Schedule group name '" + name + "' is not valid.");
  if (name == "default" || m_store.get(k_groups, name))
    throw ApiError("ConflictException", "Schedule group " + name + " already exists.", 409);
  double now = m_clock();
  Json g = {{"Arn", "arn:aws:scheduler:" + m_region + ":" + m_account + ":schedule-group/" + name},
            {"CreationDate", now}, {"LastModificationDate", now}, {"Name", name}, {"State", "ACTIVE"}};
  m_store.put(k_groups, name, g);
  return {{"ScheduleGroupArn", g["Arn"]}};
}

Json Scheduler::get_schedule_group(const Json& in) {
  std::string name = in["Name"];
  if (name == "default")
    return {{"Arn", "arn:aws:scheduler:" + m_region + ":" + m_account + ":schedule-group/default"}, {"Name", "default"},
            {"State", "ACTIVE"}};
  const Json* g = m_store.get(k_groups, name);
  if (!g) throw ApiError("ResourceNotFoundException", "Schedule group " + name + " does not exist.", 404);
  return *g;
}

Json Scheduler::list_schedule_groups(const Json& in) {
  std::string prefix = in.value("NamePrefix", "");
  Json out = {{"ScheduleGroups", Json::array()}};
  Json def = get_schedule_group({{"Name", "default"}});
  if (std::string("default").rfind(prefix, 0) == 0) out["ScheduleGroups"].push_back(def);
  for (const auto& [name, g] : m_store.table(k_groups))
    if (name.rfind(prefix, 0) == 0) out["ScheduleGroups"].push_back(g);
  return out;
}

Json Scheduler::delete_schedule_group(const Json& in) {
  std::string name = in["Name"];
  if (name == "default") throw ApiError("ValidationException", "The default schedule group cannot be deleted.");
  if (!m_store.get(k_groups, name)) throw ApiError("ResourceNotFoundException", "Schedule group " + name + " does not exist.", 404);
  std::vector<std::string> doomed;
  for (const auto& [key, s] : m_store.table(k_schedules))
    if (s["GroupName"] == name) doomed.push_back(key);
  for (const auto& k : doomed) m_store.erase(k_schedules, k);
  m_store.erase(k_groups, name);
  return Json::object();
}

bool Scheduler::tick(const RunTask& run_task) {
  double now = m_clock();
  std::vector<std::string> due;
  for (const auto& [key, s] : m_store.table(k_schedules)) {
    double next = s["_"].value("next", -1.0);
    if (next >= 0 && next <= now && s.value("State", "") == "ENABLED") due.push_back(key);
  }
  for (const auto& key : due) {
    Json s = *m_store.get(k_schedules, key);
    const Json& t = s["Target"];
    if (is_ecs_cluster(t.value("Arn", "")) && t.contains("EcsParameters")) {
      try {
        Json out = run_task(run_task_input(t["Arn"], t["EcsParameters"], "chronos-schedule/" + s["Name"].get<std::string>()));
        s["_"]["lastTasks"] = out.value("tasks", Json::array()).size();
        s["_"].erase("lastError");
      } catch (const ApiError& e) {
        s["_"]["lastError"] = e.code + ": " + e.what();
      } catch (const std::exception& e) {  // a fault must not make the schedule fire again at once
        s["_"]["lastError"] = std::string("InternalError: ") + e.what();
      }
    }
    s["_"]["fired"] = s["_"].value("fired", 0L) + 1;
    schedule_next(s, std::max(now, s["_"]["next"].get<double>()));
    bool finished = s["_"]["next"].get<double>() < 0;
    if (finished && s.value("ActionAfterCompletion", "NONE") == "DELETE") m_store.erase(k_schedules, key);
    else m_store.put(k_schedules, key, s);
  }
  return !due.empty();
}

}  // namespace ecsctl::local
