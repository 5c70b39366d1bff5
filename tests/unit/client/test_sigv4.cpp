// SigV4 against the published AWS Signature Version 4 test suite
// (credentials AKIDEXAMPLE, region us-east-1, service "service", 20150830T123600Z)
// and verification edge cases.
#include <doctest/doctest.h>

#include "client/sigv4.hpp"

using namespace ecsctl::sigv4;
using namespace std::chrono;

namespace {

const Credentials k_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const auto k_when = sys_days{2015y / 8 / 30} + 12h + 36min;

Request make(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> query = {},
             std::vector<std::pair<std::string, std::string>> extra = {}, std::string body = {}) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers.emplace_back("Host", "example.amazonaws.com");
  for (auto& h : extra) r.headers.push_back(h);
  r.body = std::move(body);
  return r;
}

std::string authorization_of(Request r, const Credentials& creds = k_creds) {
  sign(r, creds, "us-east-1", "service", k_when);
  for (auto& [k, v] : r.headers)
    if (k == "Authorization") return v;
  return {};
}

std::string expected(std::string headers, std::string sig) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
         headers + ", Signature=" + sig;
}

}  // namespace

TEST_SUITE("sigv4") {
  TEST_CASE("primitives") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hmac_sha256("key", "The quick brown fox jumps over the lazy dog").size() == 32);
  }

  TEST_CASE("get-vanilla: canonical request, string to sign and authorization") {
    auto r = make("GET", "/");
    r.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
    auto creq = canonical_request(r, {"host", "x-amz-date"}, sha256_hex(""));
    CHECK(creq ==
          "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    auto sts = string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq);
    CHECK(sts == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                 "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    CHECK(authorization_of(make("GET", "/")) ==
          expected("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  }

  TEST_CASE("query strings: order by key then value, unreserved and utf-8") {
    CHECK(authorization_of(make("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}})) ==
          expected("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
    CHECK(authorization_of(make("GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}})) ==
          expected("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"));
    CHECK(authorization_of(make("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}})) ==
          expected("host;x-amz-date", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));
    std::string unres = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    CHECK(authorization_of(make("GET", "/", {{unres, unres}})) ==
          expected("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
    CHECK(authorization_of(make("GET", "/", {{"\xe1\x88\xb4", "bar"}})) ==
          expected("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
    CHECK(authorization_of(make("POST", "/", {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}})) ==
          expected("host;x-amz-date", "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"));
    CHECK(authorization_of(make("GET", "/", {{"Param1", "value1"}})) ==
          expected("host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"));
  }

  TEST_CASE("headers: trimmed, collapsed, duplicates joined in order, values keep case") {
    CHECK(authorization_of(make("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}})) ==
          expected("host;my-header1;my-header2;x-amz-date",
                   "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
    CHECK(authorization_of(make("GET", "/", {},
                                {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}})) ==
          expected("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
    CHECK(authorization_of(make("GET", "/", {},
                                {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"},
                                 {"My-Header1", "value2"}})) ==
          expected("host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
    CHECK(authorization_of(make("GET", "/", {}, {{"My-Header1", "value1\n  value2\n     value3"}})) ==
          expected("host;my-header1;x-amz-date", "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790"));
    CHECK(authorization_of(make("POST", "/", {}, {{"My-Header1", "VALUE1"}})) ==
          expected("host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"));
  }

  TEST_CASE("bodies: form-encoded POST") {
    CHECK(authorization_of(make("POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "Param1=value1")) ==
          expected("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
    CHECK(authorization_of(make("POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                                "Param1=value1")) ==
          expected("content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"));
    CHECK(authorization_of(make("POST", "/")) ==
          expected("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
  }

  TEST_CASE("paths: utf-8, unreserved, spaces and normalisation") {
    CHECK(authorization_of(make("GET", "/\xe1\x88\xb4")) ==
          expected("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
    CHECK(authorization_of(make("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) ==
          expected("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
    CHECK(authorization_of(make("GET", "/example space/")) ==
          expected("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"));
    std::string vanilla = expected("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    for (auto p : {"//", "/./", "/example/..", "/example1/example2/../.."}) CHECK(authorization_of(make("GET", p)) == vanilla);
    CHECK(authorization_of(make("GET", "/./example")) ==
          expected("host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"));
    CHECK(authorization_of(make("GET", "//example//")) ==
          expected("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"));
  }

  TEST_CASE("session token is signed") {
    Credentials c = k_creds;
    c.session_token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuw"
        "thAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcH"
        "NVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    CHECK(authorization_of(make("POST", "/"), c) ==
          expected("host;x-amz-date;x-amz-security-token",
                   "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
  }

  TEST_CASE("signing twice replaces the earlier signature") {
    auto r = make("POST", "/");
    sign(r, k_creds, "us-east-1", "service", k_when, true);
    sign(r, k_creds, "us-east-1", "service", k_when, true);
    int auth = 0, date = 0, sha = 0;
    for (auto& [k, v] : r.headers) {
      auth += k == "Authorization";
      date += k == "X-Amz-Date";
      sha += k == "X-Amz-Content-SHA256";
    }
    CHECK(auth == 1);
    CHECK(date == 1);
    CHECK(sha == 1);
  }
}

TEST_SUITE("sigv4 verify") {
  auto lookup = [](std::string_view key) -> std::optional<std::string> {
    if (key == "AKIDEXAMPLE") return std::string(k_creds.secret_access_key);
    return std::nullopt;
  };

  TEST_CASE("a signed request verifies; any change breaks it") {
    auto r = make("POST", "/p%20q", {{"a", "b c"}}, {{"Content-Type", "application/json"}}, "{\"x\":1}");
    sign(r, k_creds, "us-east-1", "ecs", k_when);
    auto v = verify(r, lookup, k_when + 1min);
    CHECK(v.ok);
    CHECK(v.access_key_id == "AKIDEXAMPLE");

    SUBCASE("body") { r.body = "{\"x\":2}"; }
    SUBCASE("query") { r.query[0].second = "b"; }
    SUBCASE("path") { r.path = "/p%20r"; }
    SUBCASE("signed header") { r.headers[1].second = "text/plain"; }
    SUBCASE("method") { r.method = "PUT"; }
    auto bad = verify(r, lookup, k_when);
    CHECK_FALSE(bad.ok);
    CHECK(bad.error_code == "InvalidSignatureException");
    CHECK(bad.message.starts_with("The request signature we calculated does not match the signature you provided."));
  }

  TEST_CASE("wrong secret, unknown key, missing header, skew") {
    auto r = make("POST", "/");
    Credentials wrong = k_creds;
    wrong.secret_access_key = "not-the-secret";
    sign(r, wrong, "us-east-1", "ecs", k_when);
    CHECK(verify(r, lookup, k_when).error_code == "InvalidSignatureException");

    auto u = make("POST", "/");
    sign(u, {"AKIDUNKNOWN", "x", ""}, "us-east-1", "ecs", k_when);
    auto vu = verify(u, lookup, k_when);
    CHECK(vu.error_code == "UnrecognizedClientException");
    CHECK(vu.message == "The security token included in the request is invalid.");

    auto m = verify(make("POST", "/"), lookup, k_when);
    CHECK(m.error_code == "MissingAuthenticationTokenException");
    CHECK(m.message == "Missing Authentication Token");
    CHECK(m.http_status == 403);

    auto s = make("POST", "/");
    sign(s, k_creds, "us-east-1", "ecs", k_when);
    auto late = verify(s, lookup, k_when + 20min);
    CHECK(late.error_code == "InvalidSignatureException");
    CHECK(late.message ==
          "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T125600Z - 15 min.)");
    CHECK(verify(s, lookup, k_when - 20min).message.starts_with("Signature not yet current: 20150830T123600Z"));
  }

  TEST_CASE("malformed authorization headers never crash") {
    for (auto value : {"", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=a/b", "Basic abc",
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecs/aws4_request, SignedHeaders=, Signature=00",
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecs/aws4_request, SignedHeaders=zz;host, Signature=00"}) {
      auto r = make("POST", "/", {}, {{"Authorization", value}, {"X-Amz-Date", "20150830T123600Z"}});
      auto v = verify(r, lookup, k_when);
      CHECK_FALSE(v.ok);
      CHECK_FALSE(v.error_code.empty());
    }
  }
}
