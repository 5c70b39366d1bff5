// Parsing of rate(), cron() and at() schedule expressions, with EventBridge's rules.
#include "schemas/schedule_expression.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ecsctl::schedule {

namespace {

constexpr const char* k_field_names[6] = {"minutes", "hours", "day-of-month", "month", "day-of-week", "year"};
constexpr int k_min[6] = {0, 0, 1, 1, 1, 1970};
constexpr int k_max[6] = {59, 23, 31, 12, 7, 2199};
constexpr const char* k_months[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* k_days[7] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One field of a cron expression being parsed: its index, text and position.
struct FieldParser {
  int index;
  std::string_view text;
  size_t position;  // 1-based position of the field's first character in the expression
  Cron& cron;

  [[noreturn]] void fail(const std::string& why, size_t offset) const {
    throw ExpressionError("cron() " + std::string(k_field_names[index]) + " field '" + std::string(text) +
                              "' at character " + std::to_string(position + offset) + ": " + why,
                          position + offset);
  }

  // A number or (month, day-of-week) name of this field; `offset` locates it for errors.
  int value(std::string_view s, size_t offset) const {
    if (all_digits(s)) {
      int v = std::stoi(std::string(s));
      if (v < k_min[index] || v > k_max[index])
        fail(std::to_string(v) + " is out of range " + std::to_string(k_min[index]) + "-" + std::to_string(k_max[index]),
             offset);
      return v;
    }
    std::string u = upper(s);
    if (index == 3)
      for (int i = 0; i < 12; ++i)
        if (u == k_months[i]) return i + 1;
    if (index == 4)
      for (int i = 0; i < 7; ++i)
        if (u == k_days[i]) return i + 1;
    fail(s.empty() ? std::string("a value is missing") : "'" + std::string(s) + "' is not a valid value", offset);
  }

  void set(int v) {
    switch (index) {
      case 0: cron.minutes.set(v); break;
      case 1: cron.hours.set(v); break;
      case 2: cron.days.set(v); break;
      case 3: cron.months.set(v); break;
      case 4: cron.weekdays.set(v); break;
      default: cron.years[v - 1970] = true;
    }
  }

  // Special items of day-of-month (L, LW, NW) and day-of-week (L, NL, D#N); true when handled.
  bool special(std::string_view item, size_t offset) {
    std::string u = upper(item);
    if (index == 2) {
      if (u == "L") return cron.last_day = true;
      if (u == "LW") return cron.last_weekday_of_month = true;
      if (u.size() > 1 && u.back() == 'W') {
        cron.nearest_weekday.push_back(value(item.substr(0, item.size() - 1), offset));
        return true;
      }
    } else if (index == 4) {
      if (u == "L") {
        cron.weekdays.set(7);
        return true;
      }
      if (u.size() > 1 && u.back() == 'L') {
        cron.last_of_weekday.push_back(value(item.substr(0, item.size() - 1), offset));
        return true;
      }
      size_t hash = u.find('#');
      if (hash != std::string::npos) {
        int day = value(item.substr(0, hash), offset);
        std::string_view n = item.substr(hash + 1);
        if (!all_digits(n) || std::stoi(std::string(n)) < 1 || std::stoi(std::string(n)) > 5)
          fail("the week number after '#' must be 1-5", offset + hash + 1);
        cron.nth_weekday.emplace_back(day, std::stoi(std::string(n)));
        return true;
      }
    }
    return false;
  }

  void item(std::string_view item, size_t offset) {
    if (item.empty()) fail("an empty list item", offset);
    if (special(item, offset)) return;
    std::string_view range = item;
    int step = 1;
    size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      std::string_view s = item.substr(slash + 1);
      if (!all_digits(s) || std::stoi(std::string(s)) < 1) fail("the step after '/' must be a positive number", offset + slash + 1);
      step = std::stoi(std::string(s));
      range = item.substr(0, slash);
    }
    int lo = k_min[index], hi = k_max[index];
    if (range == "*") {
    } else {
      size_t dash = range.find('-');
      lo = value(range.substr(0, dash), offset);
      if (dash != std::string_view::npos) hi = value(range.substr(dash + 1), offset + dash + 1);
      else if (slash == std::string_view::npos) hi = lo;
      if (hi < lo) fail("the range runs backwards", offset);
    }
    for (int v = lo; v <= hi; v += step) set(v);
  }

  void parse() {
    if (text == "?") {
      if (index != 2 && index != 4) fail("'?' is allowed only in day-of-month and day-of-week", 0);
      (index == 2 ? cron.any_day : cron.any_weekday) = true;
      return;
    }
    size_t start = 0;
    while (true) {
      size_t comma = text.find(',', start);
      std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (part == "?") fail("'?' cannot be combined with other values", start);
      item(part, start);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
};

Cron parse_cron(std::string_view body, size_t base) {
  Cron cron;
  std::vector<std::pair<std::string_view, size_t>> fields;
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && body[i] == ' ') ++i;
    if (i >= body.size()) break;
    size_t j = i;
    while (j < body.size() && body[j] != ' ') ++j;
    fields.emplace_back(body.substr(i, j - i), base + i);
    i = j;
  }
  if (fields.size() != 6)
    throw ExpressionError("cron() needs 6 fields (minutes hours day-of-month month day-of-week year), found " +
                              std::to_string(fields.size()),
                          fields.size() > 6 ? fields[6].second : base + body.size());
  for (int f = 0; f < 6; ++f) FieldParser{f, fields[f].first, fields[f].second, cron}.parse();
  if (cron.any_day == cron.any_weekday)
    throw ExpressionError(std::string("cron(): exactly one of day-of-month and day-of-week must be '?'") +
                              (cron.any_day ? " (both are)" : " (neither is)"),
                          fields[cron.any_day ? 2 : 4].second);
  return cron;
}

void parse_rate(std::string_view body, size_t base, Expression& e) {
  size_t i = 0;
  while (i < body.size() && body[i] == ' ') ++i;
  size_t j = i;
  while (j < body.size() && body[j] != ' ') ++j;
  std::string_view value = body.substr(i, j - i);
  if (!all_digits(value) || std::stol(std::string(value)) < 1)
    throw ExpressionError("rate() value '" + std::string(value) + "' must be a whole number of at least 1", base + i);
  e.rate_value = std::stol(std::string(value));
  size_t k = j;
  while (k < body.size() && body[k] == ' ') ++k;
  std::string_view unit = body.substr(k);
  while (!unit.empty() && unit.back() == ' ') unit.remove_suffix(1);
  static const std::pair<const char*, int64_t> k_units[] = {{"minute", 60}, {"hour", 3600}, {"day", 86400}};
  for (const auto& [name, seconds] : k_units) {
    std::string singular = name, plural = singular + "s";
    if (unit != singular && unit != plural) continue;
    bool one = e.rate_value == 1;
    if (one && unit == plural)
      throw ExpressionError("rate() unit must be '" + singular + "' when the value is 1", base + k);
    if (!one && unit == singular)
      throw ExpressionError("rate() unit must be '" + plural + "' when the value is greater than 1", base + k);
    e.rate_unit = std::string(unit);
    e.period_seconds = e.rate_value * seconds;
    return;
  }
  throw ExpressionError("rate() unit '" + std::string(unit) + "' must be minute(s), hour(s) or day(s)", base + k);
}

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

void parse_at(std::string_view body, size_t base, Expression& e) {
  int y, mo, d, h, mi, s;
  char tail;
  std::string text(body);
  if (text.size() != 19 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6 ||
      text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    throw ExpressionError("at() needs a date and time as yyyy-mm-ddThh:mm:ss", base);
  static const int k_month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12) throw ExpressionError("at() month must be 01-12", base + 5);
  if (d < 1 || d > k_month_days[mo - 1] || (mo == 2 && d == 29 && !leap))
    throw ExpressionError("at() day " + std::to_string(d) + " does not exist in that month", base + 8);
  if (h > 23) throw ExpressionError("at() hour must be 00-23", base + 11);
  if (mi > 59) throw ExpressionError("at() minute must be 00-59", base + 14);
  if (s > 59) throw ExpressionError("at() second must be 00-59", base + 17);
  e.at_local = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

Expression parse(std::string_view text, Flavor flavor) {
  Expression e;
  e.text = std::string(text);
  size_t open = text.find('(');
  if (open == std::string_view::npos || text.empty() || text.back() != ')')
    throw ExpressionError("a schedule expression must be rate(...), cron(...)" +
                              std::string(flavor == Flavor::scheduler ? " or at(...)" : ""),
                          1);
  std::string_view kind = text.substr(0, open);
  std::string_view body = text.substr(open + 1, text.size() - open - 2);
  size_t base = open + 2;
  if (kind == "rate") {
    e.kind = Expression::Kind::rate;
    parse_rate(body, base, e);
  } else if (kind == "cron") {
    e.kind = Expression::Kind::cron;
    e.cron = parse_cron(body, base);
  } else if (kind == "at" && flavor == Flavor::scheduler) {
    e.kind = Expression::Kind::at;
    parse_at(body, base, e);
  } else {
    throw ExpressionError("unknown schedule type '" + std::string(kind) + "': use rate(...), cron(...)" +
                              std::string(flavor == Flavor::scheduler ? " or at(...)" : ""),
                          1);
  }
  return e;
}

}  // namespace ecsctl::schedule
