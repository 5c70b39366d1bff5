// ELBv2 of the local control plane: Query decoding, XML encoding, operations,
// target health over time and the router round trip.
#include <doctest/doctest.h>

#include "local/elbv2.hpp"
#include "local/elbv2_query.hpp"
#include "schemas/model.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Fixture {
  Store store{":memory:"};
  double now = 1700000000.0;
  Elbv2 elb{store, "us-east-1", "123456789012", false, [this] { return now; }};

  Json call(const std::string& op, const Json& in) { return elb.call(op, in); }
  std::string code_of(const std::string& op, const Json& in) {
    try {
      call(op, in);
    } catch (const ApiError& e) {
      return e.code;
    }
    return "(none)";
  }
  std::string make_tg(const std::string& name, const std::string& type = "instance") {
    return call("CreateTargetGroup", {{"Name", name}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-1"}, {"TargetType", type}})
        ["TargetGroups"][0]["TargetGroupArn"];
  }
  std::string make_lb(const std::string& name) {
    return call("CreateLoadBalancer", {{"Name", name}, {"Subnets", {"subnet-a", "subnet-b"}}})["LoadBalancers"][0]["LoadBalancerArn"];
  }
  void listen(const std::string& lb, const std::string& tg, long port = 80) {
    call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", port},
                            {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}});
  }
  std::string state_of(const std::string& tg, size_t i = 0) {
    return call("DescribeTargetHealth", {{"TargetGroupArn", tg}})["TargetHealthDescriptions"][i]["TargetHealth"]["State"];
  }
};

query::Params params(std::initializer_list<std::pair<const char*, const char*>> l) {
  query::Params out;
  for (const auto& [k, v] : l) out.emplace_back(k, v);
  return out;
}

}  // namespace

