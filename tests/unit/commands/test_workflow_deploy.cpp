// deploy, scale, rollback and the deployment judge, against a fake ECS.
#include <doctest/doctest.h>

#include "commands/workflow_deploy.hpp"
#include "commands/workflow_taskdef.hpp"
#include "workflow_fake.hpp"

using namespace ecsctl;
using namespace ecsctl::commands::workflow;

namespace {

const std::string k_arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:";

Json taskdef(int rev, const std::string& image) {
  return {{"taskDefinitionArn", k_arn + std::to_string(rev)},
          {"containerDefinitions",
           {{{"name", "app"}, {"image", image}, {"cpu", 0}, {"essential", true},
             {"portMappings", {{{"containerPort", 80}, {"hostPort", 80}, {"protocol", "tcp"}}}},
             {"environment", Json::array()}, {"mountPoints", Json::array()}}}},
          {"family", "app"},
          {"networkMode", "awsvpc"},
          {"revision", rev},
          {"status", "ACTIVE"},
          {"requiresCompatibilities", {"FARGATE"}},
          {"cpu", "256"},
          {"memory", "512"}};
}

Json deployment(const std::string& status, int rev, const std::string& rollout, long running, long desired,
                long failed = 0, const std::string& reason = {}) {
  Json d = {{"id", "ecs-svc/" + std::to_string(rev)}, {"status", status}, {"taskDefinition", k_arn + std::to_string(rev)},
            {"desiredCount", desired}, {"pendingCount", desired - running}, {"runningCount", running},
            {"failedTasks", failed}, {"rolloutState", rollout}};
  if (!reason.empty()) d["rolloutStateReason"] = reason;
  return d;
}

// A vector, not a Json: `{deployment(...)}` as a Json is a one-element array in
// g++ but a copy of the element in clang (CWG 2137).
Json service(int rev, std::vector<Json> deployments, Json events = Json::array(), bool breaker = true) {
  long running = 0, desired = 2;
  for (auto& d : deployments) running += d["runningCount"].get<long>();
  return {{"serviceName", "api"},
          {"status", "ACTIVE"},
          {"taskDefinition", k_arn + std::to_string(rev)},
          {"desiredCount", desired},
          {"runningCount", running},
          {"deploymentConfiguration", {{"deploymentCircuitBreaker", {{"enable", breaker}, {"rollback", true}}}}},
          {"deployments", Json(deployments)},
          {"events", events}};
}

// A fake ECS with task-definition revisions and a scripted sequence of
// DescribeServices answers after the UpdateService call.
struct Scenario {
  test::Harness h;
  std::vector<Json> revisions{taskdef(1, "repo/app:1")};
  std::vector<Json> after_update;
  std::size_t next = 0;
  bool updated = false;
  int throttle_once = 0;

  Scenario() {
    auto& hd = h.aws.handlers;
    hd["DescribeServices"] = [this](const Json&) -> Json {
      if (throttle_once > 0 && updated) {
        --throttle_once;
        throw ServiceError("ThrottlingException", "Rate exceeded", "DescribeServices", 400, "req-1");
      }
      if (!updated || after_update.empty())
        return {{"services", {service(1, {deployment("PRIMARY", 1, "COMPLETED", 2, 2)})}}, {"failures", Json::array()}};
      Json s = after_update[std::min(next, after_update.size() - 1)];
      ++next;
      return {{"services", {s}}, {"failures", Json::array()}};
    };
    hd["DescribeTaskDefinition"] = [this](const Json& in) -> Json {
      std::string name = in["taskDefinition"];
      for (auto& r : revisions)
        if (r["taskDefinitionArn"] == name || "app:" + std::to_string(r["revision"].get<int>()) == name)
          return {{"taskDefinition", r}};
      if (name == "app") return {{"taskDefinition", revisions.back()}};
      throw ServiceError("ClientException", "Unable to describe task definition.", "DescribeTaskDefinition", 400, "r");
    };
    hd["RegisterTaskDefinition"] = [this](const Json& in) -> Json {
      Json td = in;
      int rev = static_cast<int>(revisions.size()) + 1;
      td["taskDefinitionArn"] = k_arn + std::to_string(rev);
      td["revision"] = rev;
      td["status"] = "ACTIVE";
      revisions.push_back(td);
      return {{"taskDefinition", td}};
    };
    hd["UpdateService"] = [this](const Json&) -> Json {
      updated = true;
      return {{"service", service(2, Json::array())}};
    };
    hd["ListTasks"] = [](const Json&) -> Json { return {{"taskArns", Json::array()}}; };
    hd["ListTaskDefinitions"] = [this](const Json&) -> Json {
      Json arns = Json::array();
      for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) arns.push_back((*it)["taskDefinitionArn"]);
      return {{"taskDefinitionArns", arns}};
    };
    hd["DeregisterTaskDefinition"] = [](const Json& in) -> Json { return {{"taskDefinition", {{"taskDefinitionArn", in["taskDefinition"]}}}}; };
  }
};

}  // namespace

