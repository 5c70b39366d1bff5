#include "client/session.hpp"

#include <iostream>
#include <thread>

#include "core/error.hpp"
#include "client/credentials.hpp"
#include "client/endpoints.hpp"

namespace ecsctl::client {

Session::Session(Context& ctx) : m_ctx(ctx), m_rng(std::random_device{}()) {
  sleep = [](double s) {
    if (s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(s));
  };
  now = [] { return std::chrono::system_clock::now(); };
}

const AwsConfig& Session::config() {
  if (!m_config) m_config = load_aws_config(m_ctx.env);
  return *m_config;
}

std::string Session::profile_name() const {
  if (m_ctx.opts.profile && !m_ctx.opts.profile->empty()) return *m_ctx.opts.profile;
  if (auto p = m_ctx.env.get_nonempty("AWS_PROFILE")) return *p;
  return "default";
}

bool Session::profile_explicit() const {
  return m_ctx.opts.profile && !m_ctx.opts.profile->empty() && m_ctx.env.get("AWS_PROFILE") != m_ctx.opts.profile;
}

const ConfigSection* Session::profile() {
  auto name = profile_name();
  const ConfigSection* p = config().profile(name);
  if (!p && name != "default")
    throw_config("the config profile (" + name + ") could not be found",
                 config().config_path + ", " + config().credentials_path,
                 "check --profile / AWS_PROFILE, or add [profile " + name + "] to " + config().config_path);
  return p;
}

std::string Session::region() {
  if (auto r = find_region(m_ctx, profile())) return *r;
  throw_config("you must specify a region", {},
               "use --region, set AWS_REGION, or run `aws configure set region <region>` for profile " +
                   profile_name());
}

Transport& Session::transport() {
  if (!m_transport) {
    TransportOptions o;
    o.connect_timeout = m_ctx.opts.connect_timeout;
    o.read_timeout = m_ctx.opts.read_timeout;
    o.verify_ssl = m_ctx.opts.verify_ssl;
    if (m_ctx.opts.ca_bundle && !m_ctx.opts.ca_bundle->empty()) o.ca_bundle = expand_home(m_ctx.env, *m_ctx.opts.ca_bundle);
    else if (auto ca = m_ctx.env.get_nonempty("AWS_CA_BUNDLE")) o.ca_bundle = expand_home(m_ctx.env, *ca);
    else if (auto* p = profile())
      if (auto ca = p->get("ca_bundle")) o.ca_bundle = expand_home(m_ctx.env, *ca);
    if (!o.verify_ssl)
      m_ctx.err << "warning: --no-verify-ssl: TLS certificates are not verified; the connection can be intercepted\n";
    // A request these send through a proxy goes to libcurl, which reads them
    // itself; the built-in client speaks to endpoints directly.
    auto var = [&](const char* lower_name, const char* upper_name) {
      if (auto v = m_ctx.env.get_nonempty(lower_name)) return *v;
      return m_ctx.env.get_nonempty(upper_name).value_or("");
    };
    o.http_proxy = var("http_proxy", "HTTP_PROXY");
    o.https_proxy = var("https_proxy", "HTTPS_PROXY");
    o.all_proxy = var("all_proxy", "ALL_PROXY");
    o.no_proxy = var("no_proxy", "NO_PROXY");
    if (m_ctx.env.get_nonempty("ECSCTL_HTTP_CLIENT").value_or("") == "curl") o.builtin_client = false;
    m_transport = make_transport(o);
  }
  return *m_transport;
}

// As botocore's RefreshableCredentials: credentials that say when they expire
// (credential_process, assume-role, web identity, SSO, container, instance
// metadata) are fetched again 15 minutes before that (advisory: a failure
// keeps the current ones while more than 10 minutes are left) and must be
// fetched again 10 minutes before (mandatory: a failure is the error).
// Static keys (environment, credentials file) have no expiration and are
// never refreshed; the service's ExpiredTokenException is then the error.
const ResolvedCredentials& Session::credentials() {
  if (m_creds && m_creds->expiration) {
    auto left = *m_creds->expiration - now();
    if (left < std::chrono::minutes(15)) {
      try {
        set_credentials(resolve_credentials(*this));
      } catch (const Error& e) {
        if (left < std::chrono::minutes(10)) throw;
        if (m_ctx.opts.debug)
          m_ctx.err << "[debug] refreshing credentials failed; the current ones are valid for "
                    << std::chrono::duration_cast<std::chrono::minutes>(left).count()
                    << " more minutes: " << redact(e.what()) << "\n";
      }
    }
  }
  if (!m_creds) set_credentials(resolve_credentials(*this));
  return *m_creds;
}

void Session::set_credentials(ResolvedCredentials creds) {
  add_secret(creds.creds.secret_access_key);
  add_secret(creds.creds.session_token);
  m_creds = std::move(creds);
}

RetryConfig Session::retry_config() {
  if (!m_retry) m_retry = client::retry_config(m_ctx, profile());
  return *m_retry;
}

void Session::add_secret(const std::string& secret) {
  if (secret.size() >= 4 && std::find(m_secrets.begin(), m_secrets.end(), secret) == m_secrets.end())
    m_secrets.push_back(secret);
}

std::string Session::redact(std::string text) const {
  for (auto& s : m_secrets)
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) text.replace(pos, s.size(), "****");
  return text;
}

Session& session(Context& ctx) {
  return ctx.service<Session>([&] { return std::make_shared<Session>(ctx); });
}

}  // namespace ecsctl::client
