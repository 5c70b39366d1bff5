// Listener rules of the local ELBv2: CreateRule, DescribeRules (the default
// rule last), ModifyRule (also of the default rule: the listener's default
// actions), DeleteRule, and target-group association through a rule.
#include <doctest/doctest.h>

#include "local/elbv2.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Rules {
  Store store{":memory:"};
  Elbv2 elb{store, "us-east-1", "123456789012", false, [] { return 1700000000.0; }};
  std::string tg_a, tg_b, lb, listener;

  Rules() {
    tg_a = make_tg("a");
    tg_b = make_tg("b");
    lb = elb.call("CreateLoadBalancer", {{"Name", "front"}, {"Subnets", {"subnet-a", "subnet-b"}}})["LoadBalancers"][0]["LoadBalancerArn"];
    listener = elb.call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", 80},
                                           {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg_a}}}}})["Listeners"][0]["ListenerArn"];
  }
  std::string make_tg(const std::string& name) {
    return elb.call("CreateTargetGroup", {{"Name", name}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-1"}})["TargetGroups"][0]["TargetGroupArn"];
  }
  std::string code_of(const std::string& op, const Json& in) {
    try {
      elb.call(op, in);
    } catch (const ApiError& e) {
      return e.code;
    }
    return "(none)";
  }
  Json rule(long priority, const std::string& path, const std::string& tg) {
    return elb.call("CreateRule", {{"ListenerArn", listener}, {"Priority", priority},
                                   {"Conditions", {{{"Field", "path-pattern"}, {"Values", {path}}}}},
                                   {"Actions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}})["Rules"][0];
  }
};

}  // namespace

TEST_SUITE("elbv2_rules") {
  TEST_CASE("rules are listed by priority with the default rule last") {
    Rules r;
    Json r20 = r.rule(20, "/b/*", r.tg_b);
    Json r5 = r.rule(5, "/a/*", r.tg_a);
    CHECK(r5["RuleArn"].get<std::string>().find(":listener-rule/app/front/") != std::string::npos);
    CHECK(r5["Conditions"][0]["PathPatternConfig"]["Values"][0] == "/a/*");
    CHECK(r5["Actions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"] == r.tg_a);
    Json rules = r.elb.call("DescribeRules", {{"ListenerArn", r.listener}})["Rules"];
    REQUIRE(rules.size() == 3);
    CHECK(rules[0]["Priority"] == "5");
    CHECK(rules[1]["Priority"] == "20");
    CHECK(rules[2]["Priority"] == "default");
    CHECK(rules[2]["IsDefault"] == true);
    CHECK(r.code_of("CreateRule", {{"ListenerArn", r.listener}, {"Priority", 5},
                                   {"Conditions", {{{"Field", "path-pattern"}, {"Values", {"/x"}}}}},
                                   {"Actions", {{{"Type", "forward"}, {"TargetGroupArn", r.tg_a}}}}}) == "PriorityInUse");
    // The rule forwarding to b associates b with the load balancer.
    Json tg = r.elb.call("DescribeTargetGroups", {{"TargetGroupArns", {r.tg_b}}})["TargetGroups"][0];
    CHECK(tg["LoadBalancerArns"].size() == 1);
  }

  TEST_CASE("ModifyRule moves a rule's forward action, and the default rule's is the listener's") {
    Rules r;
    Json rule = r.rule(1, "/*", r.tg_a);
    Json groups = {{{"TargetGroupArn", r.tg_b}, {"Weight", 100}}, {{"TargetGroupArn", r.tg_a}, {"Weight", 0}}};
    Json modified = r.elb.call("ModifyRule", {{"RuleArn", rule["RuleArn"]},
                                              {"Actions", {{{"Type", "forward"}, {"ForwardConfig", {{"TargetGroups", groups}}}}}}})["Rules"][0];
    CHECK(modified["Actions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"] == r.tg_b);
    CHECK(r.elb.call("DescribeRules", {{"RuleArns", {rule["RuleArn"]}}})["Rules"][0]["Actions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"] == 100);

    std::string def = r.elb.call("DescribeRules", {{"ListenerArn", r.listener}})["Rules"][1]["RuleArn"];
    r.elb.call("ModifyRule", {{"RuleArn", def}, {"Actions", {{{"Type", "forward"}, {"TargetGroupArn", r.tg_b}}}}});
    Json l = r.elb.call("DescribeListeners", {{"ListenerArns", {r.listener}}})["Listeners"][0];
    CHECK(l["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"] == r.tg_b);
    CHECK(r.code_of("DeleteRule", {{"RuleArn", def}}) == "OperationNotPermitted");
    CHECK(r.code_of("ModifyRule", {{"RuleArn", def + "0"}}) == "RuleNotFound");
    CHECK(r.code_of("DeleteRule", {{"RuleArn", rule["RuleArn"]}}) == "(none)");
    CHECK(r.elb.call("DescribeRules", {{"ListenerArn", r.listener}})["Rules"].size() == 1);
  }
}
