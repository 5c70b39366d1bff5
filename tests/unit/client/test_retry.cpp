#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/retry.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;

TEST_SUITE("retry") {
  TEST_CASE("classification") {
    CHECK(is_retryable({"ThrottlingException", 400, false, false}));
    CHECK(is_retryable({"Throttling", 400, false, false}));
    CHECK(is_retryable({"", 500, false, false}));
    CHECK(is_retryable({"", 502, false, false}));
    CHECK(is_retryable({"", 503, false, false}));
    CHECK(is_retryable({"", 504, false, false}));
    CHECK(is_retryable({"", 509, false, false}));  // _retry.json: limit_exceeded
    CHECK(is_retryable({"", 429, false, false}));
    CHECK(is_retryable({"ProvisionedThroughputExceededException", 400, false, false}));
    CHECK(is_retryable({"RequestTimeout", 408, false, false}));
    CHECK(is_retryable({"", 0, true, false}));
    CHECK_FALSE(is_retryable({"ClusterNotFoundException", 400, false, false}));
    CHECK_FALSE(is_retryable({"AccessDeniedException", 400, false, false}));
    CHECK_FALSE(is_retryable({"InvalidParameterException", 400, false, false}));
    CHECK_FALSE(is_retryable({"", 404, false, false}));
    CHECK(is_throttling({"ThrottlingException", 400, false, false}));
    CHECK_FALSE(is_throttling({"", 500, false, false}));
  }

  TEST_CASE("backoff: full jitter, exponential, capped at 20 s") {
    std::mt19937 rng(42);
    for (int retry = 1; retry <= 10; ++retry) {
      double max_seen = 0;
      for (int i = 0; i < 200; ++i) {
        double d = backoff_seconds(RetryMode::standard, retry, rng);
        CHECK(d >= 0);
        CHECK(d <= std::min(20.0, std::pow(2.0, retry - 1)));
        max_seen = std::max(max_seen, d);
      }
      // jitter spreads over the whole range, not a fixed delay
      CHECK(max_seen > 0.5 * std::min(20.0, std::pow(2.0, retry - 1)));
    }
    for (int i = 0; i < 100; ++i) CHECK(backoff_seconds(RetryMode::legacy, 1, rng) < 1.0);
  }

  TEST_CASE("quota: retries drain it, timeouts cost more, successes refund") {
    RetryQuota q;
    CHECK(q.available() == 500);
    CHECK(q.acquire({"", 500, false, false}));
    CHECK(q.available() == 495);
    q.on_success();
    CHECK(q.available() == 500);
    CHECK(q.acquire({"", 0, true, true}));
    CHECK(q.available() == 490);
    int granted = 0;
    while (q.acquire({"", 503, false, false})) ++granted;
    CHECK(granted == 98);
    CHECK(q.available() == 0);
  }

  TEST_CASE("config: defaults, env, profile, bad values") {
    Fixture f;
    auto c = retry_config(f.ctx, nullptr);
    CHECK(c.mode == RetryMode::standard);
    CHECK(c.max_attempts == 3);
    ConfigSection p;
    p.values["retry_mode"] = ConfigValue{"legacy", "cfg", 4, {}};
    CHECK(retry_config(f.ctx, &p).max_attempts == 5);
    p.values["max_attempts"] = ConfigValue{"7", "cfg", 5, {}};
    CHECK(retry_config(f.ctx, &p).max_attempts == 7);
    f.ctx.env.set("AWS_RETRY_MODE", "adaptive");
    f.ctx.env.set("AWS_MAX_ATTEMPTS", "2");
    CHECK(retry_config(f.ctx, &p).mode == RetryMode::adaptive);
    CHECK(retry_config(f.ctx, &p).max_attempts == 2);
    f.ctx.env.set("AWS_MAX_ATTEMPTS", "zero");
    CHECK_THROWS_AS(retry_config(f.ctx, &p), Error);
    f.ctx.env.unset("AWS_MAX_ATTEMPTS");
    f.ctx.env.set("AWS_RETRY_MODE", "sometimes");
    try {
      retry_config(f.ctx, &p);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::config);
    }
  }

  TEST_CASE("adaptive limiter slows down after throttling") {
    RateLimiter l;
    CHECK(l.before_send(0) == 0);
    for (int i = 0; i < 5; ++i) l.after_response(true, 0.0);
    double waited = 0;
    for (int i = 0; i < 10; ++i) waited += l.before_send(0.0);
    CHECK(waited > 0);
  }
}
