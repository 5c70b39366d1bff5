// Retry policy in the AWS CLI's modes: which failures are retryable, how long
// to wait before the next attempt, and standard mode's retry quota.
#pragma once
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/context.hpp"
#include "client/config_file.hpp"

namespace ecsctl::client {

enum class RetryMode { legacy, standard, adaptive };

struct RetryConfig {
  RetryMode mode = RetryMode::standard;
  int max_attempts = 3;  // total attempts, the first included
};

// AWS_RETRY_MODE / retry_mode and AWS_MAX_ATTEMPTS / max_attempts; legacy
// mode defaults to 5 attempts, the others to 3. Throws Error(Exit::config) on bad values.
RetryConfig retry_config(const Context& ctx, const ConfigSection* profile);

// What went wrong with one attempt: an error code and status, or no response.
struct AttemptFailure {
  std::string code;
  int status = 0;
  bool connection_error = false;
  bool timeout = false;
};

// Whether the failure is retryable (the codes and statuses of _retry.json,
// the standard-mode transient and throttling codes, and connection errors).
bool is_retryable(const AttemptFailure& failure);
bool is_throttling(const AttemptFailure& failure);

// Seconds to wait before retry number `retry` (1-based): full jitter
// (random in [0, 2^(retry-1))), capped at 20 s, as botocore computes it.
double backoff_seconds(RetryMode mode, int retry, std::mt19937& rng);

// Standard mode's token bucket: 500 tokens, a retry costs 5 (10 after a
// timeout), a success refunds what its retries cost (or 1 without retries).
class RetryQuota {
 public:
  bool acquire(const AttemptFailure& failure);
  void on_success();
  int available() const { return m_tokens; }

 private:
  int m_tokens = 500;
  int m_last_cost = 0;
};

// Adaptive mode's client-side rate limiter: the send rate halves on
// throttling and grows back on success; before() returns seconds to wait.
class RateLimiter {
 public:
  double before_send(double now_seconds);
  void after_response(bool throttled, double now_seconds);

 private:
  bool m_enabled = false;
  double m_rate = 0, m_tokens = 0, m_last = 0, m_last_max = 0;
};

}  // namespace ecsctl::client
