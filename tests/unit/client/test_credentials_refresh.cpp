// Expiring credentials (issue 10, fault injection): refreshable credentials are
// fetched again in botocore's windows (15 minutes before expiry, advisory; 10
// minutes, mandatory), and an ExpiredTokenException with static keys is one
// error with the service-error exit code, after one request and without a secret.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

#include "core/error.hpp"
#include "client/api.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;
using ecsctl::client::testing::json_response;

namespace {

using TimePoint = std::chrono::system_clock::time_point;

// 2030-01-01T00:00:00Z.
const TimePoint k_t0 = TimePoint(std::chrono::seconds(1893456000));

// The access key id a request was signed with ("Credential=AKID/...").
std::string signed_key(const HttpRequest& r) {
  for (auto& [k, v] : r.headers)
    if (k == "Authorization") {
      auto at = v.find("Credential=");
      if (at == std::string::npos) return {};
      at += 11;
      return v.substr(at, v.find('/', at) - at);
    }
  return {};
}

}  // namespace

TEST_SUITE("credentials refresh") {
  TEST_CASE("credential_process with an Expiration: refreshed in botocore's advisory and mandatory windows") {
    Fixture f({{"AWS_REGION", "us-east-1"}},
              [](const HttpRequest&) { return json_response(200, R"({"clusterArns":[]})"); });
    // Run N prints AKPROC<N>, valid until 2030-01-01 0<N>:00 (N hours after k_t0);
    // while the file `fail` exists it fails (exit 1) without counting.
    const std::string dir = f.home.path();
    f.home.write("proc.sh",
                 "#!/bin/sh\nd=\"$1\"\n[ -f \"$d/fail\" ] && exit 1\necho x >>\"$d/runs\"\n"
                 "n=$(wc -l <\"$d/runs\" | tr -d ' ')\n"
                 "printf '{\"Version\":1,\"AccessKeyId\":\"AKPROC%s\",\"SecretAccessKey\":\"procsecret%s\","
                 "\"SessionToken\":\"PROCTOKEN%s\",\"Expiration\":\"2030-01-01T0%s:00:00Z\"}' $n $n $n $n\n");
    f.home.write(".aws/config", "[default]\ncredential_process = sh \"" + dir + "/proc.sh\" \"" + dir + "\"\n");
    TimePoint now = k_t0;
    f.s().now = [&] { return now; };
    auto runs = [&] {
      std::ifstream in(dir + "/runs");
      return static_cast<int>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
    };
    auto key_of_call = [&] {
      call(f.ctx, "ecs", "ListClusters", Json::object());
      return signed_key(f.fake->sent.back());
    };
    using std::chrono::minutes;

    CHECK(key_of_call() == "AKPROC1");
    now = k_t0 + minutes(40);  // 20 minutes left: kept
    CHECK(key_of_call() == "AKPROC1");
    CHECK(runs() == 1);
    now = k_t0 + minutes(46);  // 14 minutes left: advisory refresh
    CHECK(key_of_call() == "AKPROC2");
    CHECK(runs() == 2);
    now = k_t0 + minutes(47);  // the new ones last until 02:00
    CHECK(key_of_call() == "AKPROC2");
    CHECK(runs() == 2);

    f.home.write("fail", "");
    now = k_t0 + minutes(106);  // 14 minutes left, the process fails: the current ones are still used
    CHECK(key_of_call() == "AKPROC2");
    now = k_t0 + minutes(111);  // 9 minutes left, the process fails: the failure is the error
    auto sent = f.fake->sent.size();
    try {
      call(f.ctx, "ecs", "ListClusters", Json::object());
      FAIL("expected a credentials error");
    } catch (const ServiceError&) {
      FAIL("expected a credentials error, not a service error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::config);
      CHECK(std::string(e.what()).find("credential_process") != std::string::npos);
    }
    CHECK(f.fake->sent.size() == sent);  // nothing was sent with credentials about to expire

    std::filesystem::remove(dir + "/fail");
    CHECK(key_of_call() == "AKPROC3");
    CHECK(runs() == 3);
    CHECK(f.err.str().find("procsecret") == std::string::npos);
    CHECK(f.err.str().find("PROCTOKEN") == std::string::npos);
  }

  TEST_CASE("static keys: ExpiredTokenException is one request and one service error (254), without the secret") {
    Fixture f({{"AWS_ACCESS_KEY_ID", "AKIDSTATIC"},
               {"AWS_SECRET_ACCESS_KEY", "staticSECRETvalue"},
               {"AWS_SESSION_TOKEN", "staticSESSIONtoken"},
               {"AWS_REGION", "us-east-1"}},
              [](const HttpRequest&) {
                return json_response(400,
                                     R"({"__type":"ExpiredTokenException","message":"The security token included in the request is expired"})",
                                     {{"x-amzn-RequestId", "req-expired"}});
              });
    f.ctx.opts.debug = true;
    try {
      call(f.ctx, "ecs", "DescribeTasks", Json{{"tasks", {"t1"}}});
      FAIL("expected ExpiredTokenException");
    } catch (const ServiceError& e) {
      CHECK(e.code() == Exit::service);
      CHECK(e.error_code() == "ExpiredTokenException");
      CHECK(std::string(e.what()) ==
            "An error occurred (ExpiredTokenException) when calling the DescribeTasks operation: "
            "The security token included in the request is expired");
      CHECK(std::string(e.what()).find("staticSESSIONtoken") == std::string::npos);
    }
    CHECK(f.fake->sent.size() == 1);  // not retryable: no retry storm
    CHECK(f.sleeps.empty());
    CHECK(f.err.str().find("staticSECRETvalue") == std::string::npos);
    CHECK(f.err.str().find("staticSESSIONtoken") == std::string::npos);
  }
}
