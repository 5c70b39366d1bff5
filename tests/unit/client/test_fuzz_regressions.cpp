// Inputs found by the fuzz targets (tests/fuzz/) that once hit undefined
// behaviour in the client layer; tests/sanitize runs these under UBSan.
#include <doctest/doctest.h>

#include "client/sigv4.hpp"

using namespace ecsctl;

TEST_SUITE("client fuzz regressions") {
  // fuzz_local_request: "X-Amz-Date: 24231115T221320Z" made parse_amz_date call
  // system_clock::from_time_t with a year past 2262: signed overflow in chrono.
  TEST_CASE("X-Amz-Date beyond what system_clock holds is an incomplete signature") {
    sigv4::Request r{"POST", "/", {}, {{"Host", "127.0.0.1"}}, "{}"};
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    auto secret = [](std::string_view) -> std::optional<std::string> { return std::string("secret"); };
    for (const char* date : {"24231115T221320Z", "99991231T235959Z", "2023111xT221320Z", "-0231114T221320Z"}) {
      CAPTURE(date);
      r.headers = {{"Host", "127.0.0.1"}, {"X-Amz-Date", date},
                   {"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/ecs/aws4_request, "
                                     "SignedHeaders=host;x-amz-date, Signature=00"}};
      auto v = sigv4::verify(r, secret, now);
      CHECK_FALSE(v.ok);
      CHECK(v.error_code == "IncompleteSignatureException");
    }
  }
}
