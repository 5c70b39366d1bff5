// resolve_secret_value (local/account.hpp): what the engine runtime puts in a
// container's environment for a `secrets` entry: a Secrets Manager ARN, with
// json-key, version-stage and version-id parts, or an SSM parameter name or ARN.
#include <doctest/doctest.h>

#include "local/account.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

constexpr const char* k_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";

struct Fixture {
  Store store{":memory:"};
  AccountContext ctx{store, "us-east-1", "123456789012"};
  Fixture() {
    Json s = {{"ARN", k_arn},
              {"Name", "app/db"},
              {"_",
               {{"versions",
                 {{"v-old", {{"stages", {"AWSPREVIOUS"}}, {"SecretString", R"({"password": "old-pw"})"}}},
                  {"v-new", {{"stages", {"AWSCURRENT"}}, {"SecretString", R"({"password": "new-pw", "port": 5432})"}}}}}}}};
    store.put("secretsmanager_secrets", "app/db", s);
    store.put("ssm_parameters", "/app/token", {{"Name", "/app/token"}, {"Type", "SecureString"}, {"_", {{"value", "tok"}}}});
    store.put("ssm_parameters", "plain", {{"Name", "plain"}, {"Type", "String"}, {"_", {{"value", "p"}}}});
    store.commit();
  }
  std::optional<std::string> get(const std::string& from) { return resolve_secret_value(ctx, from); }
};

}  // namespace

TEST_CASE("resolve_secret_value: Secrets Manager ARN and its parts") {
  Fixture f;
  CHECK(f.get(k_arn) == std::optional<std::string>(R"({"password": "new-pw", "port": 5432})"));
  CHECK(f.get(std::string(k_arn) + ":password::") == std::optional<std::string>("new-pw"));
  CHECK(f.get(std::string(k_arn) + ":port::") == std::optional<std::string>("5432"));
  CHECK(f.get(std::string(k_arn) + ":password:AWSPREVIOUS:") == std::optional<std::string>("old-pw"));
  CHECK(f.get(std::string(k_arn) + ":password::v-old") == std::optional<std::string>("old-pw"));
  CHECK(f.get(std::string(k_arn) + "::AWSCURRENT:") == std::optional<std::string>(R"({"password": "new-pw", "port": 5432})"));
  CHECK_FALSE(f.get(std::string(k_arn) + ":nokey::").has_value());
  CHECK_FALSE(f.get(std::string(k_arn) + ":password:AWSPENDING:").has_value());
  CHECK_FALSE(f.get(std::string(k_arn) + ":password::v-none").has_value());
  CHECK_FALSE(f.get("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/other-AbCdEf").has_value());
}

TEST_CASE("resolve_secret_value: SSM parameter names and ARNs") {
  Fixture f;
  CHECK(f.get("/app/token") == std::optional<std::string>("tok"));
  CHECK(f.get("arn:aws:ssm:us-east-1:123456789012:parameter/app/token") == std::optional<std::string>("tok"));
  CHECK(f.get("arn:aws:ssm:us-east-1:123456789012:parameter/plain") == std::optional<std::string>("p"));
  CHECK(f.get("plain") == std::optional<std::string>("p"));
  CHECK_FALSE(f.get("/app/nope").has_value());
}
