#include <doctest/doctest.h>

#include <cstdlib>

#include "core/error.hpp"
#include "client/protocols.hpp"
#include "schemas/model.hpp"

using namespace ecsctl;
using namespace ecsctl::client;

namespace {

std::string header(const HttpRequest& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

// A small query-protocol model with a map, a flattened list and nested structures.
Json tiny_query_model() {
  return Json::parse(R"({
    "metadata": {"protocol": "query", "apiVersion": "2020-01-01"},
    "operations": {"Op": {"name": "Op", "input": {"shape": "In"},
                          "output": {"shape": "Out", "resultWrapper": "OpResult"}}},
    "shapes": {
      "In": {"type": "structure", "members": {
        "Names": {"shape": "Names"}, "Flat": {"shape": "FlatList"}, "Attrs": {"shape": "Attrs"},
        "Inner": {"shape": "Inner"}, "Enabled": {"shape": "Bool"}, "When": {"shape": "Time"}}},
      "Names": {"type": "list", "member": {"shape": "Str"}},
      "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
      "Attrs": {"type": "map", "key": {"shape": "Str", "locationName": "Key"}, "value": {"shape": "Str", "locationName": "Value"}},
      "Inner": {"type": "structure", "members": {"Count": {"shape": "Int"}, "Tags": {"shape": "Tags"}}},
      "Tags": {"type": "list", "member": {"shape": "Tag"}},
      "Tag": {"type": "structure", "members": {"Key": {"shape": "Str"}, "Value": {"shape": "Str"}}},
      "Out": {"type": "structure", "members": {
        "Items": {"shape": "Names"}, "Flat": {"shape": "FlatOut", "locationName": "Item"}, "Attrs": {"shape": "Attrs"},
        "Count": {"shape": "Int"}, "Ratio": {"shape": "Dbl"}, "On": {"shape": "Bool"}, "At": {"shape": "Time"},
        "Inner": {"shape": "Inner"}, "Empty": {"shape": "Names"}}},
      "FlatOut": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
      "Str": {"type": "string"}, "Int": {"type": "integer"}, "Dbl": {"type": "double"},
      "Bool": {"type": "boolean"}, "Time": {"type": "timestamp"}
    }, "paginators": {}, "waiters": {}})");
}

}  // namespace

