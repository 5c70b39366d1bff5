// CloudWatch Logs of the local control plane: filter patterns, GetLogEvents
// tokens, FilterLogEvents paging, the per-stream bound and the append API.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>

#include "local/ecs.hpp"
#include "local/events_services.hpp"
#include "local/logs.hpp"
#include "local/logs_ecs.hpp"
#include "local/logs_filter.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

constexpr long long k_now = 1700000000000LL;

struct Fixture {
  Store store{":memory:"};
  long long now = k_now;
  Logs logs{store, "us-east-1", "123456789012", [this] { return now; }};

  Json call(const std::string& op, const Json& in) { return logs.call(op, in); }
  std::string error_of(const std::string& op, const Json& in) {
    try {
      call(op, in);
    } catch (const ApiError& e) {
      return e.code + ": " + e.what();
    }
    return "(none)";
  }
  void put(const std::string& stream, std::vector<std::pair<long long, std::string>> events, const std::string& group = "g") {
    Json evs = Json::array();
    for (auto& [t, m] : events) evs.push_back({{"timestamp", t}, {"message", m}});
    call("PutLogEvents", {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", evs}});
  }
  std::vector<std::string> messages(const Json& out) {
    std::vector<std::string> v;
    for (const auto& e : out["events"]) v.push_back(e["message"]);
    return v;
  }
};

Json with(Json j, const char* key, Json value) {
  j[key] = std::move(value);
  return j;
}

bool match(const char* pattern, const char* message) {
  return logs::FilterPattern::parse(pattern).matches(message);
}

}  // namespace

TEST_CASE("filter patterns: terms, phrases, ?any, -exclusions and %regex%") {
  CHECK(match("", "anything"));
  CHECK(match("   ", "anything"));
  CHECK(match("ERROR", "[ERROR] 400 bad request"));
  CHECK_FALSE(match("ERROR", "[error] lower case"));  // case-sensitive
  CHECK(match("ERROR 400", "[ERROR] 400 bad request"));
  CHECK_FALSE(match("ERROR 401", "[ERROR] 400 bad request"));
  CHECK(match("\"bad request\"", "[ERROR] 400 bad request"));
  CHECK_FALSE(match("\"request bad\"", "[ERROR] 400 bad request"));
  CHECK(match("\"say \\\"hi\\\"\"", "they say \"hi\" twice"));
  CHECK(match("?ERROR ?WARN", "WARN disk 91%"));
  CHECK_FALSE(match("?ERROR ?WARN", "INFO ok"));
  CHECK(match("ERROR -healthcheck", "ERROR user 7"));
  CHECK_FALSE(match("ERROR -healthcheck", "ERROR healthcheck failed"));
  CHECK_FALSE(match("-\"GET /health\"", "GET /health 200"));
  CHECK(match("%5[0-9][0-9]%", "status=503"));
  CHECK_FALSE(match("%5[0-9][0-9]%", "status=404"));
  CHECK(match("\"\"", "empty phrase matches all"));

  CHECK_THROWS_AS(logs::FilterPattern::parse("{ $.level = \"error\" }"), logs::FilterError);
  CHECK_THROWS_AS(logs::FilterPattern::parse("[ip, user]"), logs::FilterError);
  CHECK_THROWS_AS(logs::FilterPattern::parse("\"unterminated"), logs::FilterError);
  CHECK_THROWS_AS(logs::FilterPattern::parse("%(unclosed%"), logs::FilterError);
  CHECK_THROWS_AS(logs::FilterPattern::parse("? alone"), logs::FilterError);
}

TEST_CASE("GetLogEvents tokens round-trip and refuse other text") {
  std::string f = logs::format_token({true, 42});
  CHECK(f.size() == 60);
  CHECK(f.rfind("f/", 0) == 0);
  CHECK(f.substr(f.size() - 2) == "/s");
  auto t = logs::parse_token(f);
  REQUIRE(t);
  CHECK(t->forward);
  CHECK(t->index == 42);
  auto b = logs::parse_token(logs::format_token({false, 0}));
  REQUIRE(b);
  CHECK_FALSE(b->forward);
  CHECK(b->index == 0);
  CHECK_FALSE(logs::parse_token("f/42/s"));
  CHECK_FALSE(logs::parse_token("x" + f.substr(1)));
  CHECK_FALSE(logs::parse_token(f.substr(0, 58) + "/x"));
}

TEST_CASE("groups and streams: create, describe, errors as CloudWatch Logs") {
  Fixture fx;
  CHECK(fx.error_of("DescribeLogStreams", {{"logGroupName", "g"}}) ==
        "ResourceNotFoundException: The specified log group does not exist.");
  fx.call("CreateLogGroup", {{"logGroupName", "g"}});
  CHECK(fx.error_of("CreateLogGroup", {{"logGroupName", "g"}}) ==
        "ResourceAlreadyExistsException: The specified log group already exists");
  CHECK(fx.error_of("CreateLogGroup", {{"logGroupName", "bad name"}}).rfind("InvalidParameterException: 1 validation error", 0) == 0);
  CHECK(fx.error_of("CreateLogStream", {{"logGroupName", "nope"}, {"logStreamName", "s"}}) ==
        "ResourceNotFoundException: The specified log group does not exist.");
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "web/app/1"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "web/app/2"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "worker/1"}});
  CHECK(fx.error_of("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "worker/1"}}) ==
        "ResourceAlreadyExistsException: The specified log stream already exists");
  CHECK(fx.error_of("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "a:b"}}).find("[^:*]*") != std::string::npos);

  Json groups = fx.call("DescribeLogGroups", Json::object());
  REQUIRE(groups["logGroups"].size() == 1);
  CHECK(groups["logGroups"][0]["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:g:*");
  CHECK(groups["logGroups"][0]["logGroupArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:g");
  CHECK(groups["logGroups"][0]["creationTime"] == k_now);
  CHECK_FALSE(groups["logGroups"][0].contains("_"));

  Json streams = fx.call("DescribeLogStreams", {{"logGroupName", "g"}, {"logStreamNamePrefix", "web/"}});
  REQUIRE(streams["logStreams"].size() == 2);
  CHECK(streams["logStreams"][0]["logStreamName"] == "web/app/1");
  CHECK(streams["logStreams"][0]["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:web/app/1");
  Json page = fx.call("DescribeLogStreams", {{"logGroupName", "g"}, {"limit", 2}});
  CHECK(page["logStreams"].size() == 2);
  REQUIRE(page.contains("nextToken"));
  Json rest = fx.call("DescribeLogStreams", {{"logGroupName", "g"}, {"limit", 2}, {"nextToken", page["nextToken"]}});
  REQUIRE(rest["logStreams"].size() == 1);
  CHECK(rest["logStreams"][0]["logStreamName"] == "worker/1");
  CHECK_FALSE(rest.contains("nextToken"));
  CHECK(fx.error_of("DescribeLogStreams", {{"logGroupName", "g"}, {"orderBy", "LastEventTime"}, {"logStreamNamePrefix", "w"}}) ==
        "InvalidParameterException: Cannot order by LastEventTime with a logStreamNamePrefix.");
  // By ARN (logGroupIdentifier), with or without the ":*".
  CHECK(fx.call("DescribeLogStreams", {{"logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}})["logStreams"].size() == 3);

  fx.call("DeleteLogGroup", {{"logGroupName", "g"}});
  CHECK(fx.error_of("DeleteLogGroup", {{"logGroupName", "g"}}) ==
        "ResourceNotFoundException: The specified log group does not exist.");
  CHECK(fx.store.table("logs_streams").empty());
}

TEST_CASE("PutLogEvents checks order and span and reports rejected events") {
  Fixture fx;
  fx.call("CreateLogGroup", {{"logGroupName", "g"}});
  CHECK(fx.error_of("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", {{{"timestamp", k_now}, {"message", "x"}}}}}) ==
        "ResourceNotFoundException: The specified log stream does not exist.");
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  CHECK(fx.error_of("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                     {"logEvents", {{{"timestamp", k_now}, {"message", "b"}}, {{"timestamp", k_now - 1}, {"message", "a"}}}}}) ==
        "InvalidParameterException: Log events in a single PutLogEvents request must be in chronological order.");
  CHECK(fx.error_of("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                     {"logEvents", {{{"timestamp", k_now - 25 * 3600 * 1000LL}, {"message", "a"}}, {{"timestamp", k_now}, {"message", "b"}}}}}) ==
        "InvalidParameterException: The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  Json old = fx.call("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                      {"logEvents", {{{"timestamp", k_now - 15 * 24 * 3600 * 1000LL}, {"message", "old"}},
                                                     {{"timestamp", k_now - 15 * 24 * 3600 * 1000LL + 1}, {"message", "old2"}}}}});
  CHECK(old["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"] == 1);
  CHECK_FALSE(old["rejectedLogEventsInfo"].contains("tooNewLogEventStartIndex"));
  Json out = fx.call("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                      {"logEvents", {{{"timestamp", k_now}, {"message", "ok"}},
                                                     {{"timestamp", k_now + 3 * 3600 * 1000LL}, {"message", "new"}}}}});
  CHECK(out["rejectedLogEventsInfo"]["tooNewLogEventStartIndex"] == 1);
  CHECK_FALSE(out["rejectedLogEventsInfo"].contains("tooOldLogEventEndIndex"));
  CHECK(out["nextSequenceToken"].get<std::string>().size() == 56);
  Json got = fx.call("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  CHECK(fx.messages(got) == std::vector<std::string>{"ok"});
  Json s = fx.call("DescribeLogStreams", {{"logGroupName", "g"}})["logStreams"][0];
  CHECK(s["firstEventTimestamp"] == k_now);
  CHECK(s["lastEventTimestamp"] == k_now);
  CHECK(s["lastIngestionTime"] == k_now);
}

TEST_CASE("GetLogEvents: startFromHead, forward and backward tokens as CloudWatch") {
  Fixture fx;
  fx.call("CreateLogGroup", {{"logGroupName", "g"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  std::vector<std::pair<long long, std::string>> evs;
  for (int i = 0; i < 5; ++i) evs.emplace_back(k_now + i, "e" + std::to_string(i));
  fx.put("s", evs);
  Json in = {{"logGroupName", "g"}, {"logStreamName", "s"}, {"limit", 2}};

  // Without a token and startFromHead: the newest events.
  Json tail = fx.call("GetLogEvents", in);
  CHECK(fx.messages(tail) == std::vector<std::string>{"e3", "e4"});
  // Forward from the end: nothing new, and the same token back.
  Json fwd = fx.call("GetLogEvents", with(in, "nextToken", tail["nextForwardToken"]));
  CHECK(fwd["events"].empty());
  CHECK(fwd["nextForwardToken"] == tail["nextForwardToken"]);
  // Backward from the first returned: the events before it.
  Json back = fx.call("GetLogEvents", with(in, "nextToken", tail["nextBackwardToken"]));
  CHECK(fx.messages(back) == std::vector<std::string>{"e1", "e2"});
  Json back2 = fx.call("GetLogEvents", with(in, "nextToken", back["nextBackwardToken"]));
  CHECK(fx.messages(back2) == std::vector<std::string>{"e0"});
  Json back3 = fx.call("GetLogEvents", with(in, "nextToken", back2["nextBackwardToken"]));
  CHECK(back3["events"].empty());
  CHECK(back3["nextBackwardToken"] == back2["nextBackwardToken"]);

  // From the head, forward page by page; new events appear on the next read.
  Json head = fx.call("GetLogEvents", with(in, "startFromHead", true));
  CHECK(fx.messages(head) == std::vector<std::string>{"e0", "e1"});
  Json next = fx.call("GetLogEvents", with(in, "nextToken", head["nextForwardToken"]));
  CHECK(fx.messages(next) == std::vector<std::string>{"e2", "e3"});
  fx.put("s", {{k_now + 10, "e5"}});
  Json more = fx.call("GetLogEvents", with(in, "nextToken", next["nextForwardToken"]));
  CHECK(fx.messages(more) == std::vector<std::string>{"e4", "e5"});

  // startTime/endTime: [start, end).
  Json window = fx.call("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"startFromHead", true},
                                         {"startTime", k_now + 1}, {"endTime", k_now + 3}});
  CHECK(fx.messages(window) == std::vector<std::string>{"e1", "e2"});
  CHECK(fx.error_of("GetLogEvents", with(in, "nextToken", "f/garbage")) ==
        "InvalidParameterException: The specified nextToken is invalid.");
}

TEST_CASE("FilterLogEvents merges streams by time, filters, and pages with nextToken") {
  Fixture fx;
  fx.call("CreateLogGroup", {{"logGroupName", "g"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "web/a"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "web/b"}});
  fx.call("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "job/c"}});
  fx.put("web/a", {{k_now + 1, "GET / 200"}, {k_now + 4, "GET /health 200"}});
  fx.put("web/b", {{k_now + 2, "GET /x 500 ERROR"}, {k_now + 3, "POST /y 201"}});
  fx.put("job/c", {{k_now + 0, "ERROR job failed"}});

  Json all = fx.call("FilterLogEvents", {{"logGroupName", "g"}});
  CHECK(fx.messages(all) == std::vector<std::string>{"ERROR job failed", "GET / 200", "GET /x 500 ERROR", "POST /y 201", "GET /health 200"});
  CHECK(all["events"][1]["logStreamName"] == "web/a");
  CHECK(all["events"][1]["eventId"].get<std::string>().size() == 56);
  CHECK_FALSE(all.contains("nextToken"));

  Json web = fx.call("FilterLogEvents", {{"logGroupName", "g"}, {"logStreamNamePrefix", "web/"}, {"filterPattern", "GET -health"}});
  CHECK(fx.messages(web) == std::vector<std::string>{"GET / 200", "GET /x 500 ERROR"});
  Json named = fx.call("FilterLogEvents", {{"logGroupName", "g"}, {"logStreamNames", {"job/c", "nope"}}, {"filterPattern", "\"job failed\""}});
  CHECK(fx.messages(named) == std::vector<std::string>{"ERROR job failed"});
  Json timed = fx.call("FilterLogEvents", {{"logGroupName", "g"}, {"startTime", k_now + 2}, {"endTime", k_now + 4}});
  CHECK(fx.messages(timed) == std::vector<std::string>{"GET /x 500 ERROR", "POST /y 201"});

  std::vector<std::string> paged;
  Json in = {{"logGroupName", "g"}, {"limit", 2}};
  for (int i = 0; i < 10; ++i) {
    Json out = fx.call("FilterLogEvents", in);
    for (auto& m : fx.messages(out)) paged.push_back(m);
    if (!out.contains("nextToken")) break;
    in["nextToken"] = out["nextToken"];
  }
  CHECK(paged == fx.messages(all));

  CHECK(fx.error_of("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "{ $.a = 1 }"}}).rfind("InvalidParameterException: Invalid filter pattern", 0) == 0);
  CHECK(fx.error_of("FilterLogEvents", {{"logGroupName", "g"}, {"logStreamNames", {"a"}}, {"logStreamNamePrefix", "w"}}).rfind("InvalidParameterException", 0) == 0);
  CHECK(fx.error_of("FilterLogEvents", {{"logGroupName", "nope"}}) == "ResourceNotFoundException: The specified log group does not exist.");
  CHECK(fx.error_of("FilterLogEvents", {{"logGroupName", "g"}, {"nextToken", "zz"}}) ==
        "InvalidParameterException: The specified nextToken is invalid.");
}

TEST_CASE("append: creates group and stream like the awslogs driver, and bounds each stream") {
  Fixture fx;
  CHECK_FALSE(fx.logs.append("/ecs/app", "app/web/1", k_now, "hello", false));
  CHECK_FALSE(fx.logs.has_group("/ecs/app"));
  CHECK(fx.logs.append("/ecs/app", "app/web/1", k_now, "hello", true));
  CHECK(fx.logs.has_group("/ecs/app"));
  CHECK(fx.logs.append("/ecs/app", "app/web/1", k_now + 1, "again", false));  // the group exists now
  Json got = fx.call("GetLogEvents", {{"logGroupName", "/ecs/app"}, {"logStreamName", "app/web/1"}, {"startFromHead", true}});
  CHECK(fx.messages(got) == std::vector<std::string>{"hello", "again"});

  // Container output is bytes: what is not UTF-8 is replaced, and the state can still be written.
  CHECK(fx.logs.append("/ecs/app", "app/web/2", k_now, "bad \xff byte"));
  fx.store.commit();
  Json bad = fx.call("GetLogEvents", {{"logGroupName", "/ecs/app"}, {"logStreamName", "app/web/2"}});
  CHECK(fx.messages(bad) == std::vector<std::string>{"bad \xef\xbf\xbd byte"});

  // Past the bound the oldest chunk goes; the newest events stay readable.
  std::vector<Logs::Event> many;
  for (long long i = 0; i < Logs::k_stream_events + Logs::k_chunk_events; ++i) many.push_back({k_now + 2 + i, "m" + std::to_string(i)});
  fx.logs.append("/ecs/app", "app/web/1", std::move(many));
  long long kept = 0;
  for (const auto& [key, chunk] : fx.store.table("logs_events")) kept += static_cast<long long>(chunk.size());
  CHECK(kept <= Logs::k_stream_events);
  CHECK(kept > Logs::k_stream_events - Logs::k_chunk_events);
  Json last = fx.call("GetLogEvents", {{"logGroupName", "/ecs/app"}, {"logStreamName", "app/web/1"}, {"limit", 1}});
  CHECK(fx.messages(last) == std::vector<std::string>{"m" + std::to_string(Logs::k_stream_events + Logs::k_chunk_events - 1)});
  Json first = fx.call("GetLogEvents", {{"logGroupName", "/ecs/app"}, {"logStreamName", "app/web/1"}, {"limit", 1}, {"startFromHead", true}});
  CHECK(fx.messages(first) != std::vector<std::string>{"hello"});
  // A stale token from before the drop reads from the oldest kept event.
  Json stale = fx.call("GetLogEvents", {{"logGroupName", "/ecs/app"}, {"logStreamName", "app/web/1"}, {"limit", 1},
                                        {"nextToken", logs::format_token({true, 0})}});
  CHECK(fx.messages(stale) == fx.messages(first));
}

TEST_CASE("Logs state survives a reopen of the store") {
  std::string path = "/tmp/ecsctl-test-logs-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  {
    Store store(path);
    Logs logs(store, "us-east-1", "123456789012", [] { return k_now; });
    logs.append("g", "s", k_now, "durable line");
    store.commit();
  }
  {
    Store store(path);
    Logs logs(store, "us-east-1", "123456789012", [] { return k_now; });
    Json got = logs.call("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}});
    REQUIRE(got["events"].size() == 1);
    CHECK(got["events"][0]["message"] == "durable line");
  }
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

TEST_CASE("the plane: Logs routed, unknown operations named, simulated containers write their lines") {
  Store store(":memory:");
  Ecs ecs(store, "us-east-1", "123456789012", Pace::fast);
  Router router;
  ExtraServices extra(store, ecs, router, "us-east-1", "123456789012", Pace::fast);
  connect_simulated_logs(ecs, store, extra.logs());  // as local/server.cpp does for the simulated runtime
  auto json_call = [&](const std::string& target, const Json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/";
    r.headers = {{"X-Amz-Target", target}, {"Content-Type", "application/x-amz-json-1.1"}};
    r.body = body.dump();
    return router.dispatch(r);
  };
  HttpResponse missing = json_call("Logs_20140328.FilterLogEvents", {{"logGroupName", "/nope"}});
  CHECK(missing.status == 400);
  CHECK(Json::parse(missing.body)["__type"] == "ResourceNotFoundException");
  HttpResponse limit = json_call("Logs_20140328.DescribeLogGroups", {{"limit", 51}});
  CHECK(Json::parse(limit.body)["__type"] == "InvalidParameterException");
  Json unknown = Json::parse(json_call("Logs_20140328.StartQuery", Json::object()).body);
  CHECK(unknown["__type"] == "UnknownOperationException");
  CHECK(unknown["message"].get<std::string>().find("StartQuery") != std::string::npos);
  Json other = Json::parse(json_call("Bogus_2020.Op", Json::object()).body);
  CHECK(other["message"].get<std::string>().find("Bogus_2020.Op") != std::string::npos);
  HttpRequest rest;
  rest.method = "GET";
  rest.path = rest.target = "/nothing/here";
  HttpResponse none = router.dispatch(rest);
  CHECK(none.status == 404);
  CHECK_FALSE(Json::parse(none.body)["message"].get<std::string>().empty());

  ecs.create_cluster({{"clusterName", "c"}});
  Json lc = {{"logDriver", "awslogs"}, {"options", {{"awslogs-group", "/ecs/job"}, {"awslogs-stream-prefix", "p"},
                                                    {"awslogs-create-group", "true"}}}};
  ecs.register_task_definition({{"family", "job"}, {"networkMode", "awsvpc"}, {"requiresCompatibilities", {"FARGATE"}},
                                {"cpu", "256"}, {"memory", "512"},
                                {"containerDefinitions", {{{"name", "main"}, {"image", "ecsctl/exit:4"}, {"essential", true},
                                                           {"logConfiguration", lc}}}}});
  Json run = ecs.run_task({{"cluster", "c"}, {"taskDefinition", "job"}, {"launchType", "FARGATE"},
                           {"networkConfiguration", {{"awsvpcConfiguration", {{"subnets", {"subnet-1"}}}}}}});
  std::string arn = run["tasks"][0]["taskArn"];
  for (int i = 0; i < 400 && (*store.get("tasks", arn))["lastStatus"] != "STOPPED"; ++i) {
    ecs.tick();
    usleep(5000);
  }
  REQUIRE((*store.get("tasks", arn))["lastStatus"] == "STOPPED");
  std::string stream = "p/main/" + arn.substr(arn.rfind('/') + 1);
  Json got = extra.logs().call("GetLogEvents", {{"logGroupName", "/ecs/job"}, {"logStreamName", stream}, {"startFromHead", true}});
  REQUIRE(got["events"].size() == 2);  // awslogs-create-group "true": no note about a missing group
  CHECK(got["events"][0]["message"] ==
        "[ecsctl-local simulated runtime] container main started (image ecsctl/exit:4); this is a simulation: no process "
        "runs, so the container writes no output of its own");
  CHECK(got["events"][1]["message"] ==
        "[ecsctl-local simulated runtime] container main stopped with exit code 4 (Essential container in task exited)");
}
