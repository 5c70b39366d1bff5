// EventBridge Scheduler of the local control plane: REST routing, schedules,
// groups, rest-json errors, and firing.
#include <doctest/doctest.h>

#include "local/scheduler.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

constexpr const char* k_cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/default";

struct Fixture {
  Store store{":memory:"};
  double now = 1700000000.0;
  Scheduler scheduler{store, "us-east-1", "123456789012", k_schedule_fast_factor, [this] { return now; }};
  Router router;
  std::vector<Json> runs;
  RunTask run = [this](const Json& in) {
    runs.push_back(in);
    return Json{{"tasks", Json::array()}};
  };
  Fixture() { scheduler.register_operations(router); }

  HttpResponse send(const std::string& method, const std::string& path, const Json& body = nullptr,
                    std::vector<std::pair<std::string, std::string>> query = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    if (!body.is_null()) r.body = body.dump();
    return router.dispatch(r);
  }
  static Json schedule(const std::string& expr) {
    return {{"ScheduleExpression", expr},
            {"FlexibleTimeWindow", {{"Mode", "OFF"}}},
            {"Target", {{"Arn", k_cluster}, {"RoleArn", "arn:aws:iam::123456789012:role/r"},
                        {"EcsParameters", {{"TaskDefinitionArn", "job:3"}, {"LaunchType", "EC2"}}}}}};
  }
  static std::string error_type(const HttpResponse& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "x-amzn-ErrorType") return v;
    return "";
  }
};

}  // namespace