TEST_SUITE("protocols") {
  TEST_CASE("json 1.1: target, content type, body; timestamps in as epoch, out as ISO 8601") {
    setenv("TZ", "UTC", 1);
    tzset();
    const Json& ecs = model::service("ecs");
    auto req = serialize_request(ecs, "DescribeClusters", Json{{"clusters", {"a", "b"}}}, "https://ecs.us-east-1.amazonaws.com");
    CHECK(req.method == "POST");
    CHECK(req.url == "https://ecs.us-east-1.amazonaws.com/");
    CHECK(header(req, "X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.DescribeClusters");
    CHECK(header(req, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(Json::parse(req.body) == Json{{"clusters", {"a", "b"}}});
    CHECK(serialize_request(ecs, "ListClusters", Json::object(), "http://x").body == "{}");
    CHECK(header(serialize_request(model::service("logs"), "DescribeLogGroups", {}, "http://x"), "X-Amz-Target") ==
          "Logs_20140328.DescribeLogGroups");

    HttpResponse resp{200, {}, R"({"tasks":[{"taskArn":"t","createdAt":1714564800.123,"stoppedAt":1714564800}],"failures":[]})"};
    auto out = parse_output(ecs, "DescribeTasks", resp);
    CHECK(out["tasks"][0]["createdAt"] == "2024-05-01T12:00:00.123000+00:00");
    CHECK(out["tasks"][0]["stoppedAt"] == "2024-05-01T12:00:00+00:00");
    CHECK(out["failures"] == Json::array());
  }

  TEST_CASE("json 1.1 output is parsed as botocore parses it: model order, unknown and null members dropped") {
    const Json& ecs = model::service("ecs");
    // The wire order differs from the model's (Cluster: clusterArn, clusterName, ..., status, ...).
    HttpResponse resp{200, {}, R"({"clusters":[{"status":"ACTIVE","futureField":1,"clusterName":"web",
      "tags":null,"clusterArn":"arn:c"}],"failures":[]})"};
    auto out = parse_output(ecs, "DescribeClusters", resp);
    CHECK(out.dump() == R"({"clusters":[{"clusterArn":"arn:c","clusterName":"web","status":"ACTIVE"}],"failures":[]})");
    // Null members are dropped at the top level too.
    HttpResponse empty{200, {}, R"({"nextToken":null,"clusterArns":["a"]})"};
    CHECK(parse_output(ecs, "ListClusters", empty).dump() == R"({"clusterArns":["a"]})");
  }

  TEST_CASE("timestamps follow the local time zone as the AWS CLI does") {
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    CHECK(format_epoch(1714564800) == "2024-05-01T14:00:00+02:00");
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK(format_epoch(0.5) == "1970-01-01T00:00:00.500000+00:00");
    // Found by fuzz_json_response: 1.7e32 overflowed the conversion to time_t.
    CHECK(format_epoch(1700000000.1e23) == "1.7000000001e+32");
    CHECK(format_epoch(-1e300) == "-1e+300");
    CHECK(format_epoch(253402300799.0) == "9999-12-31T23:59:59+00:00");
    CHECK(format_iso_timestamp("2024-05-01T12:00:00.5Z") == "2024-05-01T12:00:00.500000+00:00");
    CHECK(format_iso_timestamp("2024-05-01T12:00:00-05:30") == "2024-05-01T12:00:00-05:30");
    CHECK(format_iso_timestamp("garbage") == "garbage");
    CHECK(parse_timestamp(Json("2024-05-01T12:00:00Z")) == doctest::Approx(1714564800));
    CHECK(parse_timestamp(Json("2024-05-01T14:00:00+02:00")) == doctest::Approx(1714564800));
    CHECK(parse_timestamp(Json(12.5)) == doctest::Approx(12.5));
    CHECK_FALSE(parse_timestamp(Json("yesterday")));
  }

  TEST_CASE("query: Action/Version, member.N lists, maps, nested structures, booleans, timestamps") {
    Json m = tiny_query_model();
    Json in{{"Names", {"a b", "c&d"}},
            {"Flat", {"x"}},
            {"Attrs", {{"k1", "v1"}}},
            {"Inner", {{"Count", 3}, {"Tags", {{{"Key", "env"}, {"Value", "prod"}}}}}},
            {"Enabled", true},
            {"When", 1714564800}};
    auto req = serialize_request(m, "Op", in, "https://svc.example/");
    CHECK(header(req, "Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
    CHECK(req.body ==
          "Action=Op&Version=2020-01-01&Names.member.1=a%20b&Names.member.2=c%26d&Flat.1=x&"
          "Attrs.entry.1.Key=k1&Attrs.entry.1.Value=v1&Inner.Count=3&Inner.Tags.member.1.Key=env&"
          "Inner.Tags.member.1.Value=prod&Enabled=true&When=2024-05-01T12%3A00%3A00Z");
    CHECK(serialize_request(m, "Op", Json{{"Names", Json::array()}}, "https://svc").body ==
          "Action=Op&Version=2020-01-01&Names=");
    // ELBv2 from the real model
    auto elb = serialize_request(model::service("elbv2"), "DescribeTargetGroups",
                                 Json{{"Names", {"tg1"}}, {"PageSize", 10}}, "https://elb");
    CHECK(elb.body == "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=tg1&PageSize=10");
  }

  TEST_CASE("ec2: queryName or capitalised locationName, flattened lists; XML without a result wrapper") {
    const Json& ec2 = model::service("ec2");
    auto req = serialize_request(ec2, "DescribeSubnets",
                                 Json{{"SubnetIds", {"subnet-1", "subnet-2"}},
                                      {"Filters", {{{"Name", "vpc-id"}, {"Values", {"vpc-a"}}}}}},
                                 "https://ec2");
    CHECK(req.body ==
          "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1&SubnetId.2=subnet-2&"
          "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-a");
    // Description's locationName is GroupDescription: capitalised as the wire name.
    auto sg = serialize_request(ec2, "CreateSecurityGroup",
                                Json{{"GroupName", "web"}, {"Description", "d"}, {"VpcId", "vpc-a"}}, "https://ec2");
    CHECK(sg.body == "Action=CreateSecurityGroup&Version=2016-11-15&GroupName=web&GroupDescription=d&VpcId=vpc-a");
    HttpResponse resp{200, {}, R"(<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
      <requestId>r1</requestId><subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-a</vpcId>
      <defaultForAz>true</defaultForAz><availableIpAddressCount>251</availableIpAddressCount></item></subnetSet>
      </DescribeSubnetsResponse>)"};
    auto out = parse_output(ec2, "DescribeSubnets", resp);
    REQUIRE(out["Subnets"].size() == 1);
    CHECK(out["Subnets"][0]["SubnetId"] == "subnet-1");
    CHECK(out["Subnets"][0]["VpcId"] == "vpc-a");
    CHECK(out["Subnets"][0]["DefaultForAz"] == true);
    CHECK(out["Subnets"][0]["AvailableIpAddressCount"] == 251);
    HttpResponse err{400, {}, R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidSubnetID.NotFound</Code><Message>The subnet ID 'subnet-9' does not exist</Message></Error></Errors><RequestID>r2</RequestID></Response>)"};
    auto e = parse_error(ec2, err);
    CHECK(e.code == "InvalidSubnetID.NotFound");
    CHECK(e.message == "The subnet ID 'subnet-9' does not exist");
    CHECK(e.request_id == "r2");
  }

  TEST_CASE("query: XML responses become JSON by the output shape") {
    setenv("TZ", "UTC", 1);
    tzset();
    Json m = tiny_query_model();
    HttpResponse resp{200, {}, R"(<OpResponse xmlns="urn:x"><OpResult>
      <Items><member>one</member><member>two</member></Items>
      <Item>f1</Item><Item>f2</Item>
      <Attrs><entry><Key>a</Key><Value>1</Value></entry></Attrs>
      <Count>42</Count><Ratio>0.5</Ratio><On>true</On><At>2024-05-01T12:00:00.250Z</At>
      <Inner><Count>7</Count><Tags><member><Key>k</Key><Value>v</Value></member></Tags></Inner>
      <Empty/><Unknown>x</Unknown>
    </OpResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></OpResponse>)"};
    auto out = parse_output(m, "Op", resp);
    CHECK(out["Items"] == Json{"one", "two"});
    CHECK(out["Flat"] == Json{"f1", "f2"});
    CHECK(out["Attrs"] == Json{{"a", "1"}});
    CHECK(out["Count"] == 42);
    CHECK(out["Ratio"] == 0.5);
    CHECK(out["On"] == true);
    CHECK(out["At"] == "2024-05-01T12:00:00.250000+00:00");
    CHECK(out["Inner"]["Tags"][0]["Value"] == "v");
    CHECK(out["Empty"] == Json::array());
    CHECK_FALSE(out.contains("Unknown"));

    HttpResponse elb{200, {}, R"(<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
      <DescribeTargetGroupsResult><TargetGroups><member><TargetGroupName>tg</TargetGroupName><Port>80</Port>
      <HealthCheckEnabled>true</HealthCheckEnabled><LoadBalancerArns><member>arn:lb</member></LoadBalancerArns>
      </member></TargetGroups><NextMarker>m2</NextMarker></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>)"};
    auto tg = parse_output(model::service("elbv2"), "DescribeTargetGroups", elb);
    CHECK(tg["TargetGroups"][0]["TargetGroupName"] == "tg");
    CHECK(tg["TargetGroups"][0]["Port"] == 80);
    CHECK(tg["TargetGroups"][0]["HealthCheckEnabled"] == true);
    CHECK(tg["TargetGroups"][0]["LoadBalancerArns"] == Json{"arn:lb"});
    CHECK(tg["NextMarker"] == "m2");
    CHECK_THROWS_AS(parse_output(m, "Op", HttpResponse{200, {}, "<nope"}), Error);
  }

  TEST_CASE("rest-json: URI, query string, headers and body from the model") {
    const Json& sch = model::service("scheduler");
    auto get = serialize_request(sch, "GetSchedule", Json{{"Name", "my sched/1"}, {"GroupName", "g 1"}},
                                 "https://scheduler.us-east-1.amazonaws.com");
    CHECK(get.method == "GET");
    CHECK(get.url == "https://scheduler.us-east-1.amazonaws.com/schedules/my%20sched%2F1?groupName=g%201");
    CHECK(get.body.empty());
    auto create = serialize_request(
        sch, "CreateSchedule",
        Json{{"Name", "n"}, {"ScheduleExpression", "rate(1 hour)"}, {"StartDate", "2024-05-01T12:00:00Z"}},
        "https://s");
    CHECK(create.method == "POST");
    CHECK(create.url == "https://s/schedules/n");
    auto body = Json::parse(create.body);
    CHECK_FALSE(body.contains("Name"));
    CHECK(body["ScheduleExpression"] == "rate(1 hour)");
    CHECK(body["StartDate"] == 1714564800);
    CHECK_THROWS_AS(serialize_request(sch, "GetSchedule", Json::object(), "https://s"), Error);

    auto sso = serialize_request(model::service("sso"), "GetRoleCredentials",
                                 Json{{"roleName", "R"}, {"accountId", "1"}, {"accessToken", "tok"}}, "https://p");
    CHECK(sso.url == "https://p/federation/credentials?role_name=R&account_id=1");
    CHECK(header(sso, "x-amz-sso_bearer_token") == "tok");
  }

  TEST_CASE("errors per protocol: code without namespace, message, status, request id") {
    const Json& ecs = model::service("ecs");
    auto e = parse_error(ecs, HttpResponse{400, {{"x-amzn-RequestId", "r-1"}},
                                           R"({"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"Cluster not found."})"});
    CHECK(e.code == "ClusterNotFoundException");
    CHECK(e.message == "Cluster not found.");
    CHECK(e.status == 400);
    CHECK(e.request_id == "r-1");
    auto e2 = parse_error(ecs, HttpResponse{400, {}, R"({"__type":"ThrottlingException","Message":"Rate exceeded"})"});
    CHECK(e2.code == "ThrottlingException");
    CHECK(e2.message == "Rate exceeded");

    auto q = parse_error(model::service("elbv2"),
                         HttpResponse{400, {}, R"(<ErrorResponse xmlns="x"><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>
                         <Message>One or more target groups not found</Message></Error><RequestId>q-9</RequestId></ErrorResponse>)"});
    CHECK(q.code == "TargetGroupNotFound");
    CHECK(q.message == "One or more target groups not found");
    CHECK(q.request_id == "q-9");

    auto r = parse_error(model::service("scheduler"),
                         HttpResponse{404, {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}},
                                      R"({"Message":"Schedule x does not exist."})"});
    CHECK(r.code == "ResourceNotFoundException");
    CHECK(r.message == "Schedule x does not exist.");

    auto bare = parse_error(ecs, HttpResponse{503, {}, "<html>oops</html>"});
    CHECK(bare.code == "503");
    CHECK(bare.message == "Service Unavailable");
  }

  TEST_CASE("idempotency tokens are filled only when absent") {
    const Json& ecs = model::service("ecs");
    Json in{{"taskDefinition", "td"}};
    fill_idempotency_tokens(ecs, "RunTask", in);
    REQUIRE(in.contains("clientToken"));
    CHECK(in["clientToken"].get<std::string>().size() == 36);
    Json given{{"taskDefinition", "td"}, {"clientToken", "mine"}};
    fill_idempotency_tokens(ecs, "RunTask", given);
    CHECK(given["clientToken"] == "mine");
    Json other{{"cluster", "c"}};
    fill_idempotency_tokens(ecs, "DescribeClusters", other);
    CHECK_FALSE(other.contains("clientToken"));
    CHECK(random_uuid() != random_uuid());
  }
}