TEST_SUITE("elbv2_query") {
  TEST_CASE("decodes members, member.N lists and nested structures from the model") {
    const Json& model = model::service("elbv2");
    Json in = query::decode_input(model, "RegisterTargets",
                                  params({{"TargetGroupArn", "arn:tg"}, {"Targets.member.1.Id", "i-0123456789abcdef0"},
                                          {"Targets.member.1.Port", "8080"}, {"Targets.member.2.Id", "i-0fedcba987654321f"}}));
    CHECK(in["TargetGroupArn"] == "arn:tg");
    REQUIRE(in["Targets"].size() == 2);
    CHECK(in["Targets"][0]["Port"] == 8080);
    CHECK(in["Targets"][1]["Id"] == "i-0fedcba987654321f");
    CHECK(!in["Targets"][1].contains("Port"));
    Json listener = query::decode_input(model, "CreateListener",
                                        params({{"LoadBalancerArn", "arn:lb"}, {"Port", "80"},
                                                {"DefaultActions.member.1.Type", "forward"},
                                                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", "arn:tg"},
                                                {"DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "3"}}));
    CHECK(listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"] == 3);
    Json tg = query::decode_input(model, "CreateTargetGroup", params({{"Name", "web"}, {"HealthCheckEnabled", "false"}}));
    CHECK(tg["HealthCheckEnabled"] == false);
    CHECK(query::decode_input(model, "DescribeTargetGroups", params({{"Names", ""}}))["Names"] == Json::array());
  }

  TEST_CASE("rejects ill-typed values and missing required members") {
    const Json& model = model::service("elbv2");
    auto code = [&](query::Params p, const char* op) -> std::string {
      try {
        query::decode_input(model, op, p);
      } catch (const ApiError& e) {
        return e.code + ": " + e.what();
      }
      return "(none)";
    };
    CHECK(code(params({{"Name", "x"}, {"Port", "eighty"}}), "CreateTargetGroup").find("ValidationError") == 0);
    CHECK(code(params({{"Name", "x"}, {"HealthCheckEnabled", "yes"}}), "CreateTargetGroup").find("ValidationError") == 0);
    CHECK(code(params({{"Name", "x"}, {"TargetType", "cat"}}), "CreateTargetGroup").find("enum value set") != std::string::npos);
    CHECK(code(params({{"Port", "80"}}), "CreateTargetGroup").find("Value null at 'name'") != std::string::npos);
  }

  TEST_CASE("parses forms with escapes") {
    auto p = query::parse_form("Action=DescribeTags&ResourceArns.member.1=arn%3Aaws%3Ax&Empty=&Plus=a+b");
    CHECK(query::param(p, "Action") == "DescribeTags");
    CHECK(query::param(p, "ResourceArns.member.1") == "arn:aws:x");
    CHECK(query::param(p, "Plus") == "a b");
    CHECK(query::parse_form("%zz=%4").size() == 1);
  }

  TEST_CASE("encodes output as XML in the model's order, lists as member") {
    const Json& model = model::service("elbv2");
    Json out = {{"TargetGroups", {{{"TargetGroupName", "a<b"}, {"Port", 80}, {"HealthCheckEnabled", true},
                                   {"LoadBalancerArns", {"arn:1"}}, {"TargetGroupArn", "arn:tg"}}}}};
    std::string xml = query::encode_response(model, "DescribeTargetGroups", out, "req-1");
    CHECK(xml.rfind("<DescribeTargetGroupsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
                    "<DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:tg</TargetGroupArn>"
                    "<TargetGroupName>a&lt;b</TargetGroupName><Port>80</Port><HealthCheckEnabled>true</HealthCheckEnabled>"
                    "<LoadBalancerArns><member>arn:1</member></LoadBalancerArns></member></TargetGroups>",
                    0) == 0);
    CHECK(xml.find("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>") !=
          std::string::npos);
    std::string err = query::encode_error(model, "TargetGroupNotFound", "One or more target groups not found", "r");
    CHECK(err.find("<Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>") != std::string::npos);
    std::string lb = query::encode_response(model, "DescribeLoadBalancers",
                                            {{"LoadBalancers", {{{"CreatedTime", 1700000000.25}}}}}, "r");
    CHECK(lb.find("<CreatedTime>2023-11-14T22:13:20.250Z</CreatedTime>") != std::string::npos);
  }
}

TEST_SUITE("elbv2") {
  TEST_CASE("target groups get AWS's defaults; names are unique") {
    Fixture f;
    Json tg = f.call("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-1"}})["TargetGroups"][0];
    CHECK(tg["TargetGroupArn"].get<std::string>().rfind("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/", 0) == 0);
    CHECK(tg["TargetType"] == "instance");
    CHECK(tg["HealthCheckProtocol"] == "HTTP");
    CHECK(tg["HealthCheckPort"] == "traffic-port");
    CHECK(tg["HealthCheckPath"] == "/");
    CHECK(tg["HealthCheckIntervalSeconds"] == 30);
    CHECK(tg["HealthCheckTimeoutSeconds"] == 5);
    CHECK(tg["HealthyThresholdCount"] == 5);
    CHECK(tg["UnhealthyThresholdCount"] == 2);
    CHECK(tg["Matcher"]["HttpCode"] == "200");
    Json tcp = f.call("CreateTargetGroup", {{"Name", "tcp"}, {"Protocol", "TCP"}, {"Port", 80}, {"VpcId", "vpc-1"},
                                            {"TargetType", "ip"}})["TargetGroups"][0];
    CHECK(tcp["HealthCheckProtocol"] == "TCP");
    CHECK(tcp["HealthCheckTimeoutSeconds"] == 10);
    CHECK(!tcp.contains("Matcher"));
    // The same settings again return the same group; different ones are refused.
    CHECK(f.call("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "vpc-1"}})
              ["TargetGroups"][0]["TargetGroupArn"] == tg["TargetGroupArn"]);
    CHECK(f.code_of("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 81}, {"VpcId", "vpc-1"}}) ==
          "DuplicateTargetGroupName");
    CHECK(f.code_of("CreateTargetGroup", {{"Name", "-bad"}, {"Protocol", "HTTP"}, {"Port", 80}, {"VpcId", "v"}}) == "ValidationError");
    CHECK(f.code_of("CreateTargetGroup", {{"Name", "noport"}, {"Protocol", "HTTP"}, {"VpcId", "v"}}) == "ValidationError");
  }

  TEST_CASE("describe target groups by name, ARN and load balancer") {
    Fixture f;
    std::string a = f.make_tg("a"), b = f.make_tg("b");
    CHECK(f.call("DescribeTargetGroups", Json::object())["TargetGroups"].size() == 2);
    CHECK(f.call("DescribeTargetGroups", {{"Names", {"b"}}})["TargetGroups"][0]["TargetGroupArn"] == b);
    CHECK(f.call("DescribeTargetGroups", {{"TargetGroupArns", {a}}})["TargetGroups"][0]["TargetGroupName"] == "a");
    CHECK(f.code_of("DescribeTargetGroups", {{"Names", {"zzz"}}}) == "TargetGroupNotFound");
    CHECK(f.code_of("DescribeTargetGroups", {{"LoadBalancerArn", "arn:nope"}}) == "LoadBalancerNotFound");
    std::string lb = f.make_lb("front");
    f.listen(lb, a);
    Json by_lb = f.call("DescribeTargetGroups", {{"LoadBalancerArn", lb}})["TargetGroups"];
    REQUIRE(by_lb.size() == 1);
    CHECK(by_lb[0]["LoadBalancerArns"][0] == lb);
    Json paged = f.call("DescribeTargetGroups", {{"PageSize", 1}});
    CHECK(paged["TargetGroups"].size() == 1);
    CHECK(paged["NextMarker"] == "1");
    CHECK(f.call("DescribeTargetGroups", {{"PageSize", 1}, {"Marker", "1"}})["TargetGroups"][0]["TargetGroupArn"] == b);
  }

  TEST_CASE("load balancers: DNS name, provisioning then active, duplicates, delete") {
    Fixture f;
    Json lb = f.call("CreateLoadBalancer", {{"Name", "front"}, {"Subnets", {"subnet-a", "subnet-b"}}})["LoadBalancers"][0];
    CHECK(lb["Type"] == "application");
    CHECK(lb["Scheme"] == "internet-facing");
    CHECK(lb["State"]["Code"] == "provisioning");
    CHECK(lb["DNSName"].get<std::string>().rfind("front-", 0) == 0);
    CHECK(lb["DNSName"].get<std::string>().find(".us-east-1.elb.amazonaws.com") != std::string::npos);
    CHECK(lb["AvailabilityZones"].size() == 2);
    f.now += 61;
    CHECK(f.call("DescribeLoadBalancers", {{"Names", {"front"}}})["LoadBalancers"][0]["State"]["Code"] == "active");
    Json nlb = f.call("CreateLoadBalancer", {{"Name", "net"}, {"Type", "network"}, {"Scheme", "internal"},
                                             {"Subnets", {"subnet-a"}}})["LoadBalancers"][0];
    CHECK(nlb["DNSName"].get<std::string>().rfind("internal-net-", 0) == 0);
    CHECK(nlb["LoadBalancerArn"].get<std::string>().find(":loadbalancer/net/net/") != std::string::npos);
    CHECK(f.code_of("CreateLoadBalancer", {{"Name", "front"}, {"Type", "network"}, {"Subnets", {"s"}}}) == "DuplicateLoadBalancerName");
    CHECK(f.code_of("CreateLoadBalancer", {{"Name", "one"}, {"Subnets", {"s"}}}) == "ValidationError");
    CHECK(f.code_of("DescribeLoadBalancers", {{"Names", {"nope"}}}) == "LoadBalancerNotFound");
    f.call("DeleteLoadBalancer", {{"LoadBalancerArn", lb["LoadBalancerArn"]}});
    CHECK(f.call("DescribeLoadBalancers", Json::object())["LoadBalancers"].size() == 1);
    CHECK_NOTHROW(f.call("DeleteLoadBalancer", {{"LoadBalancerArn", lb["LoadBalancerArn"]}}));
  }

  TEST_CASE("listeners forward to target groups and tie them to the load balancer") {
    Fixture f;
    std::string tg = f.make_tg("web"), lb = f.make_lb("front");
    Json l = f.call("CreateListener", {{"LoadBalancerArn", lb}, {"Port", 80}, {"Protocol", "HTTP"},
                                       {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}})["Listeners"][0];
    CHECK(l["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"] == 1);
    CHECK(f.code_of("CreateListener", {{"LoadBalancerArn", lb}, {"Port", 80},
                                       {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", tg}}}}}) == "DuplicateListener");
    CHECK(f.code_of("CreateListener", {{"LoadBalancerArn", lb}, {"Port", 81},
                                       {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", "arn:x"}}}}}) == "TargetGroupNotFound");
    CHECK(f.code_of("DeleteTargetGroup", {{"TargetGroupArn", tg}}) == "ResourceInUse");
    CHECK(f.call("DescribeListeners", {{"LoadBalancerArn", lb}})["Listeners"].size() == 1);
    CHECK(f.code_of("DescribeListeners", Json::object()) == "ValidationError");
    f.call("DeleteListener", {{"ListenerArn", l["ListenerArn"]}});
    CHECK(f.call("DescribeTargetGroups", {{"Names", {"web"}}})["TargetGroups"][0]["LoadBalancerArns"].empty());
    CHECK(f.code_of("DeleteListener", {{"ListenerArn", l["ListenerArn"]}}) == "ListenerNotFound");
    CHECK_NOTHROW(f.call("DeleteTargetGroup", {{"TargetGroupArn", tg}}));
    CHECK(f.code_of("DescribeTargetGroups", {{"TargetGroupArns", {tg}}}) == "TargetGroupNotFound");
  }

  TEST_CASE("target health: initial, healthy after interval x threshold, draining for the delay, then gone") {
    Fixture f;
    std::string tg = f.make_tg("web"), lb = f.make_lb("front");
    f.call("RegisterTargets", {{"TargetGroupArn", tg}, {"Targets", {{{"Id", "i-0123456789abcdef0"}}}}});
    Json d = f.call("DescribeTargetHealth", {{"TargetGroupArn", tg}})["TargetHealthDescriptions"][0];
    CHECK(d["TargetHealth"]["State"] == "unused");
    CHECK(d["TargetHealth"]["Reason"] == "Target.NotInUse");
    f.listen(lb, tg);
    d = f.call("DescribeTargetHealth", {{"TargetGroupArn", tg}})["TargetHealthDescriptions"][0];
    CHECK(d["Target"]["Port"] == 80);
    CHECK(d["HealthCheckPort"] == "80");
    CHECK(d["TargetHealth"]["State"] == "initial");
    CHECK(d["TargetHealth"]["Reason"] == "Elb.RegistrationInProgress");
    f.now += 31;
    CHECK(f.call("DescribeTargetHealth", {{"TargetGroupArn", tg}})["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] ==
          "Elb.InitialHealthChecking");
    f.now += 120;
    CHECK(f.state_of(tg) == "healthy");
    f.call("DeregisterTargets", {{"TargetGroupArn", tg}, {"Targets", {{{"Id", "i-0123456789abcdef0"}}}}});
    CHECK(f.state_of(tg) == "draining");
    f.now += 299;
    CHECK(f.state_of(tg) == "draining");
    f.now += 2;
    CHECK(f.call("DescribeTargetHealth", {{"TargetGroupArn", tg}})["TargetHealthDescriptions"].empty());
    Json asked = f.call("DescribeTargetHealth", {{"TargetGroupArn", tg}, {"Targets", {{{"Id", "i-0123456789abcdef0"}}}}});
    CHECK(asked["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] == "Target.NotRegistered");
  }

  TEST_CASE("target ids are checked by target type") {
    Fixture f;
    std::string inst = f.make_tg("inst"), ip = f.make_tg("ips", "ip");
    CHECK(f.code_of("RegisterTargets", {{"TargetGroupArn", inst}, {"Targets", {{{"Id", "10.0.0.1"}}}}}) == "InvalidTarget");
    CHECK(f.code_of("RegisterTargets", {{"TargetGroupArn", ip}, {"Targets", {{{"Id", "i-0123456789abcdef0"}}}}}) == "ValidationError");
    CHECK(f.code_of("RegisterTargets", {{"TargetGroupArn", "arn:none"}, {"Targets", {{{"Id", "10.0.0.1"}}}}}) == "TargetGroupNotFound");
    f.call("RegisterTargets", {{"TargetGroupArn", ip}, {"Targets", {{{"Id", "10.0.0.1"}, {"Port", 8080}}, {{"Id", "10.0.0.2"}}}}});
    Json all = f.call("DescribeTargetHealth", {{"TargetGroupArn", ip}})["TargetHealthDescriptions"];
    REQUIRE(all.size() == 2);
    CHECK(all[0]["Target"]["Port"] == 8080);
    CHECK(all[1]["Target"]["Port"] == 80);
    CHECK(f.code_of("DeregisterTargets", {{"TargetGroupArn", ip}, {"Targets", {{{"Id", "10.0.0.9"}}}}}) == "InvalidTarget");
  }

  TEST_CASE("tags on load balancers and target groups") {
    Fixture f;
    std::string tg = f.make_tg("web");
    f.call("AddTags", {{"ResourceArns", {tg}}, {"Tags", {{{"Key", "team"}, {"Value", "a"}}, {{"Key", "env"}, {"Value", "dev"}}}}});
    f.call("AddTags", {{"ResourceArns", {tg}}, {"Tags", {{{"Key", "team"}, {"Value", "b"}}}}});
    Json d = f.call("DescribeTags", {{"ResourceArns", {tg}}})["TagDescriptions"][0];
    CHECK(d["ResourceArn"] == tg);
    REQUIRE(d["Tags"].size() == 2);
    CHECK(d["Tags"][0] == Json{{"Key", "team"}, {"Value", "b"}});
    f.call("RemoveTags", {{"ResourceArns", {tg}}, {"TagKeys", {"team"}}});
    CHECK(f.call("DescribeTags", {{"ResourceArns", {tg}}})["TagDescriptions"][0]["Tags"].size() == 1);
    CHECK(f.code_of("AddTags", {{"ResourceArns", {"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1"}},
                                {"Tags", {{{"Key", "k"}}}}}) == "TargetGroupNotFound");
    CHECK(f.code_of("AddTags", {{"ResourceArns", {tg}}, {"Tags", {{{"Key", "k"}}, {{"Key", "k"}}}}}) == "DuplicateTagKeys");
  }

  TEST_CASE("the router answers Query requests with XML and XML errors") {
    Fixture f;
    Router router;
    f.elb.register_operations(router);
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "Action=CreateTargetGroup&Version=2015-12-01&Name=web&Protocol=HTTP&Port=80&VpcId=vpc-1";
    HttpResponse out = router.dispatch(r);
    CHECK(out.status == 200);
    CHECK(out.content_type == "text/xml");
    CHECK(out.body.find("<CreateTargetGroupResult><TargetGroups><member><TargetGroupArn>arn:aws:elasticloadbalancing:") != std::string::npos);
    r.body = "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=nope";
    out = router.dispatch(r);
    CHECK(out.status == 400);
    CHECK(out.body.find("<Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message>") != std::string::npos);
    r.body = "Action=CreateTargetGroup&Version=2015-12-01&Port=80";
    out = router.dispatch(r);
    CHECK(out.body.find("<Code>ValidationError</Code>") != std::string::npos);
  }
}