TEST_SUITE("evaluate_deployment") {
  TEST_CASE("COMPLETED rollout of the target is done") {
    auto st = evaluate_deployment(service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)}), k_arn + "2");
    CHECK(st.phase == DeployPhase::completed);
    CHECK(st.summary.find("app:2 COMPLETED running 2/2") != std::string::npos);
  }
  TEST_CASE("two deployments with the new one still starting is in progress") {
    auto st = evaluate_deployment(
        service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 1, 2), deployment("ACTIVE", 1, "COMPLETED", 2, 2)}), "app:2");
    CHECK(st.phase == DeployPhase::in_progress);
    CHECK(st.running == 1);
    CHECK(st.summary.find("2 deployments") != std::string::npos);
  }
  TEST_CASE("a PRIMARY on another revision is a circuit-breaker rollback, with the failed deployment's reason") {
    auto st = evaluate_deployment(
        service(1, {deployment("PRIMARY", 1, "IN_PROGRESS", 2, 2),
                    deployment("ACTIVE", 2, "FAILED", 0, 2, 3, "ECS deployment circuit breaker: tasks failed to start.")}),
        k_arn + "2");
    CHECK(st.phase == DeployPhase::rolled_back);
    CHECK(st.reason == "ECS deployment circuit breaker: tasks failed to start.");
  }
  TEST_CASE("rolloutState FAILED fails") {
    auto st = evaluate_deployment(service(2, {deployment("PRIMARY", 2, "FAILED", 0, 2, 2, "tasks failed")}), "app:2");
    CHECK(st.phase == DeployPhase::failed);
    CHECK(st.reason == "tasks failed");
  }
  TEST_CASE("without a circuit breaker, as many failed tasks as desired and none running fails") {
    Json s = service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2, 2)}, Json::array(), false);
    CHECK(evaluate_deployment(s, "app:2").phase == DeployPhase::failed);
    Json with_breaker = service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2, 2)});
    CHECK(evaluate_deployment(with_breaker, "app:2").phase == DeployPhase::in_progress);
  }
  TEST_CASE("steady_only ignores a COMPLETED rollout until the counts match") {
    Json s = service(1, {deployment("PRIMARY", 1, "COMPLETED", 2, 4)});
    CHECK(evaluate_deployment(s, "app:1", true).phase == DeployPhase::in_progress);
    CHECK(evaluate_deployment(s, "app:1", false).phase == DeployPhase::completed);
  }
}

