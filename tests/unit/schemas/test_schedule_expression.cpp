// Schedule expressions: rate(), cron(), at(), their errors and fire times.
#include <doctest/doctest.h>

#include "schemas/schedule_expression.hpp"

using namespace ecsctl::schedule;

namespace {

int64_t utc(const char* iso) {  // "2026-01-05T10:00:00" -> Unix seconds, via at()
  return parse(std::string("at(") + iso + ")", Flavor::scheduler).at_local;
}

size_t error_position(const std::string& text, Flavor flavor = Flavor::events) {
  try {
    parse(text, flavor);
  } catch (const ExpressionError& e) {
    return e.position();
  }
  FAIL("expected an error for " << text);
  return 0;
}

std::string error_message(const std::string& text, Flavor flavor = Flavor::events) {
  try {
    parse(text, flavor);
  } catch (const ExpressionError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<std::string> fires(const std::string& text, const char* after, size_t n, const std::string& tz = "") {
  std::vector<std::string> out;
  for (auto t : next_times(parse(text, Flavor::scheduler), utc(after), n, FireOptions{tz, 0})) out.push_back(format_utc(t));
  return out;
}

}  // namespace

TEST_SUITE("schedule_expression") {
  TEST_CASE("rate: singular for 1, plural otherwise") {
    CHECK(parse("rate(1 minute)").period_seconds == 60);
    CHECK(parse("rate(5 minutes)").period_seconds == 300);
    CHECK(parse("rate(1 hour)").period_seconds == 3600);
    CHECK(parse("rate(2 days)").period_seconds == 172800);
    CHECK(parse("rate(2 days)").rate_unit == "days");
    CHECK(error_message("rate(1 minutes)").find("'minute' when the value is 1") != std::string::npos);
    CHECK(error_position("rate(1 minutes)") == 8);
    CHECK(error_message("rate(5 minute)").find("'minutes'") != std::string::npos);
    CHECK(error_position("rate(0 minutes)") == 6);
    CHECK(error_position("rate(-1 minutes)") == 6);
    CHECK(error_position("rate(x minutes)") == 6);
    CHECK(error_message("rate(5 weeks)").find("minute(s), hour(s) or day(s)") != std::string::npos);
    CHECK(error_position("rate(5 seconds)") == 8);
  }

  TEST_CASE("rate fire times count from the anchor") {
    Expression e = parse("rate(5 minutes)");
    auto t = next_times(e, 1000, 3, FireOptions{"", 1000});
    REQUIRE(t.size() == 3);
    CHECK(t[0] == 1300);
    CHECK(t[2] == 1900);
    CHECK(next_times(e, 1299, 1, FireOptions{"", 1000})[0] == 1300);
    CHECK(next_times(e, 1300, 1, FireOptions{"", 1000})[0] == 1600);
  }

  TEST_CASE("unknown kinds and at() only for Scheduler") {
    CHECK(error_message("every(5 minutes)").find("unknown schedule type 'every'") != std::string::npos);
    CHECK(error_message("at(2026-01-01T00:00:00)").find("unknown schedule type 'at'") != std::string::npos);
    CHECK(error_message("rate 5 minutes").find("must be rate") != std::string::npos);
    CHECK_NOTHROW(parse("at(2026-01-01T00:00:00)", Flavor::scheduler));
  }

  TEST_CASE("at(): one fire time, in the schedule's zone") {
    CHECK(fires("at(2026-03-01T12:30:00)", "2026-01-01T00:00:00", 3) == std::vector<std::string>{"2026-03-01T12:30:00Z"});
    CHECK(fires("at(2026-03-01T12:30:00)", "2026-03-01T12:30:00", 3).empty());
    CHECK(fires("at(2026-07-01T12:00:00)", "2026-01-01T00:00:00", 1, "Europe/Berlin") ==
          std::vector<std::string>{"2026-07-01T10:00:00Z"});
    CHECK(error_position("at(2026-02-30T00:00:00)", Flavor::scheduler) == 12);
    CHECK(error_position("at(2026-13-01T00:00:00)", Flavor::scheduler) == 9);
    CHECK(error_position("at(2026-01-01T24:00:00)", Flavor::scheduler) == 15);
    CHECK(error_message("at(2026-01-01 00:00:00)", Flavor::scheduler).find("yyyy-mm-ddThh:mm:ss") != std::string::npos);
    CHECK_NOTHROW(parse("at(2028-02-29T00:00:00)", Flavor::scheduler));
    CHECK_THROWS_AS(parse("at(2027-02-29T00:00:00)", Flavor::scheduler), ExpressionError);
  }

  TEST_CASE("cron: the ? rule") {
    CHECK_NOTHROW(parse("cron(0 12 * * ? *)"));
    CHECK_NOTHROW(parse("cron(0 12 ? * MON-FRI *)"));
    CHECK(error_message("cron(0 12 * * * *)").find("exactly one of day-of-month and day-of-week") != std::string::npos);
    CHECK(error_position("cron(0 12 * * * *)") == 15);
    CHECK(error_message("cron(0 12 ? * ? *)").find("(both are)") != std::string::npos);
    CHECK(error_message("cron(? 12 * * ? *)").find("only in day-of-month and day-of-week") != std::string::npos);
    CHECK(error_message("cron(0 12 1,? * ? *)").find("cannot be combined") != std::string::npos);
  }

  TEST_CASE("cron: field count and positioned field errors") {
    CHECK(error_message("cron(0 12 * * ?)").find("needs 6 fields") != std::string::npos);
    CHECK(error_message("cron(0 12 * * ? * 1)").find("found 7") != std::string::npos);
    CHECK(error_position("cron(0 12 * * ? * 1)") == 19);
    CHECK(error_message("cron(60 12 * * ? *)").find("minutes field '60'") != std::string::npos);
    CHECK(error_message("cron(60 12 * * ? *)").find("out of range 0-59") != std::string::npos);
    CHECK(error_position("cron(60 12 * * ? *)") == 6);
    CHECK(error_position("cron(0 24 * * ? *)") == 8);
    CHECK(error_position("cron(0 1 0 * ? *)") == 10);
    CHECK(error_position("cron(0 1 ? FOO MON *)") == 12);
    CHECK(error_position("cron(0 1 ? * MON-XYZ *)") == 18);
    CHECK(error_position("cron(0 1 ? * 8 *)") == 14);
    CHECK(error_position("cron(0 1 * * ? 1969)") == 16);
    CHECK(error_position("cron(0 1 * * ? 2200)") == 16);
    CHECK(error_position("cron(0/0 1 * * ? *)") == 8);
    CHECK(error_position("cron(0 1 ? * 2#6 *)") == 16);
    CHECK(error_message("cron(5-1 1 * * ? *)").find("backwards") != std::string::npos);
    CHECK(error_message("cron(1,,2 1 * * ? *)").find("empty list item") != std::string::npos);
  }

  TEST_CASE("cron: ranges, lists, steps and names") {
    Expression e = parse("cron(0/15 8-10,20 ? jan,Jun-AUG MON-FRI 2026-2030/2)");
    CHECK(e.cron.minutes.count() == 4);
    CHECK(e.cron.minutes.test(45));
    CHECK(e.cron.hours.count() == 4);
    CHECK(e.cron.hours.test(20));
    CHECK(e.cron.months.count() == 4);
    CHECK(e.cron.months.test(1));
    CHECK(e.cron.months.test(7));
    CHECK(e.cron.weekdays.count() == 5);
    CHECK(!e.cron.weekdays.test(1));
    CHECK(e.cron.years[2028 - 1970]);
    CHECK(!e.cron.years[2027 - 1970]);
  }

  TEST_CASE("cron fire times in UTC") {
    // 2026-01-05 is a Monday.
    CHECK(fires("cron(0 12 * * ? *)", "2026-01-05T12:00:00", 2) ==
          std::vector<std::string>{"2026-01-06T12:00:00Z", "2026-01-07T12:00:00Z"});
    CHECK(fires("cron(*/20 * * * ? *)", "2026-01-05T10:05:00", 3) ==
          std::vector<std::string>{"2026-01-05T10:20:00Z", "2026-01-05T10:40:00Z", "2026-01-05T11:00:00Z"});
    CHECK(fires("cron(30 9 ? * SAT,SUN *)", "2026-01-05T00:00:00", 2) ==
          std::vector<std::string>{"2026-01-10T09:30:00Z", "2026-01-11T09:30:00Z"});
    CHECK(fires("cron(0 0 1 1 ? 2027)", "2026-06-01T00:00:00", 2) == std::vector<std::string>{"2027-01-01T00:00:00Z"});
    CHECK(fires("cron(0 0 29 2 ? *)", "2026-01-01T00:00:00", 1) == std::vector<std::string>{"2028-02-29T00:00:00Z"});
  }

  TEST_CASE("cron: L, W and #") {
    CHECK(fires("cron(0 0 L * ? *)", "2026-01-05T00:00:00", 2) ==
          std::vector<std::string>{"2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z"});
    // 2026-01-31 is a Saturday, so the last weekday is Friday the 30th.
    CHECK(fires("cron(0 0 LW * ? *)", "2026-01-05T00:00:00", 1) == std::vector<std::string>{"2026-01-30T00:00:00Z"});
    // 2026-02-01 is a Sunday: 1W is Monday the 2nd; 2026-03-15 is a Sunday: 15W is Monday the 16th.
    CHECK(fires("cron(0 0 1W * ? *)", "2026-01-31T00:00:00", 1) == std::vector<std::string>{"2026-02-02T00:00:00Z"});
    CHECK(fires("cron(0 0 15W 3 ? *)", "2026-01-01T00:00:00", 1) == std::vector<std::string>{"2026-03-16T00:00:00Z"});
    // Second Tuesday (3#2) and last Friday (6L) of January 2026.
    CHECK(fires("cron(0 0 ? 1 3#2 2026)", "2026-01-01T00:00:00", 2) == std::vector<std::string>{"2026-01-13T00:00:00Z"});
    CHECK(fires("cron(0 0 ? 1 6L 2026)", "2026-01-01T00:00:00", 2) == std::vector<std::string>{"2026-01-30T00:00:00Z"});
    CHECK(fires("cron(0 0 ? 1 L 2026)", "2026-01-01T00:00:00", 1) == std::vector<std::string>{"2026-01-03T00:00:00Z"});
  }

  TEST_CASE("cron fire times in a time zone, across daylight saving") {
    // New York: EST (UTC-5) until 2026-03-08, then EDT (UTC-4).
    CHECK(fires("cron(0 9 * * ? *)", "2026-03-06T00:00:00", 3, "America/New_York") ==
          std::vector<std::string>{"2026-03-06T14:00:00Z", "2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"});
    CHECK(fires("cron(0 9 * * ? *)", "2026-03-06T00:00:00", 1, "UTC") == std::vector<std::string>{"2026-03-06T09:00:00Z"});
    CHECK(valid_timezone("Europe/Berlin"));
    CHECK(!valid_timezone("Mars/Olympus_Mons"));
    CHECK(!valid_timezone("../../etc/passwd"));
    CHECK_THROWS_AS(fires("cron(0 9 * * ? *)", "2026-03-06T00:00:00", 1, "Nowhere/Land"), std::invalid_argument);
  }
}
