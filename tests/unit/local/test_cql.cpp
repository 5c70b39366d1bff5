// The cluster query language: parsing and evaluation against instance values.
#include <doctest/doctest.h>

#include <map>

#include "local/cql.hpp"

using ecsctl::local::CqlExpression;

namespace {

struct Fake {
  std::map<std::string, std::vector<std::string>> values;
  ecsctl::local::CqlLookup lookup() const {
    return [this](std::string_view s) {
      auto it = values.find(std::string(s));
      return it == values.end() ? std::vector<std::string>{} : it->second;
    };
  }
};

const Fake k_micro{{{"attribute:ecs.instance-type", {"t2.micro"}},
                    {"attribute:ecs.availability-zone", {"us-east-1a"}},
                    {"ec2InstanceId", {"i-0abc"}},
                    {"runningTasksCount", {"3"}},
                    {"task:group", {"service:web", "family:batch"}}}};

bool matches(const char* expr, const Fake& f = k_micro) { return CqlExpression(expr).matches(f.lookup()); }

}  // namespace

TEST_CASE("equality and inequality on attributes") {
  CHECK(matches("attribute:ecs.instance-type == t2.micro"));
  CHECK_FALSE(matches("attribute:ecs.instance-type == t2.small"));
  CHECK(matches("attribute:ecs.instance-type != t2.small"));
  CHECK_FALSE(matches("attribute:ecs.instance-type != t2.micro"));
  CHECK(matches("attribute:ecs.instance-type == 't2.micro'"));
}

TEST_CASE("in lists, patterns and exists") {
  CHECK(matches("attribute:ecs.instance-type in [t2.small, t2.micro]"));
  CHECK_FALSE(matches("attribute:ecs.instance-type in [t2.small,t2.medium]"));
  CHECK(matches("attribute:ecs.instance-type not in [t2.small]"));
  CHECK(matches("attribute:ecs.instance-type =~ t2.*"));
  CHECK_FALSE(matches("attribute:ecs.instance-type =~ m5.*"));
  CHECK(matches("attribute:ecs.instance-type !~ m5.*"));
  CHECK(matches("attribute:ecs.instance-type exists"));
  CHECK_FALSE(matches("attribute:custom exists"));
  CHECK_FALSE(matches("attribute:custom == x"));
}

TEST_CASE("boolean operators and precedence") {
  CHECK(matches("attribute:ecs.instance-type == t2.micro and attribute:ecs.availability-zone == us-east-1a"));
  CHECK_FALSE(matches("attribute:ecs.instance-type == t2.micro && attribute:ecs.availability-zone == us-east-1b"));
  CHECK(matches("attribute:ecs.instance-type == t2.large or attribute:ecs.availability-zone == us-east-1a"));
  CHECK(matches("attribute:ecs.instance-type == x || attribute:ecs.instance-type == t2.micro"));
  CHECK(matches("not attribute:ecs.instance-type == t2.small"));
  CHECK_FALSE(matches("!(attribute:ecs.instance-type == t2.micro)"));
  // and binds tighter than or
  CHECK(matches("ec2InstanceId == nope and runningTasksCount > 100 or attribute:ecs.instance-type == t2.micro"));
  CHECK_FALSE(matches("ec2InstanceId == nope and (runningTasksCount > 100 or attribute:ecs.instance-type == t2.micro)"));
}

TEST_CASE("numeric comparisons and multi-valued subjects") {
  CHECK(matches("runningTasksCount > 2"));
  CHECK(matches("runningTasksCount >= 3"));
  CHECK_FALSE(matches("runningTasksCount < 3"));
  CHECK(matches("runningTasksCount <= 3"));
  CHECK(matches("task:group == service:web"));
  CHECK(matches("task:group == family:batch"));
  CHECK_FALSE(matches("task:group == service:api"));
  CHECK(matches("not task:group == service:api"));
}

TEST_CASE("malformed expressions are rejected, not crashed on") {
  for (const char* bad : {"", "attribute:x ==", "attribute:x in t2", "(attribute:x == y", "attribute:x ?? y",
                          "attribute:x =~ '['", "attribute:x == 'unterminated", "attribute:x in [a, b", "and"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(CqlExpression{bad}, std::invalid_argument);
  }
}