TEST_SUITE("deploy") {
  TEST_CASE("--image registers a revision, updates the service and waits for completion") {
    Scenario s;
    s.after_update = {service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2), deployment("ACTIVE", 1, "COMPLETED", 2, 2)}),
                      service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 1, 2), deployment("ACTIVE", 1, "COMPLETED", 1, 2)},
                              {{{"id", "e1"}, {"message", "(service api) has started 1 tasks"}}}),
                      service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
    std::string msg;
    int code = s.h.run("deploy", {"api", "--cluster", "web", "--image", "app=repo/app:2"}, &msg);
    INFO(msg, s.h.err.str());
    CHECK(code == 0);
    auto reg = s.h.aws.inputs("RegisterTaskDefinition");
    REQUIRE(reg.size() == 1);
    CHECK(reg[0]["containerDefinitions"][0]["image"] == "repo/app:2");
    CHECK_FALSE(reg[0].contains("taskDefinitionArn"));
    auto upd = s.h.aws.inputs("UpdateService");
    REQUIRE(upd.size() == 1);
    CHECK(upd[0]["taskDefinition"] == k_arn + "2");
    CHECK(upd[0]["cluster"] == "web");
    CHECK(Json::parse(s.h.out.str())["service"]["taskDefinition"] == k_arn + "2");
    CHECK(s.h.err.str().find("has started 1 tasks") != std::string::npos);
    CHECK(s.h.aws.slept >= 2);
  }

  TEST_CASE("an identical latest revision is reused, not registered again") {
    Scenario s;
    s.revisions.push_back(taskdef(2, "repo/app:2"));
    s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("deploy", {"api", "--image", "app=repo/app:2"}) == 0);
    CHECK(s.h.aws.inputs("RegisterTaskDefinition").empty());
    CHECK(s.h.aws.inputs("UpdateService").at(0)["taskDefinition"] == k_arn + "2");
  }

  TEST_CASE("a circuit-breaker rollback exits 5 with the reason") {
    Scenario s;
    s.after_update = {service(1, {deployment("PRIMARY", 1, "IN_PROGRESS", 2, 2),
                                  deployment("ACTIVE", 2, "FAILED", 0, 2, 3, "ECS deployment circuit breaker: tasks failed to start.")})};
    std::string msg;
    CHECK(s.h.run("deploy", {"api", "--tag", "2"}, &msg) == 5);
    CHECK(msg.find("rolled back") != std::string::npos);
    CHECK(msg.find("tasks failed to start") != std::string::npos);
    CHECK(msg.find("registered app:2") != std::string::npos);  // what was done
  }

  TEST_CASE("a stall exits 4; with --rollback-on-failure it rolls back and exits 5") {
    Scenario s;
    s.after_update = {service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2), deployment("ACTIVE", 1, "COMPLETED", 2, 2)})};
    std::string msg;
    SUBCASE("stall") {
      CHECK(s.h.run("deploy", {"api", "--tag", "2", "--stall-timeout", "30s"}, &msg) == 4);
      CHECK(msg.find("stalled") != std::string::npos);
      CHECK(s.h.aws.inputs("UpdateService").size() == 1);
      CHECK(s.h.aws.clock >= 30);
      CHECK(s.h.aws.clock < 60);
    }
    SUBCASE("rollback") {
      // After the rollback UpdateService, the service is back on app:1.
      s.h.aws.handlers["UpdateService"] = [&s](const Json& in) -> Json {
        s.updated = true;
        if (in["taskDefinition"] == k_arn + "1") s.after_update = {service(1, {deployment("PRIMARY", 1, "COMPLETED", 2, 2)})};
        return Json::object();
      };
      CHECK(s.h.run("deploy", {"api", "--tag", "2", "--stall-timeout", "30s", "--rollback-on-failure"}, &msg) == 5);
      auto upd = s.h.aws.inputs("UpdateService");
      REQUIRE(upd.size() == 2);
      CHECK(upd[1]["taskDefinition"] == k_arn + "1");
      CHECK(msg.find("rolled the service back to app:1") != std::string::npos);
    }
  }

  TEST_CASE("a stall names the newest events and an older one that explains it") {
    Scenario s;
    Json events = Json::array();
    for (int i = 0; i < 6; ++i)
      events.push_back({{"id", "n" + std::to_string(i)}, {"message", "(service api) has started 1 tasks: (task t" + std::to_string(i) + ")."}});
    events.push_back({{"id", "old"}, {"message", "(service api) was unable to place a task because no container instance met all of its requirements."}});
    s.after_update = {service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2), deployment("ACTIVE", 1, "COMPLETED", 2, 2)}, events)};
    std::string msg;
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--stall-timeout", "30s"}, &msg) == 4);
    CHECK(msg.find("recent events") != std::string::npos);
    CHECK(msg.find("(task t0)") != std::string::npos);
    CHECK(msg.find("(task t5)") == std::string::npos);  // the sixth newest is not needed
    CHECK(msg.find("unable to place a task") != std::string::npos);
  }

  TEST_CASE("throttling during the wait is ridden out") {
    Scenario s;
    s.throttle_once = 2;
    s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("deploy", {"api", "--tag", "2"}) == 0);
    CHECK(s.h.err.str().find("throttled") != std::string::npos);
  }

  TEST_CASE("--timeout exits 4 and says the deployment goes on") {
    Scenario s;
    s.after_update = {service(2, {deployment("PRIMARY", 2, "IN_PROGRESS", 0, 2)})};
    std::string msg;
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--timeout", "10s"}, &msg) == 4);
    CHECK(msg.find("timed out after 10s") != std::string::npos);
    CHECK(msg.find("ECS carries on") != std::string::npos);
  }

  TEST_CASE("--dry-run shows the diff and calls nothing that changes state") {
    Scenario s;
    s.h.ctx.opts.output = OutputFormat::text;
    CHECK(s.h.run("deploy", {"api", "--image", "app=repo/app:9", "--dry-run"}) == 0);
    CHECK(s.h.aws.inputs("RegisterTaskDefinition").empty());
    CHECK(s.h.aws.inputs("UpdateService").empty());
    std::string out = s.h.out.str();
    CHECK(out.find("-       \"image\": \"repo/app:1\"") != std::string::npos);
    CHECK(out.find("+       \"image\": \"repo/app:9\"") != std::string::npos);
    CHECK(out.find("RegisterTaskDefinition family=app") != std::string::npos);
  }

  TEST_CASE("--keep-revisions deregisters old revisions after success only") {
    Scenario s;
    s.revisions.push_back(taskdef(2, "repo/app:2"));
    s.revisions.push_back(taskdef(3, "repo/app:3"));
    s.after_update = {service(4, {deployment("PRIMARY", 4, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("deploy", {"api", "--tag", "4", "--keep-revisions", "2"}) == 0);
    auto dereg = s.h.aws.inputs("DeregisterTaskDefinition");
    REQUIRE(dereg.size() == 2);
    CHECK(dereg[0]["taskDefinition"] == k_arn + "2");
    CHECK(dereg[1]["taskDefinition"] == k_arn + "1");
  }

  TEST_CASE("--dry-run in JSON is the structured plan, wherever json came from") {
    for (bool given : {false, true}) {
      Scenario s;
      s.h.ctx.opts.output_given = given;
      CHECK(s.h.run("deploy", {"api", "--image", "app=repo/app:9", "--dry-run"}) == 0);
      Json plan = Json::parse(s.h.out.str());
      CHECK(plan["dryRun"] == true);
      CHECK(plan["calls"].size() >= 2);
    }
  }

  TEST_CASE("stdout is the final service object whatever the source of --output json") {
    std::string outs[2];
    for (int given = 0; given < 2; ++given) {
      Scenario s;
      s.h.ctx.opts.output_given = given == 1;  // --output json / AWS_DEFAULT_OUTPUT vs default or profile
      s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
      CHECK(s.h.run("deploy", {"api", "--tag", "2"}) == 0);
      outs[given] = s.h.out.str();
      Json out = Json::parse(outs[given]);
      CHECK(out["service"]["serviceName"] == "api");
    }
    CHECK(outs[0] == outs[1]);
  }

  TEST_CASE("deploy prints the 'has started N tasks' event; the events from before are not") {
    Scenario s;
    Json events = Json::array({{{"id", "e2"}, {"message", "(service api) has started 2 tasks: (task a) (task b)."}},
                               {{"id", "e1"}, {"message", "(service api) an old event."}}});
    s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)}, events)};
    auto before = s.h.aws.handlers["DescribeServices"];
    s.h.aws.handlers["DescribeServices"] = [&s, before](const Json& in) -> Json {
      Json out = before(in);
      if (!s.updated) out["services"][0]["events"] = Json::array({{{"id", "e1"}, {"message", "(service api) an old event."}}});
      return out;
    };
    CHECK(s.h.run("deploy", {"api", "--tag", "2"}) == 0);
    CHECK(s.h.err.str().find("has started 2 tasks") != std::string::npos);
    CHECK(s.h.err.str().find("an old event") == std::string::npos);
  }

  TEST_CASE("--events - writes NDJSON events with ISO 8601 times on stderr, not stdout") {
    Scenario s;
    s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--events", "-"}) == 0);
    CHECK(Json::parse(s.h.out.str())["service"]["serviceName"] == "api");
    std::istringstream lines(s.h.err.str());
    std::vector<std::string> types;
    for (std::string l; std::getline(lines, l);) {
      Json e = Json::parse(l);  // every stderr line is an event: no text progress mixed in
      types.push_back(e["event"]);
      std::string t = e["time"];
      CHECK(t.size() == 24);
      CHECK(t[4] == '-');
      CHECK(t[10] == 'T');
      CHECK(t.back() == 'Z');
    }
    REQUIRE(types.size() >= 3);
    CHECK(types.front() == "deploying");
    CHECK(types.back() == "completed");
  }

  TEST_CASE("--target-group checks the container and port, then sets loadBalancers") {
    Scenario s;
    s.h.aws.handlers["DescribeTargetGroups"] = [](const Json&) -> Json {
      return {{"TargetGroups", {{{"TargetGroupArn", "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1"}}}}};
    };
    s.after_update = {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--target-group", "web", "--container", "nosuch"}) == 252);
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--target-group", "web", "--container", "app", "--container-port", "81"}) == 252);
    CHECK(s.h.aws.inputs("UpdateService").empty());
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--target-group", "web", "--container", "app"}) == 0);
    Json lb = s.h.aws.inputs("UpdateService").at(0)["loadBalancers"][0];
    CHECK(lb["containerName"] == "app");
    CHECK(lb["containerPort"] == 80);
    CHECK(lb["targetGroupArn"] == "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1");
  }

  TEST_CASE("usage errors") {
    Scenario s;
    CHECK(s.h.run("deploy", {}) == 252);
    CHECK(s.h.run("deploy", {"api"}) == 252);  // nothing to deploy
    CHECK(s.h.run("deploy", {"api", "--image", "nosuch=x"}) == 252);
    CHECK(s.h.run("deploy", {"api", "--tag", "2", "--timeout", "soon"}) == 252);
    CHECK(s.h.aws.inputs("UpdateService").empty());
  }
}