TEST_SUITE("scheduler") {
  TEST_CASE("create, get, update, list and delete over REST paths") {
    Fixture f;
    HttpResponse r = f.send("POST", "/schedules/nightly", Fixture::schedule("cron(0 2 * * ? *)"));
    REQUIRE(r.status == 200);
    CHECK(Json::parse(r.body)["ScheduleArn"] == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly");
    r = f.send("GET", "/schedules/nightly");
    Json got = Json::parse(r.body);
    CHECK(got["Name"] == "nightly");
    CHECK(got["GroupName"] == "default");
    CHECK(got["State"] == "ENABLED");
    CHECK(got["ActionAfterCompletion"] == "NONE");
    CHECK(got["CreationDate"] == 1700000000.0);
    CHECK(got["Target"]["EcsParameters"]["TaskDefinitionArn"] == "job:3");
    Json upd = Fixture::schedule("rate(2 hours)");
    upd["State"] = "DISABLED";
    CHECK(f.send("PUT", "/schedules/nightly", upd).status == 200);
    got = Json::parse(f.send("GET", "/schedules/nightly").body);
    CHECK(got["ScheduleExpression"] == "rate(2 hours)");
    CHECK(got["State"] == "DISABLED");
    f.send("POST", "/schedules/other", Fixture::schedule("rate(1 day)"));
    Json list = Json::parse(f.send("GET", "/schedules").body)["Schedules"];
    REQUIRE(list.size() == 2);
    CHECK(list[0]["Target"] == Json{{"Arn", k_cluster}});
    CHECK(Json::parse(f.send("GET", "/schedules", nullptr, {{"State", "DISABLED"}}).body)["Schedules"].size() == 1);
    CHECK(Json::parse(f.send("GET", "/schedules", nullptr, {{"NamePrefix", "oth"}}).body)["Schedules"].size() == 1);
    Json paged = Json::parse(f.send("GET", "/schedules", nullptr, {{"MaxResults", "1"}}).body);
    CHECK(paged["NextToken"] == "1");
    CHECK(f.send("DELETE", "/schedules/nightly").status == 200);
    CHECK(f.send("GET", "/schedules/nightly").status == 404);
  }

  TEST_CASE("rest-json errors: status, x-amzn-ErrorType and Message") {
    Fixture f;
    f.send("POST", "/schedules/a", Fixture::schedule("rate(1 minute)"));
    HttpResponse r = f.send("POST", "/schedules/a", Fixture::schedule("rate(1 minute)"));
    CHECK(r.status == 409);
    CHECK(Fixture::error_type(r) == "ConflictException");
    CHECK(Json::parse(r.body)["Message"] == "Schedule a already exists.");
    r = f.send("GET", "/schedules/zzz");
    CHECK(r.status == 404);
    CHECK(Fixture::error_type(r) == "ResourceNotFoundException");
    r = f.send("POST", "/schedules/b", Fixture::schedule("rate(1 minutes)"));
    CHECK(r.status == 400);
    CHECK(Fixture::error_type(r) == "ValidationException");
    CHECK(Json::parse(r.body)["Message"].get<std::string>().find("Invalid Schedule Expression rate(1 minutes).") == 0);
    Json tz = Fixture::schedule("cron(0 9 * * ? *)");
    tz["ScheduleExpressionTimezone"] = "Mars/Base";
    CHECK(Fixture::error_type(f.send("POST", "/schedules/c", tz)) == "ValidationException");
    Json missing = Fixture::schedule("rate(1 minute)");
    missing.erase("FlexibleTimeWindow");
    CHECK(Fixture::error_type(f.send("POST", "/schedules/d", missing)) == "ValidationException");
    Json group = Fixture::schedule("rate(1 minute)");
    group["GroupName"] = "nope";
    CHECK(f.send("POST", "/schedules/e", group).status == 404);
    CHECK(f.send("POST", "/schedules/f", Json::array()).status == 400);
    CHECK(f.send("PUT", "/schedules/zzz", Fixture::schedule("rate(1 minute)")).status == 404);
  }

  TEST_CASE("schedule groups: default always exists; others hold their schedules") {
    Fixture f;
    CHECK(Json::parse(f.send("GET", "/schedule-groups/default").body)["State"] == "ACTIVE");
    CHECK(f.send("POST", "/schedule-groups/jobs", Json::object()).status == 200);
    CHECK(f.send("POST", "/schedule-groups/jobs", Json::object()).status == 409);
    Json s = Fixture::schedule("rate(1 minute)");
    s["GroupName"] = "jobs";
    CHECK(f.send("POST", "/schedules/a", s).status == 200);
    CHECK(f.send("GET", "/schedules/a").status == 404);
    CHECK(f.send("GET", "/schedules/a", nullptr, {{"groupName", "jobs"}}).status == 200);
    CHECK(Json::parse(f.send("GET", "/schedule-groups").body)["ScheduleGroups"].size() == 2);
    CHECK(f.send("DELETE", "/schedule-groups/jobs").status == 200);
    CHECK(Json::parse(f.send("GET", "/schedules").body)["Schedules"].empty());
  }

  TEST_CASE("schedules fire with compressed time; at() fires once and can delete itself") {
    Fixture f;
    f.send("POST", "/schedules/every", Fixture::schedule("rate(1 minute)"));
    Json once = Fixture::schedule("at(2023-11-14T22:23:20)");  // 10 minutes after creation: 10 s compressed
    once["ActionAfterCompletion"] = "DELETE";
    f.send("POST", "/schedules/once", once);
    f.now += 1.01;
    CHECK(f.scheduler.tick(f.run));
    REQUIRE(f.runs.size() == 1);
    CHECK(f.runs[0]["startedBy"] == "chronos-schedule/every");
    CHECK(f.runs[0]["taskDefinition"] == "job:3");
    CHECK(f.runs[0]["count"] == 1);
    f.now += 8.9;
    f.scheduler.tick(f.run);
    CHECK(f.runs.size() == 2);
    CHECK(f.send("GET", "/schedules/once").status == 200);
    f.now += 0.2;
    f.scheduler.tick(f.run);
    CHECK(f.runs.size() == 4);
    CHECK(f.runs.back()["startedBy"] == "chronos-schedule/once");
    CHECK(f.send("GET", "/schedules/once").status == 404);
  }

  TEST_CASE("disabled schedules and end dates stop firing") {
    Fixture f;
    Json s = Fixture::schedule("rate(1 minute)");
    s["State"] = "DISABLED";
    f.send("POST", "/schedules/off", s);
    Json ended = Fixture::schedule("rate(1 minute)");
    ended["EndDate"] = 1700000000.0 + 90;  // schedule time: one fire at +60
    f.send("POST", "/schedules/ended", ended);
    for (int i = 0; i < 5; ++i) {
      f.now += 1.0;
      f.scheduler.tick(f.run);
    }
    REQUIRE(f.runs.size() == 1);
    CHECK(f.runs[0]["startedBy"] == "chronos-schedule/ended");
  }
}
