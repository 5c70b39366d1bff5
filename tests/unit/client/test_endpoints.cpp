#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/endpoints.hpp"
#include "client_fixture.hpp"
#include "schemas/model.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;

TEST_SUITE("endpoints") {
  TEST_CASE("region chain: --region, AWS_REGION, AWS_DEFAULT_REGION, profile") {
    Fixture f(testing::Env{{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "eu-west-2"}});
    ConfigSection p;
    p.values["region"] = ConfigValue{"ap-south-1", "cfg", 2, {}};
    CHECK(find_region(f.ctx, &p) == "eu-west-1");
    f.ctx.opts.region = "us-west-1";
    CHECK(find_region(f.ctx, &p) == "us-west-1");
    f.ctx.opts.region.reset();
    f.ctx.env.unset("AWS_REGION");
    CHECK(find_region(f.ctx, &p) == "eu-west-2");
    f.ctx.env.unset("AWS_DEFAULT_REGION");
    CHECK(find_region(f.ctx, &p) == "ap-south-1");
    CHECK_FALSE(find_region(f.ctx, nullptr));
  }

  TEST_CASE("no region is a config error (253) that says what to do") {
    Fixture f;
    try {
      f.s().region();
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::config);
      CHECK(std::string(e.what()).find("region") != std::string::npos);
      CHECK(e.hint().find("--region") != std::string::npos);
    }
  }

  TEST_CASE("partitions, FIPS and dual-stack") {
    const Json& ecs = model::service("ecs");
    CHECK(default_endpoint(ecs, "us-east-1", false, false) == "https://ecs.us-east-1.amazonaws.com");
    CHECK(default_endpoint(ecs, "cn-north-1", false, false) == "https://ecs.cn-north-1.amazonaws.com.cn");
    CHECK(default_endpoint(ecs, "us-gov-west-1", false, false) == "https://ecs.us-gov-west-1.amazonaws.com");
    CHECK(default_endpoint(ecs, "us-east-1", true, false) == "https://ecs-fips.us-east-1.amazonaws.com");
    CHECK(default_endpoint(ecs, "eu-west-1", false, true) == "https://ecs.eu-west-1.api.aws");
    CHECK(default_endpoint(model::service("elbv2"), "eu-west-1", false, false) ==
          "https://elasticloadbalancing.eu-west-1.amazonaws.com");
    CHECK(default_endpoint(model::service("sts"), "aws-global", false, false) == "https://sts.amazonaws.com");
    CHECK(default_endpoint(ecs, "xx-new-9", false, false) == "https://ecs.xx-new-9.amazonaws.com");
  }

  TEST_CASE("endpoint overrides in the AWS CLI's order") {
    Fixture f(testing::Env{{"AWS_ENDPOINT_URL", "http://global"}, {"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://elb"}});
    AwsConfig cfg;
    ConfigSection svc;
    svc.values["ecs"] = ConfigValue{"", "cfg", 3, {{"endpoint_url", "http://from-services"}}};
    cfg.services["local"] = svc;
    ConfigSection p;
    p.values["services"] = ConfigValue{"local", "cfg", 1, {}};
    p.values["endpoint_url"] = ConfigValue{"http://from-profile", "cfg", 2, {}};
    const Json& ecs = model::service("ecs");
    const Json& elb = model::service("elbv2");
    CHECK(service_id_env_name("Elastic Load Balancing v2") == "ELASTIC_LOAD_BALANCING_V2");
    CHECK(configured_endpoint(f.ctx, cfg, &p, elb, true) == "http://elb");
    CHECK(configured_endpoint(f.ctx, cfg, &p, ecs, true) == "http://global");
    f.ctx.opts.endpoint_url = "http://cli";
    CHECK(configured_endpoint(f.ctx, cfg, &p, ecs, true) == "http://cli");
    CHECK(configured_endpoint(f.ctx, cfg, &p, ecs, false) == "http://global");
    f.ctx.env.unset("AWS_ENDPOINT_URL");
    CHECK(configured_endpoint(f.ctx, cfg, &p, ecs, false) == "http://from-services");
    p.values.erase("services");
    CHECK(configured_endpoint(f.ctx, cfg, &p, ecs, false) == "http://from-profile");
    f.ctx.env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    CHECK_FALSE(configured_endpoint(f.ctx, cfg, &p, elb, false));
    CHECK(configured_endpoint(f.ctx, cfg, &p, elb, true) == "http://cli");
  }
}