TEST_SUITE("scale / rollback / restart") {
  TEST_CASE("scale sets the desired count and waits for the counts") {
    Scenario s;
    s.after_update = {service(1, {deployment("PRIMARY", 1, "COMPLETED", 2, 4)}),
                      service(1, {deployment("PRIMARY", 1, "COMPLETED", 4, 4)})};
    s.after_update[1]["desiredCount"] = 4;
    CHECK(s.h.run("scale", {"api", "4"}) == 0);
    CHECK(s.h.aws.inputs("UpdateService").at(0)["desiredCount"] == 4);
    CHECK(s.h.aws.inputs("DescribeServices").size() >= 3);
  }
  TEST_CASE("scale prints the 'has started N tasks' event that follows the update") {
    Scenario s;
    Json started = Json::array({{{"id", "e2"}, {"message", "(service api) has started 2 tasks: (task a) (task b)."}}});
    s.after_update = {service(1, {deployment("PRIMARY", 1, "COMPLETED", 4, 4)}, started)};
    s.after_update[0]["desiredCount"] = 4;
    CHECK(s.h.run("scale", {"api", "4"}) == 0);
    CHECK(s.h.err.str().find("has started 2 tasks") != std::string::npos);
  }
  TEST_CASE("scale with an explicit --output json prints the final service, not events") {
    Scenario s;
    s.h.ctx.opts.output_given = true;
    s.after_update = {service(1, {deployment("PRIMARY", 1, "COMPLETED", 4, 4)})};
    s.after_update[0]["desiredCount"] = 4;
    CHECK(s.h.run("scale", {"api", "4"}) == 0);
    CHECK(Json::parse(s.h.out.str())["service"]["desiredCount"] == 4);
  }
  TEST_CASE("rollback picks the previous ACTIVE revision") {
    Scenario s;
    s.revisions.push_back(taskdef(2, "repo/app:2"));
    s.h.aws.handlers["DescribeServices"] = [&s](const Json&) -> Json {
      int rev = s.updated ? 1 : 2;
      return {{"services", {service(rev, {deployment("PRIMARY", rev, "COMPLETED", 2, 2)})}}};
    };
    CHECK(s.h.run("rollback", {"api"}) == 0);
    CHECK(s.h.aws.inputs("UpdateService").at(0)["taskDefinition"] == k_arn + "1");
  }
  TEST_CASE("rollback after a failed deploy picks the deployment that completed before it, not revision - 1") {
    Scenario s;
    for (int r = 2; r <= 4; ++r) s.revisions.push_back(taskdef(r, "repo/app:" + std::to_string(r)));
    s.h.aws.handlers["DescribeServices"] = [&s](const Json&) -> Json {
      if (s.updated) return {{"services", {service(2, {deployment("PRIMARY", 2, "COMPLETED", 2, 2)})}}};
      return {{"services", {service(4, {deployment("PRIMARY", 4, "IN_PROGRESS", 0, 2, 3),
                                         deployment("ACTIVE", 2, "COMPLETED", 2, 2)})}}};
    };
    CHECK(s.h.run("rollback", {"api"}) == 0);
    CHECK(s.h.aws.inputs("UpdateService").at(0)["taskDefinition"] == k_arn + "2");
    CHECK(s.h.err.str().find("completed before the current IN_PROGRESS one") != std::string::npos);
  }
  TEST_CASE("rollback takes the newest successful deployment of another revision from ECS's history") {
    Scenario s;
    for (int r = 2; r <= 3; ++r) s.revisions.push_back(taskdef(r, "repo/app:" + std::to_string(r)));
    s.h.aws.handlers["DescribeServices"] = [&s](const Json&) -> Json {
      int rev = s.updated ? 1 : 3;
      return {{"services", {service(rev, {deployment("PRIMARY", rev, "COMPLETED", 2, 2)})}}};
    };
    s.h.aws.handlers["ListServiceDeployments"] = [](const Json& in) -> Json {
      CHECK(in["status"] == Json::array({"SUCCESSFUL"}));
      return {{"serviceDeployments", {{{"targetServiceRevisionArn", "rev-1"}, {"startedAt", 100}},
                                      {{"targetServiceRevisionArn", "rev-3"}, {"startedAt", 300}}}}};
    };
    s.h.aws.handlers["DescribeServiceRevisions"] = [](const Json& in) -> Json {
      std::string arn = in["serviceRevisionArns"][0];
      return {{"serviceRevisions", {{{"serviceRevisionArn", arn}, {"taskDefinition", k_arn + arn.substr(4)}}}}};
    };
    CHECK(s.h.run("rollback", {"api"}) == 0);
    // app:3 runs (its deployment is the newest); app:2 never ran; app:1 did.
    CHECK(s.h.aws.inputs("UpdateService").at(0)["taskDefinition"] == k_arn + "1");
  }
  TEST_CASE("restart forces a new deployment") {
    Scenario s;
    s.after_update = {service(1, {deployment("PRIMARY", 1, "COMPLETED", 2, 2)})};
    CHECK(s.h.run("restart", {"api", "--cluster", "c"}) == 0);
    CHECK(s.h.aws.inputs("UpdateService").at(0)["forceNewDeployment"] == true);
  }
}

