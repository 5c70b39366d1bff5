#include "client/credentials.hpp"

#include <csignal>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "client/endpoints.hpp"
#include "client/invoke.hpp"
#include "client/protocols.hpp"

namespace ecsctl::client {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Seconds since 1970 clamped to 1970 .. 2199: an expiration from a
// credential_process or a metadata endpoint beyond 2262 would overflow
// system_clock's nanoseconds (undefined behaviour).
TimePoint clamped_seconds(double seconds) {
  if (!(seconds > 0)) seconds = 0;
  if (seconds > 7258118400.0) seconds = 7258118400.0;
  return TimePoint(std::chrono::seconds(static_cast<long long>(seconds)));
}

std::optional<TimePoint> parse_expiration(const Json& v) {
  if (v.is_number()) {
    double n = v.get<double>();
    return clamped_seconds(n > 100000000000.0 ? n / 1000 : n);  // milliseconds or seconds
  }
  if (auto t = parse_timestamp(v)) return clamped_seconds(*t);
  return std::nullopt;
}

std::string iso_utc(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string location(const ConfigSection& p, std::string_view key) {
  if (auto* v = p.find(key)) return v->where() + " (profile " + p.name + ")";
  return p.file + ":" + std::to_string(p.line) + " (profile " + p.name + ")";
}

// Credentials from a JSON object with AccessKeyId/SecretAccessKey/(SessionToken|Token)/Expiration.
ResolvedCredentials from_json(const Json& j, std::string source, const std::string& where) {
  auto str = [&](std::initializer_list<const char*> keys) -> std::string {
    for (auto k : keys)
      if (j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
    return {};
  };
  ResolvedCredentials r;
  r.creds.access_key_id = str({"AccessKeyId", "accessKeyId"});
  r.creds.secret_access_key = str({"SecretAccessKey", "secretAccessKey"});
  r.creds.session_token = str({"SessionToken", "Token", "sessionToken"});
  for (auto k : {"Expiration", "expiration"})
    if (j.contains(k)) r.expiration = parse_expiration(j[k]);
  r.source = std::move(source);
  if (r.creds.access_key_id.empty() || r.creds.secret_access_key.empty())
    throw_config(r.source + " returned no AccessKeyId/SecretAccessKey", where);
  return r;
}

class Chain {
 public:
  explicit Chain(Session& s) : m_s(s), m_ctx(s.ctx()), m_env(s.ctx().env) {}

  ResolvedCredentials resolve() {
    if (!m_s.profile_explicit())
      if (auto c = from_env()) return *c;
    const ConfigSection* p = m_s.profile();
    if (p) {
      if (auto c = from_profile(*p, true)) return *c;
    } else if (auto c = web_identity_from_env()) {
      return *c;
    }
    if (auto c = from_container()) return *c;
    if (auto c = from_imds()) return *c;
    throw_config("unable to locate credentials", m_s.config().config_path + ", " + m_s.config().credentials_path,
                 "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws configure`, or choose a profile with --profile");
  }

 private:
  std::optional<ResolvedCredentials> from_env() {
    auto id = m_env.get_nonempty("AWS_ACCESS_KEY_ID"), secret = m_env.get_nonempty("AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) return std::nullopt;
    if (!id || !secret)
      throw_config("partial credentials found in the environment: " +
                       std::string(id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is missing",
                   "environment");
    ResolvedCredentials r;
    r.creds = {*id, *secret, m_env.get_nonempty("AWS_SESSION_TOKEN").value_or("")};
    r.source = "environment";
    return r;
  }

  // The providers that read one profile, in the AWS CLI's order.
  std::optional<ResolvedCredentials> from_profile(const ConfigSection& p, bool top) {
    if (std::find(m_visiting.begin(), m_visiting.end(), p.name) != m_visiting.end())
      throw_config("infinite loop in profile configuration: " + p.name + " is its own source_profile",
                   location(p, "source_profile"));
    m_visiting.push_back(p.name);
    auto done = [&](std::optional<ResolvedCredentials> c) {
      m_visiting.pop_back();
      return c;
    };
    bool has_keys = p.find("aws_access_key_id") || p.find("aws_secret_access_key");
    if (p.find("role_arn") && (top || !has_keys)) {
      if (p.find("web_identity_token_file") && !p.find("source_profile") && !p.find("credential_source"))
        return done(web_identity(*p.get("role_arn"), expand_home(m_env, *p.get("web_identity_token_file")),
                                 p.get("role_session_name"), location(p, "web_identity_token_file")));
      return done(assume_role(p));
    }
    if (top)
      if (auto c = web_identity_from_env()) return done(c);
    if (p.find("sso_session") || p.find("sso_start_url")) return done(sso(p));
    if (has_keys) return done(static_keys(p));
    if (auto* proc = p.find("credential_process")) return done(credential_process(*proc, p));
    return done(std::nullopt);
  }

  ResolvedCredentials static_keys(const ConfigSection& p) {
    auto id = p.get("aws_access_key_id"), secret = p.get("aws_secret_access_key");
    if (!id || id->empty() || !secret || secret->empty())
      throw_config("partial credentials in profile " + p.name + ": " +
                       std::string(id && !id->empty() ? "aws_secret_access_key" : "aws_access_key_id") + " is missing",
                   location(p, id ? "aws_access_key_id" : "aws_secret_access_key"));
    ResolvedCredentials r;
    r.creds = {*id, *secret, p.get("aws_session_token").value_or(p.get("aws_security_token").value_or(""))};
    r.source = "shared-credentials-file";
    return r;
  }

  ResolvedCredentials credential_process(const ConfigValue& v, const ConfigSection& p) {
    std::string where = v.where() + " (profile " + p.name + ")";
    auto argv = split_command_line(v.value);
    if (argv.empty()) throw_config("credential_process is empty", where);
    int out[2];
    if (pipe(out) != 0) throw_config("credential_process: cannot create a pipe", where);
    pid_t pid = fork();
    if (pid < 0) throw_config("credential_process: cannot fork", where);
    if (pid == 0) {
      std::signal(SIGPIPE, SIG_DFL);  // ecsctl ignores it (cli/main.cpp); the process gets the default
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    std::string output;
    char buf[4096];
    for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) output.append(buf, static_cast<size_t>(n));
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw_config("credential_process '" + argv[0] + "' failed (exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")",
                   where);
    Json j = Json::parse(output, nullptr, false);
    if (!j.is_object()) throw_config("credential_process '" + argv[0] + "' did not print a JSON object", where);
    if (j.value("Version", 0) != 1)
      throw_config("credential_process '" + argv[0] + "' printed an unsupported Version (expected 1)", where);
    auto r = from_json(j, "credential_process", where);
    m_s.add_secret(r.creds.secret_access_key);
    m_s.add_secret(r.creds.session_token);
    // botocore's RefreshableCredentials refuses credentials that are expired
    // as soon as they are fetched; nothing is signed with them.
    if (r.expiration && *r.expiration <= m_s.now())
      throw_config("Credentials were refreshed, but the refreshed credentials are still expired.", where,
                   "credential_process '" + argv[0] + "' returned an Expiration in the past (" +
                       iso_utc(*r.expiration) + "); check the process, or the clock of this machine");
    return r;
  }

  std::string cache_dir() { return expand_home(m_env, "~/.aws/cli/cache"); }

  std::optional<ResolvedCredentials> read_cache(const std::string& key) {
    auto text = slurp(cache_dir() + "/" + key + ".json");
    if (!text) return std::nullopt;
    Json j = Json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("Credentials")) return std::nullopt;
    try {
      auto r = from_json(j["Credentials"], "assume-role (cached)", key);
      // botocore's CachedCredentialFetcher: cached credentials with less than
      // 15 minutes left are fetched again (Session::credentials refreshes then too).
      if (r.expiration && *r.expiration > m_s.now() + std::chrono::minutes(15)) return r;
    } catch (const Error&) {
    }
    return std::nullopt;
  }

  void write_cache(const std::string& key, const ResolvedCredentials& r) {
    std::error_code ec;
    std::filesystem::create_directories(cache_dir(), ec);
    Json j{{"Credentials",
            {{"AccessKeyId", r.creds.access_key_id},
             {"SecretAccessKey", r.creds.secret_access_key},
             {"SessionToken", r.creds.session_token},
             {"Expiration", r.expiration ? iso_utc(*r.expiration) : ""}}}};
    std::string path = cache_dir() + "/" + key + ".json";
    // Created 0600 (and narrowed to it when it already existed) before a byte
    // of the secret is written, as botocore's JSONFileCache does.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    ::fchmod(fd, 0600);
    std::string text = j.dump();
    for (size_t done = 0; done < text.size();) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  }

  sigv4::Credentials source_credentials(const ConfigSection& p) {
    if (auto src = p.get("source_profile")) {
      const ConfigSection* sp = m_s.config().profile(*src);
      if (!sp) throw_config("source_profile '" + *src + "' does not exist", location(p, "source_profile"));
      auto c = from_profile(*sp, false);
      if (!c) throw_config("source_profile '" + *src + "' has no credentials", location(p, "source_profile"));
      return c->creds;
    }
    if (auto src = p.get("credential_source")) {
      std::optional<ResolvedCredentials> c;
      if (*src == "Environment") c = from_env();
      else if (*src == "EcsContainer") c = from_container();
      else if (*src == "Ec2InstanceMetadata") c = from_imds();
      else throw_config("unsupported credential_source '" + *src + "'", location(p, "credential_source"),
                        "use Environment, EcsContainer or Ec2InstanceMetadata");
      if (!c) throw_config("credential_source " + *src + " has no credentials", location(p, "credential_source"));
      return c->creds;
    }
    throw_config("profile " + p.name + " has role_arn but neither source_profile nor credential_source",
                 location(p, "role_arn"));
  }

  std::optional<ResolvedCredentials> assume_role(const ConfigSection& p) {
    if (p.find("mfa_serial"))
      throw_config("mfa_serial is not supported by ecsctl", location(p, "mfa_serial"),
                   "use `aws sts get-session-token` and export the result");
    Json input{{"RoleArn", *p.get("role_arn")},
               {"RoleSessionName", p.get("role_session_name").value_or("ecsctl-session")}};
    if (auto id = p.get("external_id")) input["ExternalId"] = *id;
    if (auto d = p.get("duration_seconds")) {
      try {
        input["DurationSeconds"] = std::stoi(*d);
      } catch (const std::exception&) {
        throw_config("duration_seconds must be a number", location(p, "duration_seconds"));
      }
    }
    std::string key = sha1_hex(input.dump());
    if (auto cached = read_cache(key)) return cached;
    auto source = source_credentials(p);
    CallOptions o;
    o.credentials = source;
    o.cli_endpoint = false;
    o.region = p.get("region").value_or(find_region(m_ctx, m_s.profile()).value_or("us-east-1"));
    Json out;
    try {
      out = invoke(m_s, "sts", "AssumeRole", input, o);
    } catch (const ServiceError& e) {
      throw Error(Exit::config, "assume-role for profile " + p.name + " failed: " + e.what(), location(p, "role_arn"));
    }
    auto r = from_json(out.value("Credentials", Json::object()), "assume-role", location(p, "role_arn"));
    write_cache(key, r);
    return r;
  }

  std::optional<ResolvedCredentials> web_identity_from_env() {
    auto file = m_env.get_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE"), role = m_env.get_nonempty("AWS_ROLE_ARN");
    if (!file || !role) return std::nullopt;
    return web_identity(*role, *file, m_env.get_nonempty("AWS_ROLE_SESSION_NAME"), "AWS_WEB_IDENTITY_TOKEN_FILE");
  }

  ResolvedCredentials web_identity(const std::string& role, const std::string& file,
                                   std::optional<std::string> session_name, const std::string& where) {
    auto token = slurp(file);
    if (!token) throw_config("cannot read the web identity token file " + file, where);
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
    m_s.add_secret(*token);
    Json input{{"RoleArn", role},
               {"RoleSessionName", session_name.value_or("ecsctl-web-identity")},
               {"WebIdentityToken", *token}};
    CallOptions o;
    o.sign = false;
    o.cli_endpoint = false;
    o.region = find_region(m_ctx, m_s.config().profile(m_s.profile_name())).value_or("us-east-1");
    Json out;
    try {
      out = invoke(m_s, "sts", "AssumeRoleWithWebIdentity", input, o);
    } catch (const ServiceError& e) {
      throw Error(Exit::config, std::string("web identity: ") + e.what(), where);
    }
    return from_json(out.value("Credentials", Json::object()), "web-identity", where);
  }

  ResolvedCredentials sso(const ConfigSection& p) {
    std::string start_url, sso_region, key;
    if (auto name = p.get("sso_session")) {
      auto it = m_s.config().sso_sessions.find(*name);
      if (it == m_s.config().sso_sessions.end())
        throw_config("sso_session '" + *name + "' has no [sso-session " + *name + "] section",
                     location(p, "sso_session"));
      start_url = it->second.get("sso_start_url").value_or("");
      sso_region = it->second.get("sso_region").value_or("");
      key = sha1_hex(*name);
    } else {
      start_url = *p.get("sso_start_url");
      sso_region = p.get("sso_region").value_or("");
      key = sha1_hex(start_url);
    }
    auto account = p.get("sso_account_id"), role = p.get("sso_role_name");
    if (!account || !role || sso_region.empty())
      throw_config("profile " + p.name + " needs sso_account_id, sso_role_name and sso_region", location(p, "sso_session"));
    std::string hint = "run `aws sso login --profile " + p.name + "`";
    std::string path = expand_home(m_env, "~/.aws/sso/cache/" + key + ".json");
    auto text = slurp(path);
    if (!text) throw_config("no cached SSO token for profile " + p.name, path, hint);
    Json tok = Json::parse(*text, nullptr, false);
    if (!tok.is_object() || !tok.contains("accessToken") || !tok["accessToken"].is_string())
      throw_config("the cached SSO token is unreadable", path, hint);
    auto expires = tok.contains("expiresAt") ? parse_expiration(tok["expiresAt"]) : std::nullopt;
    if (!expires || *expires <= m_s.now()) throw_config("the SSO session has expired", path, hint);
    m_s.add_secret(tok["accessToken"].get<std::string>());
    CallOptions o;
    o.sign = false;
    o.cli_endpoint = false;
    o.region = sso_region;
    Json out;
    try {
      out = invoke(m_s, "sso", "GetRoleCredentials",
                   Json{{"roleName", *role}, {"accountId", *account}, {"accessToken", tok["accessToken"]}}, o);
    } catch (const ServiceError& e) {
      throw Error(Exit::config, std::string("SSO GetRoleCredentials failed: ") + e.what(), path, hint);
    }
    return from_json(out.value("roleCredentials", Json::object()), "sso", location(p, "sso_role_name"));
  }

  std::optional<ResolvedCredentials> fetch_json(HttpRequest req, const std::string& what) {
    try {
      auto resp = m_s.transport().send(req);
      if (resp.status != 200) throw_config(what + " answered HTTP " + std::to_string(resp.status), req.url);
      Json j = Json::parse(resp.body, nullptr, false);
      if (!j.is_object()) throw_config(what + " returned no JSON", req.url);
      return from_json(j, what, req.url);
    } catch (const TransportError& e) {
      throw_config(what + " is unreachable: " + e.what(), req.url);
    }
  }

  std::optional<ResolvedCredentials> from_container() {
    HttpRequest req;
    req.method = "GET";
    req.timeout = 2;
    if (auto rel = m_env.get_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) req.url = "http://169.254.170.2" + *rel;
    else if (auto full = m_env.get_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI")) req.url = *full;
    else return std::nullopt;
    std::optional<std::string> token = m_env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (auto file = m_env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      token = slurp(*file);
      if (!token) throw_config("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file, "environment");
      while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
    }
    if (token) req.headers.emplace_back("Authorization", *token), m_s.add_secret(*token);
    return fetch_json(req, "container credentials endpoint");
  }

  std::optional<ResolvedCredentials> from_imds() {
    auto disabled = m_env.get_nonempty("AWS_EC2_METADATA_DISABLED");
    if (disabled && (*disabled == "true" || *disabled == "True")) return std::nullopt;
    std::string base = m_env.get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
    while (!base.empty() && base.back() == '/') base.pop_back();
    double timeout = 1;
    if (auto t = m_env.get_nonempty("AWS_METADATA_SERVICE_TIMEOUT")) try { timeout = std::stod(*t); } catch (...) {}
    try {
      HttpRequest tok{"PUT", base + "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, "", timeout};
      auto t = m_s.transport().send(tok);
      if (t.status != 200) return std::nullopt;
      m_s.add_secret(t.body);
      Headers h{{"X-aws-ec2-metadata-token", t.body}};
      std::string path = base + "/latest/meta-data/iam/security-credentials/";
      auto role = m_s.transport().send({"GET", path, h, "", timeout});
      if (role.status != 200 || role.body.empty()) return std::nullopt;
      std::string name = role.body.substr(0, role.body.find('\n'));
      auto creds = m_s.transport().send({"GET", path + name, h, "", timeout});
      if (creds.status != 200) return std::nullopt;
      Json j = Json::parse(creds.body, nullptr, false);
      if (!j.is_object()) return std::nullopt;
      return from_json(j, "instance metadata", path + name);
    } catch (const TransportError&) {
      return std::nullopt;  // not on EC2
    }
  }

  Session& m_s;
  Context& m_ctx;
  const Environment& m_env;
  std::vector<std::string> m_visiting;
};

}  // namespace

ResolvedCredentials resolve_credentials(Session& session) { return Chain(session).resolve(); }

std::vector<std::string> split_command_line(std::string_view command) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < command.size() &&
               (command[i + 1] == '"' || command[i + 1] == '\\' || command[i + 1] == '$'))
        cur += command[++i];
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      cur += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur), cur.clear(), in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) throw_config("credential_process has an unterminated quote");
  if (in_word) out.push_back(cur);
  return out;
}

std::string sha1_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += digits[md[i] >> 4], out += digits[md[i] & 15];
  return out;
}

}  // namespace ecsctl::client
