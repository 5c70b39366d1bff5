#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/api.hpp"
#include "client/invoke.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;
using ecsctl::client::testing::json_response;

namespace {

const std::map<std::string, std::string> k_env{
    {"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}, {"AWS_REGION", "us-east-1"}};

// ListClusters over 3 pages of 2 ARNs: tokens t1, t2.
HttpResponse list_clusters(const HttpRequest& r) {
  auto in = Json::parse(r.body);
  std::string token = in.value("nextToken", std::string());
  int start = token.empty() ? 0 : token == "t1" ? 2 : 4;
  Json out{{"clusterArns", Json::array()}};
  for (int i = start; i < start + 2; ++i) out["clusterArns"].push_back("arn:c" + std::to_string(i));
  if (start < 4) out["nextToken"] = start == 0 ? "t1" : "t2";
  return json_response(200, out.dump());
}

}  // namespace

TEST_SUITE("paginate") {
  TEST_CASE("follows tokens to the end and merges result keys") {
    Fixture f(k_env, list_clusters);
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, {});
    CHECK(out == Json{{"clusterArns", {"arn:c0", "arn:c1", "arn:c2", "arn:c3", "arn:c4", "arn:c5"}}});
    CHECK(f.fake->sent.size() == 3);
  }

  TEST_CASE("--no-paginate makes one call and keeps the token") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.paginate = false;
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    CHECK(out["nextToken"] == "t1");
    CHECK(f.fake->sent.size() == 1);
  }

  TEST_CASE("--page-size sets the limit key") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.page_size = 2;
    call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    CHECK(Json::parse(f.fake->sent[0].body)["maxResults"] == 2);
  }

  TEST_CASE("--max-items truncates mid-page; --starting-token resumes exactly there") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.max_items = 3;
    auto first = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    CHECK(first["clusterArns"] == Json{"arn:c0", "arn:c1", "arn:c2"});
    REQUIRE(first.contains("NextToken"));
    auto decoded = decode_page_token(first["NextToken"].get<std::string>());
    REQUIRE(decoded);
    CHECK((*decoded)["nextToken"] == "t1");
    CHECK((*decoded)["boto_truncate_amount"] == 1);

    PageOptions q;
    q.starting_token = first["NextToken"].get<std::string>();
    q.max_items = 2;
    auto second = call_paginated(f.ctx, "ecs", "ListClusters", {}, q);
    CHECK(second["clusterArns"] == Json{"arn:c3", "arn:c4"});
    REQUIRE(second.contains("NextToken"));

    PageOptions r;
    r.starting_token = second["NextToken"].get<std::string>();
    auto third = call_paginated(f.ctx, "ecs", "ListClusters", {}, r);
    CHECK(third["clusterArns"] == Json{"arn:c5"});
    CHECK_FALSE(third.contains("NextToken"));
  }

  TEST_CASE("--max-items on a page boundary hands back the next page's token") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.max_items = 2;
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    CHECK(out["clusterArns"] == Json{"arn:c0", "arn:c1"});
    CHECK(f.fake->sent.size() == 1);
    CHECK((*decode_page_token(out["NextToken"].get<std::string>()))["nextToken"] == "t1");
  }

  TEST_CASE("tokens are botocore's: Python's json.dumps, the input token null on the first page") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.max_items = 1;
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    // base64 of {"nextToken": null, "boto_truncate_amount": 1}, what the AWS CLI prints
    CHECK(out["NextToken"] == "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==");
    // NextToken is the last key, as in build_full_result
    CHECK(out.items().begin().key() == "clusterArns");
    CHECK(out.size() == 2);
    PageOptions q;
    q.starting_token = out["NextToken"].get<std::string>();
    q.max_items = 1;
    auto sent = f.fake->sent.size();
    auto second = call_paginated(f.ctx, "ecs", "ListClusters", {}, q);
    CHECK(second["clusterArns"] == Json{"arn:c1"});
    CHECK(f.fake->sent.at(sent).body.find("nextToken") == std::string::npos);  // the null is not sent
  }

  TEST_CASE("on_page sees each page as the text output prints it") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    std::vector<Json> pages;
    p.on_page = [&pages](const Json& page) { pages.push_back(page); };
    p.max_items = 3;
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    REQUIRE(pages.size() == 2);
    CHECK(pages[0]["clusterArns"] == Json{"arn:c0", "arn:c1"});
    CHECK(pages[1]["clusterArns"] == Json{"arn:c2"});
    CHECK(out["clusterArns"].size() == 3);
  }

  TEST_CASE("query protocol: Marker/NextMarker") {
    int n = 0;
    Fixture f(k_env, [&](const HttpRequest& r) {
      ++n;
      bool second = r.body.find("Marker=m1") != std::string::npos;
      std::string items = second ? "<member><TargetGroupName>b</TargetGroupName></member>"
                                 : "<member><TargetGroupName>a</TargetGroupName></member>";
      return json_response(200, "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups>" + items +
                                    "</TargetGroups>" + (second ? "" : "<NextMarker>m1</NextMarker>") +
                                    "</DescribeTargetGroupsResult></DescribeTargetGroupsResponse>");
    });
    auto out = call_paginated(f.ctx, "elbv2", "DescribeTargetGroups", {}, {});
    CHECK(out["TargetGroups"].size() == 2);
    CHECK(out["TargetGroups"][1]["TargetGroupName"] == "b");
    CHECK(n == 2);
  }

  TEST_CASE("a repeated token stops with an error instead of looping forever") {
    Fixture f(k_env, [](const HttpRequest&) { return json_response(200, R"({"clusterArns":["x"],"nextToken":"same"})"); });
    PageOptions p;
    p.starting_token = "same";
    CHECK_THROWS_AS(call_paginated(f.ctx, "ecs", "ListClusters", {}, p), Error);
  }

  TEST_CASE("bad starting tokens") {
    Fixture f(k_env, list_clusters);
    PageOptions p;
    p.starting_token = "t1";  // a raw service token is accepted
    auto out = call_paginated(f.ctx, "ecs", "ListClusters", {}, p);
    CHECK(out["clusterArns"].size() == 4);
    CHECK(encode_page_token(Json{{"a", 1}}) == "eyJhIjogMX0=");  // base64 of {"a": 1}, as Python's json.dumps
    CHECK_FALSE(decode_page_token("!!!!"));
  }
}
