// The credential chain with the FakeTransport standing in for STS, SSO,
// the container endpoint and instance metadata.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/api.hpp"
#include "client/credentials.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;
using ecsctl::client::testing::Fixture;
using ecsctl::client::testing::json_response;

namespace {

const char* k_assume_role_xml = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>ROLESECRET</SecretAccessKey>
  <SessionToken>ROLETOKEN</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
  </AssumeRoleResult></AssumeRoleResponse>)";

Error config_error(Fixture& f) {
  try {
    f.s().credentials();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected a credentials error");
  return Error(Exit::ok, "");
}

}  // namespace

TEST_SUITE("credentials") {
  TEST_CASE("environment first; partial environment is an error") {
    Fixture f(testing::Env{{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "SENV"}});
    f.home.write(".aws/credentials", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = SFILE\n");
    CHECK(f.s().credentials().creds.access_key_id == "AKENV");
    CHECK(f.s().credentials().source == "environment");

    Fixture g;
    g.ctx.env.set("AWS_ACCESS_KEY_ID", "AKENV");
    auto e = config_error(g);
    CHECK(e.code() == Exit::config);
    CHECK(std::string(e.what()).find("AWS_SECRET_ACCESS_KEY") != std::string::npos);
  }

  TEST_CASE("--profile skips environment credentials; AWS_PROFILE does not") {
    Fixture f(testing::Env{{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "SENV"}});
    f.home.write(".aws/credentials", "[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = SDEV\n");
    f.ctx.opts.profile = "dev";
    CHECK(f.s().credentials().creds.access_key_id == "AKDEV");

    Fixture g(testing::Env{{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "SENV"}, {"AWS_PROFILE", "dev"}});
    g.home.write(".aws/credentials", "[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = SDEV\n");
    g.ctx.opts.profile = "dev";
    CHECK(g.s().credentials().creds.access_key_id == "AKENV");
  }

  TEST_CASE("shared files: credentials file, then config file; session token") {
    Fixture f;
    f.home.write(".aws/config", "[profile cfg]\naws_access_key_id = AKCFG\naws_secret_access_key = SCFG\n"
                                "aws_session_token = TCFG\n");
    f.ctx.opts.profile = "cfg";
    auto& c = f.s().credentials();
    CHECK(c.creds.access_key_id == "AKCFG");
    CHECK(c.creds.session_token == "TCFG");
  }

  TEST_CASE("missing profile, partial profile and no credentials name the place") {
    Fixture f;
    f.ctx.opts.profile = "ghost";
    auto e = config_error(f);
    CHECK(std::string(e.what()).find("ghost") != std::string::npos);

    Fixture g;
    g.home.write(".aws/credentials", "[default]\n# only half\naws_access_key_id = AKHALF\n");
    auto e2 = config_error(g);
    CHECK(std::string(e2.what()).find("aws_secret_access_key") != std::string::npos);
    CHECK(e2.location().find("credentials:3") != std::string::npos);

    Fixture h;
    auto e3 = config_error(h);
    CHECK(e3.code() == Exit::config);
    CHECK(std::string(e3.what()) == "unable to locate credentials");
    CHECK(h.fake->sent.empty());  // IMDS disabled in the fixture, nothing sent
  }

  TEST_CASE("credential_process: argv without a shell, JSON, never logged") {
    Fixture f;
    f.home.write("proc.sh", "#!/bin/sh\nprintf '{\"Version\":1,\"AccessKeyId\":\"AKPROC\",\"SecretAccessKey\":\"%s\","
                            "\"SessionToken\":\"PROCTOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}' \"$1\"\n");
    f.home.write(".aws/config", "[default]\ncredential_process = sh \"" + f.home.path() +
                                    "/proc.sh\" 'secret with spaces;$(rm -rf x)'\n");
    auto& c = f.s().credentials();
    CHECK(c.creds.access_key_id == "AKPROC");
    CHECK(c.creds.secret_access_key == "secret with spaces;$(rm -rf x)");
    CHECK(c.expiration.has_value());
    CHECK(f.s().redact("x PROCTOKEN y") == "x **** y");

    Fixture g;
    g.home.write(".aws/config", "[default]\ncredential_process = sh -c 'echo not json'\n");
    auto e = config_error(g);
    CHECK(std::string(e.what()).find("JSON") != std::string::npos);
    CHECK(e.location().find("config:2") != std::string::npos);

    Fixture h;
    h.home.write(".aws/config", "[default]\ncredential_process = sh -c 'exit 3'\n");
    CHECK(std::string(config_error(h).what()).find("exit status 3") != std::string::npos);
  }

  TEST_CASE("credential_process with an Expiration in the past: refused as botocore does, nothing sent") {
    Fixture f(std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"}});
    f.home.write(".aws/config",
                 "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKOLD\","
                 "\"SecretAccessKey\":\"oldsecret\",\"SessionToken\":\"OLDTOKEN\","
                 "\"Expiration\":\"2001-01-01T00:00:00Z\"}'\n");
    try {
      call(f.ctx, "ecs", "ListClusters", Json::object());
      FAIL("expired credentials were used");
    } catch (const ServiceError&) {
      FAIL("expected a credentials error, not a service error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::config);
      CHECK(std::string(e.what()) == "Credentials were refreshed, but the refreshed credentials are still expired.");
      CHECK(e.hint().find("2001-01-01") != std::string::npos);
      CHECK(std::string(e.what()).find("oldsecret") == std::string::npos);
    }
    CHECK(f.fake->sent.empty());
  }

  TEST_CASE("split_command_line") {
    CHECK(split_command_line("a b  c") == std::vector<std::string>{"a", "b", "c"});
    CHECK(split_command_line("a 'b c' \"d \\\"e\\\"\" f\\ g") == std::vector<std::string>{"a", "b c", "d \"e\"", "f g"});
    CHECK(split_command_line("") .empty());
    CHECK_THROWS_AS(split_command_line("a 'b"), Error);
  }

  TEST_CASE("assume role with source_profile calls STS signed by the source, then caches") {
    Fixture f(testing::Env{{"AWS_REGION", "eu-west-1"}}, [](const HttpRequest& r) {
      if (r.body.find("Action=AssumeRole&") != std::string::npos) return json_response(200, k_assume_role_xml);
      return json_response(200, "{}");
    });
    f.home.write(".aws/config", "[profile app]\nrole_arn = arn:aws:iam::123:role/app\nsource_profile = base\n"
                                "role_session_name = me\n[profile base]\naws_access_key_id = AKBASE\n"
                                "aws_secret_access_key = SBASE\n");
    f.ctx.opts.profile = "app";
    auto c = f.s().credentials();
    CHECK(c.creds.access_key_id == "ASIAROLE");
    CHECK(c.creds.session_token == "ROLETOKEN");
    REQUIRE(f.fake->sent.size() == 1);
    auto& sts = f.fake->sent[0];
    CHECK(sts.url == "https://sts.eu-west-1.amazonaws.com/");
    CHECK(sts.body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fapp") != std::string::npos);
    CHECK(sts.body.find("RoleSessionName=me") != std::string::npos);
    bool by_base = false;
    for (auto& [k, v] : sts.headers) by_base |= k == "Authorization" && v.find("Credential=AKBASE/") != std::string::npos;
    CHECK(by_base);

    // the cache holds the role's secret: 0600 from creation, as botocore writes it
    int cached = 0;
    for (const auto& entry : std::filesystem::directory_iterator(f.home.path() + "/.aws/cli/cache")) {
      ++cached;
      auto perms = std::filesystem::status(entry.path()).permissions();
      CHECK((perms & std::filesystem::perms::all) ==
            (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    }
    CHECK(cached == 1);

    // a second process finds the cached credentials and sends nothing
    Fixture g;
    g.ctx.env.set("AWS_REGION", "eu-west-1");
    g.home.write(".aws/config", "[profile app]\nrole_arn = arn:aws:iam::123:role/app\nsource_profile = base\n"
                                "role_session_name = me\n[profile base]\naws_access_key_id = AKBASE\n"
                                "aws_secret_access_key = SBASE\n");
    std::filesystem::copy(f.home.path() + "/.aws/cli", g.home.path() + "/.aws/cli", std::filesystem::copy_options::recursive);
    g.ctx.opts.profile = "app";
    CHECK(g.s().credentials().creds.access_key_id == "ASIAROLE");
    CHECK(g.fake->sent.empty());
  }

  TEST_CASE("assume role: loops and missing sources are config errors") {
    Fixture f;
    f.home.write(".aws/config", "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n");
    f.ctx.opts.profile = "a";
    CHECK(std::string(config_error(f).what()).find("infinite loop") != std::string::npos);

    Fixture g;
    g.home.write(".aws/config", "[profile a]\nrole_arn = r\nsource_profile = nope\n");
    g.ctx.opts.profile = "a";
    auto e = config_error(g);
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
    CHECK(e.location().find("config:3") != std::string::npos);
  }

  TEST_CASE("web identity from the environment: unsigned AssumeRoleWithWebIdentity") {
    Fixture f({}, [](const HttpRequest&) {
      return json_response(200, R"(<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
        <AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>WEBSECRET</SecretAccessKey><SessionToken>WEBTOKEN</SessionToken>
        <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>
        </AssumeRoleWithWebIdentityResponse>)");
    });
    f.home.write("token", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n");
    f.ctx.env.set("AWS_WEB_IDENTITY_TOKEN_FILE", f.home.path() + "/token");
    f.ctx.env.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/ci");
    f.ctx.env.set("AWS_ROLE_SESSION_NAME", "gha");
    CHECK(f.s().credentials().creds.access_key_id == "ASIAWEB");
    REQUIRE(f.fake->sent.size() == 1);
    auto& r = f.fake->sent[0];
    CHECK(r.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos);
    CHECK(r.body.find("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig") != std::string::npos);
    CHECK(r.body.find("RoleSessionName=gha") != std::string::npos);
    for (auto& [k, v] : r.headers) CHECK(k != "Authorization");
  }

  TEST_CASE("web identity and credential_source from a profile") {
    Fixture f({}, [](const HttpRequest& r) {
      if (r.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos)
        return json_response(200, R"(<R><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAPWEB</AccessKeyId>
          <SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken></Credentials></AssumeRoleWithWebIdentityResult></R>)");
      return json_response(200, k_assume_role_xml);
    });
    f.home.write("tok", "jwt-token");
    f.home.write(".aws/config", "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = " +
                                    f.home.path() + "/tok\nregion = us-west-2\n"
                                    "[profile fromenv]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
                                    "region = us-west-2\n");
    f.ctx.opts.profile = "ci";
    CHECK(f.s().credentials().creds.access_key_id == "ASIAPWEB");
    CHECK(f.fake->sent.at(0).url == "https://sts.us-west-2.amazonaws.com/");

    Fixture g({}, [](const HttpRequest&) { return json_response(200, k_assume_role_xml); });
    g.home.write(".aws/config", "[profile fromenv]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n");
    g.ctx.env.set("AWS_ACCESS_KEY_ID", "AKFROMENV");
    g.ctx.env.set("AWS_SECRET_ACCESS_KEY", "SFROMENV");
    g.ctx.opts.profile = "fromenv";
    CHECK(g.s().credentials().creds.access_key_id == "ASIAROLE");
    bool by_env = false;
    for (auto& [k, v] : g.fake->sent.at(0).headers) by_env |= k == "Authorization" && v.find("AKFROMENV/") != std::string::npos;
    CHECK(by_env);
  }

  TEST_CASE("SSO: token cache by sso_session name, GetRoleCredentials, expiry says run aws sso login") {
    Fixture f({}, [](const HttpRequest& r) {
      CHECK(r.url == "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Admin&account_id=111");
      return json_response(200, R"({"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"SSOSECRET",
                                   "sessionToken":"SSOTOKEN","expiration":4070908800000}})");
    });
    f.home.write(".aws/config", "[profile sso]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Admin\n"
                                "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
    f.home.write(".aws/sso/cache/" + sha1_hex("corp") + ".json",
                 R"({"accessToken":"BEARER","expiresAt":"2099-01-01T00:00:00Z","region":"eu-west-1"})");
    f.ctx.opts.profile = "sso";
    auto c = f.s().credentials();
    CHECK(c.creds.access_key_id == "ASIASSO");
    REQUIRE(f.fake->sent.size() == 1);
    bool bearer = false;
    for (auto& [k, v] : f.fake->sent[0].headers) bearer |= k == "x-amz-sso_bearer_token" && v == "BEARER";
    CHECK(bearer);
    CHECK(sha1_hex("corp") == "ee0bfd2552fbd840c02cc48b6e823320543c450f");

    Fixture g;
    g.home.write(".aws/config", "[profile sso]\nsso_start_url = https://x/start\nsso_region = us-east-1\n"
                                "sso_account_id = 1\nsso_role_name = R\n");
    g.home.write(".aws/sso/cache/" + sha1_hex("https://x/start") + ".json",
                 R"({"accessToken":"OLD","expiresAt":"2001-01-01T00:00:00Z"})");
    g.ctx.opts.profile = "sso";
    auto e = config_error(g);
    CHECK(std::string(e.what()).find("expired") != std::string::npos);
    CHECK(e.hint().find("aws sso login") != std::string::npos);
  }

  TEST_CASE("container credentials with an authorization token") {
    Fixture f(testing::Env{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "CONTAINERAUTH"}},
              [](const HttpRequest& r) {
                bool auth = false;
                for (auto& [k, v] : r.headers) auth |= k == "Authorization" && v == "CONTAINERAUTH";
                if (!auth) return json_response(401, "");
                return json_response(200, R"({"AccessKeyId":"ASIACT","SecretAccessKey":"CTSECRET","Token":"CTTOKEN",
                                            "Expiration":"2099-01-01T00:00:00Z"})");
              });
    auto& c = f.s().credentials();
    CHECK(c.creds.access_key_id == "ASIACT");
    CHECK(c.creds.session_token == "CTTOKEN");
    CHECK(f.fake->sent[0].url == "http://127.0.0.1:1/creds");
  }

  TEST_CASE("IMDSv2: token first, then role, then credentials") {
    Fixture f(testing::Env{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:2/"}}, [](const HttpRequest& r) {
      if (r.method == "PUT") return json_response(200, "IMDSTOKEN");
      bool tok = false;
      for (auto& [k, v] : r.headers) tok |= k == "X-aws-ec2-metadata-token" && v == "IMDSTOKEN";
      if (!tok) return json_response(401, "");
      if (r.url.ends_with("/security-credentials/")) return json_response(200, "my-role");
      return json_response(200, R"({"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"IMDSSECRET",
                                  "Token":"IMDSSESSION","Expiration":"2099-01-01T00:00:00Z"})");
    });
    f.ctx.env.unset("AWS_EC2_METADATA_DISABLED");
    CHECK(f.s().credentials().creds.access_key_id == "ASIAIMDS");
    REQUIRE(f.fake->sent.size() == 3);
    CHECK(f.fake->sent[0].url == "http://127.0.0.1:2/latest/api/token");
    CHECK(f.fake->sent[2].url == "http://127.0.0.1:2/latest/meta-data/iam/security-credentials/my-role");
  }
}
