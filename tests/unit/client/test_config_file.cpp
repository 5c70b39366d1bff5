#include <doctest/doctest.h>

#include "core/error.hpp"
#include "client/config_file.hpp"
#include "client_fixture.hpp"

using namespace ecsctl;
using namespace ecsctl::client;

TEST_SUITE("config file") {
  TEST_CASE("sections, comments, spaces, continuation and nested values") {
    auto ini = parse_ini(
        "# comment\n; another\n[default]\nregion = eu-west-1\n  \n[profile dev]\n"
        "aws_access_key_id=AKID\nrole_arn = arn:aws:iam::1:role/x\n  more\n"
        "s3 =\n  max_concurrent_requests = 20\n  region = us-west-2\n",
        "cfg");
    REQUIRE(ini.count("default"));
    CHECK(ini["default"].get("region") == "eu-west-1");
    auto& dev = ini["profile dev"];
    CHECK(dev.get("aws_access_key_id") == "AKID");
    CHECK(dev.get("role_arn") == "arn:aws:iam::1:role/x\nmore");
    CHECK(dev.find("role_arn")->line == 8);
    CHECK(dev.find("s3")->nested.at("max_concurrent_requests") == "20");
    CHECK(dev.find("s3")->where() == "cfg:10");
  }

  TEST_CASE("malformed files name the file and line") {
    auto fails = [](const char* text, const char* where) {
      try {
        parse_ini(text, "/x/config");
        FAIL("no error for: " << text);
      } catch (const Error& e) {
        CHECK(e.code() == Exit::config);
        CHECK(e.location() == where);
      }
    };
    fails("[default\nregion=x\n", "/x/config:1");
    fails("region = x\n", "/x/config:1");
    fails("[default]\nregion\n", "/x/config:2");
    fails("[default]\n= value\n", "/x/config:2");
    fails("[]\n", "/x/config:1");
  }

  TEST_CASE("config and credentials merge; credentials file wins; env paths") {
    testing::TempHome home;
    home.write("cfg", "[default]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n[profile dev]\nregion=us-east-2\n"
                      "[sso-session corp]\nsso_region = eu-west-1\n[services local]\necs =\n  endpoint_url = http://x\n"
                      "[orphan]\nregion = nowhere\n");
    home.write("creds", "[default]\naws_access_key_id = FROMCREDS\naws_secret_access_key = S\n[dev]\naws_access_key_id = D\n");
    auto env = Environment::isolated({{"HOME", home.path()},
                                      {"AWS_CONFIG_FILE", home.path() + "/cfg"},
                                      {"AWS_SHARED_CREDENTIALS_FILE", home.path() + "/creds"}});
    auto cfg = load_aws_config(env);
    REQUIRE(cfg.profile("default"));
    CHECK(cfg.profile("default")->get("aws_access_key_id") == "FROMCREDS");
    CHECK(cfg.profile("default")->get("region") == "eu-west-1");
    CHECK(cfg.profile("dev")->get("region") == "us-east-2");
    CHECK(cfg.profile("dev")->get("aws_access_key_id") == "D");
    CHECK(cfg.profile("orphan") == nullptr);
    CHECK(cfg.sso_sessions.at("corp").get("sso_region") == "eu-west-1");
    CHECK(cfg.services.at("local").find("ecs")->nested.at("endpoint_url") == "http://x");
  }

  TEST_CASE("missing files are empty; default paths under HOME") {
    testing::TempHome home;
    auto cfg = load_aws_config(Environment::isolated({{"HOME", home.path()}}));
    CHECK(cfg.profiles.empty());
    CHECK(cfg.config_path == home.path() + "/.aws/config");
    CHECK(cfg.credentials_path == home.path() + "/.aws/credentials");
  }
}
