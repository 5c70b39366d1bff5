// "Did you mean" suggestions (core/suggest.hpp).
#include <doctest/doctest.h>

#include "core/suggest.hpp"

using ecsctl::closest_match;

TEST_SUITE("suggest") {
  TEST_CASE("a prefix match and the plural come before a longer name at the same distance") {
    // elbv2's operations, in the model's (alphabetical) order.
    std::vector<std::string> ops = {"describe-tags", "describe-target-group-attributes", "describe-target-groups",
                                    "describe-target-health"};
    CHECK(closest_match("describe-target-group", ops) == std::optional<std::string>("describe-target-groups"));
    CHECK(closest_match("describe-target-grou", ops) == std::optional<std::string>("describe-target-groups"));
    CHECK(closest_match("describe-target-group-attribute", ops) ==
          std::optional<std::string>("describe-target-group-attributes"));
  }

  TEST_CASE("plain typos still find the nearest name") {
    std::vector<std::string> ops = {"describe-clusters", "describe-services", "list-clusters"};
    CHECK(closest_match("describe-clsuters", ops) == std::optional<std::string>("describe-clusters"));
    CHECK(closest_match("describe-clu", ops) == std::optional<std::string>("describe-clusters"));
    CHECK_FALSE(closest_match("zzz", ops));
  }
}
