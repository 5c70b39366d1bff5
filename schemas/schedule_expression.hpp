// Schedule expressions of EventBridge rules and EventBridge Scheduler:
// rate(value unit), cron(min hour day-of-month month day-of-week year) and
// (Scheduler only) at(yyyy-mm-ddThh:mm:ss); parsing with positioned errors and
// the computation of the next fire times, in UTC or in an IANA time zone.
#pragma once
#include <bitset>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsctl::schedule {

// Which service's grammar applies: EventBridge rules accept rate() and cron();
// Scheduler also accepts at().
enum class Flavor { events, scheduler };

// A malformed expression; position() is the 1-based character where the bad part starts.
class ExpressionError : public std::invalid_argument {
 public:
  ExpressionError(const std::string& message, size_t position)
      : std::invalid_argument(message), m_position(position) {}
  size_t position() const { return m_position; }

 private:
  size_t m_position;
};

// The parsed six fields of a cron() expression (days of week 1 = SUN .. 7 = SAT).
struct Cron {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     // day-of-month 1..31
  std::bitset<13> months;   // 1..12
  std::bitset<8> weekdays;  // 1..7
  std::vector<bool> years = std::vector<bool>(230);  // 1970..2199
  bool any_day = false, any_weekday = false;         // the `?` of each field
  bool last_day = false, last_weekday_of_month = false;  // L and LW in day-of-month
  std::vector<int> nearest_weekday;                       // NW in day-of-month
  std::vector<int> last_of_weekday;                       // NL in day-of-week
  std::vector<std::pair<int, int>> nth_weekday;           // D#N in day-of-week
};

struct Expression {
  enum class Kind { rate, cron, at };
  Kind kind = Kind::rate;
  std::string text;
  long rate_value = 0;
  std::string rate_unit;        // as written ("minute", "hours", ...)
  int64_t period_seconds = 0;   // rate() only
  Cron cron;
  int64_t at_local = 0;         // at(): wall-clock seconds since 1970 in the schedule's zone
};

// Parses `text`; throws ExpressionError naming the field and position of the fault.
Expression parse(std::string_view text, Flavor flavor = Flavor::events);

// Where fire times are counted from: the time zone of cron() and at() (empty or
// "UTC" for UTC), and the anchor of rate() (creation time; fires at anchor + k*period).
struct FireOptions {
  std::string timezone;
  int64_t anchor = 0;
};

// The next `count` fire times strictly after `after` (Unix seconds, UTC), in
// order; fewer when the expression stops firing (at(), a bounded year range).
// Throws std::invalid_argument for an unknown time zone.
std::vector<int64_t> next_times(const Expression& e, int64_t after, size_t count, const FireOptions& options = {});

// Whether `name` is a time zone of the system's zoneinfo (or UTC).
bool valid_timezone(const std::string& name);

// "2026-03-01T12:00:00Z" for Unix seconds.
std::string format_utc(int64_t seconds);

// The same instant in `timezone` with its UTC offset, ISO 8601:
// "2026-03-01T13:00:00+01:00"; format_utc's "Z" form for UTC or an empty or unknown zone.
std::string format_in_zone(int64_t seconds, const std::string& timezone);

}  // namespace ecsctl::schedule
