// Requests found by fuzz_local_request (tests/fuzz/) that once made the local
// control plane answer 500 "Internal error" (an unexpected exception).
#include <doctest/doctest.h>

#include "local/ecs.hpp"
#include "local/elbv2_query.hpp"
#include "local/events_services.hpp"
#include "local/router.hpp"
#include "local/store.hpp"
#include "schemas/model.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

TEST_SUITE("local fuzz regressions") {
  // "Action=DescribeT\xa7'rgetGroups": the InvalidAction error quoted the bytes
  // and json::dump() threw type_error 316 (invalid UTF-8).
  TEST_CASE("an unknown Action= that is not UTF-8 is a 400, not a 500") {
    Router router;
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/";
    r.body = "Action=DescribeT%A7%27rgetGroups&Version=2015-12-01";
    HttpResponse out = router.dispatch(r);
    CHECK(out.status == 400);
    CHECK(out.body.find("InvalidAction") != std::string::npos);
    CHECK(Json::parse(out.body, nullptr, false).is_object());
  }

  TEST_CASE("Query parameters that are not UTF-8 are a ValidationError") {
    const Json& elbv2 = model::service("elbv2");
    auto params = query::parse_form("Name=tg%FF&Protocol=HTTP&Port=80&VpcId=vpc-1");
    try {
      query::decode_input(elbv2, "CreateTargetGroup", params);
      FAIL("expected an ApiError");
    } catch (const ApiError& e) {
      CHECK(e.code == "ValidationError");
      CHECK(e.status == 400);
    }
    CHECK(query::decode_input(elbv2, "DescribeTargetGroups", query::parse_form("Names.member.1=caf%C3%A9"))
              ["Names"][0] == "caf\xc3\xa9");
  }

  // "GET /schedules/s1\xf7": the ResourceNotFound message quoted the name and
  // json::dump() threw type_error 316.
  TEST_CASE("Scheduler paths and query values that are not UTF-8 are a 400") {
    Store store(":memory:");
    Ecs ecs(store, "us-east-1", "123456789012", Pace::fast);
    Router router;
    ExtraServices extra(store, ecs, router, "us-east-1", "123456789012", Pace::fast);
    HttpRequest r;
    r.method = "GET";
    r.path = r.target = "/schedules/s1\xf7";
    HttpResponse out = router.dispatch(r);
    CHECK(out.status == 400);
    CHECK(out.body.find("not valid UTF-8") != std::string::npos);
    r.path = r.target = "/schedules/s1";
    r.query = {{"groupName", "g\xff"}};
    CHECK(router.dispatch(r).status == 400);
    r.query.clear();
    CHECK(router.dispatch(r).status == 404);  // valid name: ResourceNotFoundException as before
  }
}
