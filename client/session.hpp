// The per-process client state, built on first network use and kept in the
// Context (ctx.service<Session>): config files, profile, region, credentials,
// transport, retry state and the list of secrets to redact.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "client/config_file.hpp"
#include "client/retry.hpp"
#include "client/sigv4.hpp"
#include "client/transport.hpp"

namespace ecsctl::client {

struct ResolvedCredentials {
  sigv4::Credentials creds;
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // "environment", "shared-credentials-file", "assume-role", "sso", ...
};

class Session {
 public:
  explicit Session(Context& ctx);
  Context& ctx() { return m_ctx; }

  // The merged config/credentials files, read on first use.
  const AwsConfig& config();
  // The profile in use: --profile, AWS_PROFILE or "default".
  std::string profile_name() const;
  // Whether the profile came from --profile (which skips environment credentials).
  bool profile_explicit() const;
  // The profile's section; nullptr when absent. Throws Error(Exit::config) when
  // a profile was named and does not exist.
  const ConfigSection* profile();
  // The region chain; throws Error(Exit::config) when no region is configured.
  std::string region();

  Transport& transport();
  // Replaces the transport (tests inject a FakeTransport here).
  void set_transport(std::shared_ptr<Transport> transport) { m_transport = std::move(transport); }

  // The credential chain's result, resolved once and, for credentials with an
  // expiration, again from 15 minutes before it (botocore's refresh windows).
  const ResolvedCredentials& credentials();
  void set_credentials(ResolvedCredentials creds);

  RetryConfig retry_config();
  RetryQuota& quota() { return m_quota; }
  RateLimiter& limiter() { return m_limiter; }
  std::mt19937& rng() { return m_rng; }

  // Waiting and the clock, replaceable in tests.
  std::function<void(double seconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> now;
  // Added to now() when signing, learnt from a RequestTimeTooSkewed response.
  std::chrono::seconds clock_offset{0};

  // Secrets never to print: each is replaced by "****" in redact().
  void add_secret(const std::string& secret);
  std::string redact(std::string text) const;

 private:
  Context& m_ctx;
  std::optional<AwsConfig> m_config;
  std::shared_ptr<Transport> m_transport;
  std::optional<ResolvedCredentials> m_creds;
  std::optional<RetryConfig> m_retry;
  RetryQuota m_quota;
  RateLimiter m_limiter;
  std::mt19937 m_rng;
  std::vector<std::string> m_secrets;
};

// The Session of `ctx`, created on first use.
Session& session(Context& ctx);

}  // namespace ecsctl::client
