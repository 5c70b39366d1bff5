// client::call end to end against the FakeTransport: signing, retries,
// errors, clock skew, --debug logging and redaction.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/api.hpp"
#include "client/endpoints.hpp"
#include "client/invoke.hpp"
#include "client/sigv4.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;
using ecsctl::client::testing::json_response;

namespace {

const std::map<std::string, std::string> k_env{{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
                                               {"AWS_SECRET_ACCESS_KEY", "s3cr3t/KEY+value"},
                                               {"AWS_SESSION_TOKEN", "SESSIONTOKENVALUE"},
                                               {"AWS_REGION", "eu-west-1"}};

sigv4::Verification verify_sent(const HttpRequest& r, std::chrono::system_clock::time_point now) {
  auto url = split_url(r.url);
  sigv4::Request s{r.method, url.path, {}, r.headers, r.body};
  return sigv4::verify(s, [](std::string_view k) -> std::optional<std::string> {
    if (k == "AKIDTEST") return std::string("s3cr3t/KEY+value");
    return std::nullopt;
  }, now);
}

}  // namespace

TEST_SUITE("call") {
  TEST_CASE("a call is signed for the region and service and verifies") {
    Fixture f(k_env, [](const HttpRequest&) { return json_response(200, R"({"clusters":[],"failures":[]})"); });
    auto out = call(f.ctx, "ecs", "DescribeClusters", Json{{"clusters", {"default"}}});
    CHECK(out == Json{{"clusters", Json::array()}, {"failures", Json::array()}});
    REQUIRE(f.fake->sent.size() == 1);
    auto& r = f.fake->sent[0];
    CHECK(r.url == "https://ecs.eu-west-1.amazonaws.com/");
    bool scoped = false, token = false;
    for (auto& [k, v] : r.headers) {
      if (k == "Authorization") scoped = v.find("/eu-west-1/ecs/aws4_request") != std::string::npos;
      if (k == "X-Amz-Security-Token") token = v == "SESSIONTOKENVALUE";
    }
    CHECK(scoped);
    CHECK(token);
    CHECK(verify_sent(r, std::chrono::system_clock::now()).ok);
  }

  TEST_CASE("--endpoint-url and --no-sign-request") {
    Fixture f(k_env, [](const HttpRequest&) { return json_response(200, "{}"); });
    f.ctx.opts.endpoint_url = "http://127.0.0.1:9/base/";
    f.ctx.opts.sign_request = false;
    call(f.ctx, "ecs", "ListClusters", {});
    CHECK(f.fake->sent[0].url == "http://127.0.0.1:9/base/");
    for (auto& [k, v] : f.fake->sent[0].headers) CHECK(k != "Authorization");
  }

  TEST_CASE("throttling and 5xx are retried with backoff, then succeed") {
    int n = 0;
    Fixture f(k_env, [&](const HttpRequest&) {
      ++n;
      if (n == 1) return json_response(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
      if (n == 2) return json_response(503, "");
      return json_response(200, R"({"clusterArns":["a"]})");
    });
    auto out = call(f.ctx, "ecs", "ListClusters", {});
    CHECK(out["clusterArns"] == Json{"a"});
    CHECK(n == 3);
    REQUIRE(f.sleeps.size() == 2);
    CHECK(f.sleeps[0] <= 1.0);
    CHECK(f.sleeps[1] <= 2.0);
    // every attempt is signed afresh
    CHECK(verify_sent(f.fake->sent[2], std::chrono::system_clock::now()).ok);
  }

  TEST_CASE("gives up after max attempts with the service's error (exit 254)") {
    Fixture f(k_env, [](const HttpRequest&) {
      return json_response(500, R"({"__type":"ServerException","message":"boom"})", {{"x-amzn-RequestId", "rid-5"}});
    });
    f.ctx.env.set("AWS_MAX_ATTEMPTS", "4");
    try {
      call(f.ctx, "ecs", "ListClusters", {});
      FAIL("expected ServiceError");
    } catch (const ServiceError& e) {
      CHECK(e.code() == Exit::service);
      CHECK(e.error_code() == "ServerException");
      CHECK(e.http_status() == 500);
      CHECK(e.request_id() == "rid-5");
      CHECK(std::string(e.what()) == "An error occurred (ServerException) when calling the ListClusters operation: boom");
    }
    CHECK(f.fake->sent.size() == 4);
  }

  TEST_CASE("non-retryable errors fail at once") {
    Fixture f(k_env, [](const HttpRequest&) {
      return json_response(400, R"({"__type":"ClusterNotFoundException","message":"Cluster not found."})");
    });
    CHECK_THROWS_AS(call(f.ctx, "ecs", "DescribeServices", Json{{"services", {"s"}}}), ServiceError);
    CHECK(f.fake->sent.size() == 1);
    CHECK(f.sleeps.empty());
  }

  TEST_CASE("connection errors are retried, then reported as exit 255") {
    Fixture f(k_env, [](const HttpRequest& r) -> HttpResponse {
      throw TransportError("could not connect to the endpoint URL \"" + r.url + "\": Connection refused", false);
    });
    try {
      call(f.ctx, "ecs", "ListClusters", {});
      FAIL("expected an error");
    } catch (const ServiceError&) {
      FAIL("not a service error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::other);
      CHECK(std::string(e.what()).find("Connection refused") != std::string::npos);
    }
    CHECK(f.fake->sent.size() == 3);
  }

  TEST_CASE("a region in no partition: the connection error says so and suggests the nearest region") {
    auto env = k_env;
    env["AWS_REGION"] = "us-eest-1";
    Fixture f(env, [](const HttpRequest& r) -> HttpResponse {
      throw TransportError("could not connect to the endpoint URL \"" + r.url + "\": Couldn't resolve host name", false);
    });
    try {
      call(f.ctx, "ecs", "ListClusters", {});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::other);  // as the AWS CLI: a connection failure
      CHECK(e.hint().find("'us-eest-1' is in no partition") != std::string::npos);
      CHECK(e.hint().find("did you mean 'us-east-1'?") != std::string::npos);
    }
    CHECK(f.fake->sent.at(0).url == "https://ecs.us-eest-1.amazonaws.com/");

    Fixture known(k_env, [](const HttpRequest&) -> HttpResponse { throw TransportError("refused", false); });
    try {
      call(known.ctx, "ecs", "ListClusters", {});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.hint().empty());  // eu-west-1 is known: no region hint
    }
    CHECK(unknown_region_hint("eu-west-1").empty());
    CHECK(unknown_region_hint("us-gov-west-1").empty());
    CHECK(unknown_region_hint("xx-nowhere-9").find("no partition") != std::string::npos);
  }

  TEST_CASE("a local endpoint that does not answer: start the plane with `ecsctl local up`") {
    for (const char* url : {"http://127.0.0.1:4510", "https://localhost:4510/", "http://[::1]:4510", "http://127.0.0.2"}) {
      CAPTURE(url);
      CHECK(local_plane_hint(url).find("start it with `ecsctl local up`") != std::string::npos);
    }
    for (const char* url : {"https://ecs.us-east-1.amazonaws.com", "http://10.0.0.1:4510", "http://localhost.example.com"}) {
      CAPTURE(url);
      CHECK(local_plane_hint(url).empty());
    }
  }

  TEST_CASE("InvalidSignatureException and UnrecognizedClientException say what usually causes them") {
    for (const char* code : {"InvalidSignatureException", "UnrecognizedClientException"}) {
      CAPTURE(code);
      std::string body = std::string(R"({"__type":")") + code + R"(","message":"nope"})";
      Fixture f(k_env, [&body](const HttpRequest&) { return json_response(400, body); });
      try {
        call(f.ctx, "ecs", "ListClusters", {});
        FAIL("expected ServiceError");
      } catch (const ServiceError& e) {
        CHECK(e.code() == Exit::service);
        std::string hint = e.hint();
        if (std::string(code) == "InvalidSignatureException") {
          CHECK(hint.find("secret access key") != std::string::npos);
          CHECK(hint.find("clock") != std::string::npos);
        } else {
          CHECK(hint.find("session token") != std::string::npos);
          CHECK(hint.find("profile") != std::string::npos);
        }
      }
    }
  }

  TEST_CASE("legacy mode retries 5 times; the standard quota stops runaway retries") {
    Fixture f(k_env, [](const HttpRequest&) { return json_response(503, ""); });
    f.ctx.env.set("AWS_RETRY_MODE", "legacy");
    CHECK_THROWS_AS(call(f.ctx, "ecs", "ListClusters", {}), ServiceError);
    CHECK(f.fake->sent.size() == 5);

    Fixture g(k_env, [](const HttpRequest&) { return json_response(503, ""); });
    g.ctx.env.set("AWS_MAX_ATTEMPTS", "1000");
    CHECK_THROWS_AS(call(g.ctx, "ecs", "ListClusters", {}), ServiceError);
    CHECK(g.fake->sent.size() == 101);  // 500 tokens / 5 per retry
  }

  TEST_CASE("clock skew: the offset is learnt from Date and the call retried once") {
    auto server_time = std::chrono::system_clock::now() + std::chrono::hours(2);
    std::time_t t = std::chrono::system_clock::to_time_t(server_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    Fixture f(k_env, [&](const HttpRequest& r) {
      auto v = verify_sent(r, server_time);
      if (!v.ok) return json_response(400, Json{{"__type", v.error_code}, {"message", v.message}}.dump(), {{"Date", date}});
      return json_response(200, "{}");
    });
    call(f.ctx, "ecs", "ListClusters", {});
    CHECK(f.fake->sent.size() == 2);
    CHECK(f.s().clock_offset > std::chrono::minutes(110));
    CHECK(f.sleeps.empty());
  }

  TEST_CASE("unknown service or operation is a usage error") {
    Fixture f(k_env);
    try {
      call(f.ctx, "nope", "X", {});
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::usage);
    }
    CHECK_THROWS_AS(call(f.ctx, "ecs", "NoSuchOperation", {}), Error);
  }

  TEST_CASE("--debug logs requests, responses and retries, never the secrets") {
    int n = 0;
    Fixture f(k_env, [&](const HttpRequest&) {
      if (n++ == 0) return json_response(400, R"({"__type":"ThrottlingException","message":"slow down"})");
      return json_response(200, R"({"Credentials":{"AccessKeyId":"ASIAX","SecretAccessKey":"RESPONSESECRET","SessionToken":"RESPTOKEN"}})",
                           {{"x-amzn-RequestId", "req-1"}});
    });
    f.ctx.opts.debug = true;
    call(f.ctx, "ecs", "ListClusters", {});
    std::string log = f.err.str();
    CHECK(log.find("POST https://ecs.eu-west-1.amazonaws.com/") != std::string::npos);
    CHECK(log.find("X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters") != std::string::npos);
    CHECK(log.find("HTTP 400") != std::string::npos);
    CHECK(log.find("retrying in") != std::string::npos);
    CHECK(log.find("x-amzn-RequestId: req-1") != std::string::npos);
    CHECK(log.find("Signature=****") != std::string::npos);
    for (auto secret : {"s3cr3t/KEY+value", "SESSIONTOKENVALUE", "RESPONSESECRET", "RESPTOKEN"})
      CHECK_MESSAGE(log.find(secret) == std::string::npos, secret);
    // the signature value itself never appears
    for (auto& [k, v] : f.fake->sent[1].headers)
      if (k == "Authorization") CHECK(log.find(v.substr(v.find("Signature=") + 10)) == std::string::npos);
  }

  TEST_CASE("redaction helpers") {
    CHECK(redact_body(R"({"accessToken":"abc\"def","x":1})") == R"({"accessToken":"****","x":1})");
    // Secret-looking environment values of a task definition, anywhere in a JSON body.
    CHECK(redact_body(R"({"containerDefinitions":[{"environment":[{"name":"DB_PASSWORD","value":"hunter2"},)"
                      R"({"name":"LOG_LEVEL","value":"debug"}]}]})") ==
          R"({"containerDefinitions":[{"environment":[{"name":"DB_PASSWORD","value":"****"},)"
          R"({"name":"LOG_LEVEL","value":"debug"}]}]})");
    CHECK(redact_body("<SessionToken>tok</SessionToken><A>b</A>") == "<SessionToken>****</SessionToken><A>b</A>");
    CHECK(redact_body("Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJ.x.y&Version=1") ==
          "Action=AssumeRoleWithWebIdentity&WebIdentityToken=****&Version=1");
    CHECK(redact_header("X-Amz-Security-Token", "tok") == "****");
    CHECK(redact_header("Content-Type", "a/b") == "a/b");
  }

  TEST_CASE("idempotency token sent on mutating calls, identical across retries") {
    int n = 0;
    Fixture f(k_env, [&](const HttpRequest&) {
      if (n++ == 0) return json_response(500, "");
      return json_response(200, R"({"tasks":[],"failures":[]})");
    });
    call(f.ctx, "ecs", "RunTask", Json{{"taskDefinition", "td"}});
    REQUIRE(f.fake->sent.size() == 2);
    auto a = Json::parse(f.fake->sent[0].body), b = Json::parse(f.fake->sent[1].body);
    CHECK(a["clientToken"].is_string());
    CHECK(a["clientToken"] == b["clientToken"]);
  }
}
