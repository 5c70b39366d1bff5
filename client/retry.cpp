#include "client/retry.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "schemas/model.hpp"

namespace ecsctl::client {

RetryConfig retry_config(const Context& ctx, const ConfigSection* profile) {
  RetryConfig cfg;
  std::optional<std::string> mode = ctx.env.get_nonempty("AWS_RETRY_MODE");
  std::string where = "AWS_RETRY_MODE";
  if (!mode && profile)
    if (auto* v = profile->find("retry_mode")) mode = v->value, where = v->where();
  if (mode) {
    if (*mode == "legacy") cfg.mode = RetryMode::legacy, cfg.max_attempts = 5;
    else if (*mode == "standard") cfg.mode = RetryMode::standard;
    else if (*mode == "adaptive") cfg.mode = RetryMode::adaptive;
    else throw_config("invalid retry_mode '" + *mode + "'", where, "use legacy, standard or adaptive");
  }
  std::optional<std::string> attempts = ctx.env.get_nonempty("AWS_MAX_ATTEMPTS");
  where = "AWS_MAX_ATTEMPTS";
  if (!attempts && profile)
    if (auto* v = profile->find("max_attempts")) attempts = v->value, where = v->where();
  if (attempts) {
    int n = 0;
    try {
      size_t used = 0;
      n = std::stoi(*attempts, &used);
      if (used != attempts->size()) n = 0;
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1) throw_config("invalid max_attempts '" + *attempts + "'", where, "use a whole number of at least 1");
    cfg.max_attempts = n;
  }
  return cfg;
}

namespace {

bool matches_retry_json(const AttemptFailure& f) {
  const Json& defs = model::retry_rules()["definitions"];
  for (auto& [name, def] : defs.items()) {
    const Json& when = def["applies_when"];
    if (when.contains("socket_errors") && f.connection_error) return true;
    if (!when.contains("response")) continue;
    const Json& r = when["response"];
    if (r.contains("crc32body")) continue;
    bool code_ok = !r.contains("service_error_code") || r["service_error_code"] == f.code;
    bool status_ok = !r.contains("http_status_code") || r["http_status_code"] == f.status;
    if (code_ok && status_ok && (r.contains("service_error_code") || r.contains("http_status_code"))) return true;
  }
  return false;
}

}  // namespace

bool is_throttling(const AttemptFailure& f) {
  static const char* codes[] = {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
                                "TooManyRequestsException", "ProvisionedThroughputExceededException",
                                "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
                                "LimitExceededException", "RequestThrottled", "SlowDown", "EC2ThrottledException"};
  if (f.status == 429) return true;
  return std::any_of(std::begin(codes), std::end(codes), [&](const char* c) { return f.code == c; });
}

bool is_retryable(const AttemptFailure& f) {
  if (f.connection_error) return true;
  static const char* transient[] = {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
                                    "InternalError", "InternalFailure", "ServiceUnavailable"};
  if (std::any_of(std::begin(transient), std::end(transient), [&](const char* c) { return f.code == c; })) return true;
  if (f.status == 500 || f.status == 502 || f.status == 503 || f.status == 504) return true;
  return is_throttling(f) || matches_retry_json(f);
}

double backoff_seconds(RetryMode mode, int retry, std::mt19937& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double r = unit(rng);
  (void)mode;  // legacy (_retry.json: base "rand", growth 2) and standard share the formula
  return std::min(r * std::pow(2.0, retry - 1), 20.0);
}

bool RetryQuota::acquire(const AttemptFailure& failure) {
  int cost = failure.timeout ? 10 : 5;
  if (m_tokens < cost) return false;
  m_tokens -= cost;
  m_last_cost = cost;
  return true;
}

void RetryQuota::on_success() {
  m_tokens = std::min(500, m_tokens + (m_last_cost ? m_last_cost : 1));
  m_last_cost = 0;
}

double RateLimiter::before_send(double now) {
  if (!m_enabled) return 0;
  m_tokens = std::min(std::max(m_rate, 1.0), m_tokens + (now - m_last) * m_rate);
  m_last = now;
  if (m_tokens >= 1) {
    m_tokens -= 1;
    return 0;
  }
  double wait = (1 - m_tokens) / m_rate;
  m_tokens = 0;
  return wait;
}

void RateLimiter::after_response(bool throttled, double now) {
  if (throttled) {
    if (!m_enabled) m_rate = 10, m_last = now, m_tokens = 1;
    m_enabled = true;
    m_last_max = m_rate;
    m_rate = std::max(0.5, m_rate * 0.7);  // CUBIC's multiplicative decrease
  } else if (m_enabled) {
    m_rate = std::min(m_last_max * 2 + 1, m_rate + 0.5);
  }
}

}  // namespace ecsctl::client