TEST_SUITE("task definitions") {
  TEST_CASE("same_definition accepts ECS defaults and spots real changes") {
    Json described = taskdef(3, "repo/app:1");
    Json wanted = registration_input(described);
    wanted["containerDefinitions"][0].erase("cpu");
    wanted["containerDefinitions"][0].erase("essential");
    wanted["containerDefinitions"][0].erase("environment");
    wanted["containerDefinitions"][0]["portMappings"][0].erase("hostPort");
    wanted["containerDefinitions"][0]["portMappings"][0].erase("protocol");
    CHECK(same_definition(wanted, described));
    Json changed = wanted;
    changed["containerDefinitions"][0]["image"] = "repo/app:2";
    CHECK_FALSE(same_definition(changed, described));
    Json removed = described;
    removed["containerDefinitions"][0]["memoryReservation"] = 128;
    CHECK_FALSE(same_definition(wanted, removed));
  }
  TEST_CASE("overrides: --tag retags every image, --image/--env per container") {
    Json def = registration_input(taskdef(1, "registry:5000/team/app@sha256:abc"));
    apply_overrides(def, parse_overrides({}, {"app=sh -c 'echo hi'"}, {"app:A=1", "app:B=x=y"}), "v2");
    auto& c = def["containerDefinitions"][0];
    CHECK(c["image"] == "registry:5000/team/app:v2");
    CHECK(c["command"] == Json({"sh", "-c", "echo hi"}));
    CHECK(c["environment"][1] == Json({{"name", "B"}, {"value", "x=y"}}));
    CHECK_THROWS_AS(apply_overrides(def, parse_overrides({"web=x"}, {}, {}), std::nullopt), Error);
    CHECK_THROWS_AS(parse_overrides({"noequals"}, {}, {}), Error);
  }
  TEST_CASE("json_diff marks removed and added lines with context") {
    auto d = json_diff(Json{{"a", 1}, {"b", 2}}, Json{{"a", 1}, {"b", 3}});
    REQUIRE(d.size() >= 2);
    CHECK(std::find(d.begin(), d.end(), "-   \"b\": 2") != d.end());
    CHECK(std::find(d.begin(), d.end(), "+   \"b\": 3") != d.end());
    CHECK(json_diff(Json{{"a", 1}}, Json{{"a", 1}}).empty());
  }
}
