// Fire times of schedule expressions: calendar arithmetic, cron day matching and
// time zones read from the system's zoneinfo (TZif files; g++ 12 has no <chrono> tzdb).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "schemas/schedule_expression.hpp"

namespace ecsctl::schedule {

namespace {

struct Civil {
  int year;
  unsigned month, day;
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

Civil civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

unsigned days_in_month(int y, unsigned m) {
  static const unsigned k_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k_days[m - 1];
}

// 1 = SUN .. 7 = SAT.
int weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7) + 1; }

// UTC offsets of one zone: transition times and the offset in force after each.
struct Zone {
  std::vector<int64_t> times;
  std::vector<int32_t> offsets;
  int32_t initial = 0;

  int32_t offset_at(int64_t utc) const {
    auto it = std::upper_bound(times.begin(), times.end(), utc);
    if (it == times.begin()) return initial;
    return offsets[static_cast<size_t>(it - times.begin() - 1)];
  }
  int64_t to_utc(int64_t local) const {
    int32_t off = offset_at(local - offset_at(local));
    int64_t utc = local - off;
    int32_t check = offset_at(utc);
    return check == off ? utc : local - check;  // in a gap: the moment the wall clock jumps past it
  }
};

uint64_t read_be(const std::string& d, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
  return v;
}

// Parses a TZif file (version 2+ 64-bit data when present); nullopt when malformed.
std::unique_ptr<Zone> parse_tzif(const std::string& d) {
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return nullptr;
  auto counts = [&](size_t at, uint64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = read_be(d, at + 20 + 4 * static_cast<size_t>(i), 4);
  };
  uint64_t c[6];
  counts(0, c);
  size_t pos = 44, tsize = 4;
  if (d[4] >= '2') {
    pos += c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (d.size() < pos + 44 || d.compare(pos, 4, "TZif") != 0) return nullptr;
    counts(pos, c);
    pos += 44;
    tsize = 8;
  }
  const uint64_t timecnt = c[3], typecnt = c[4];
  if (typecnt == 0 || d.size() < pos + timecnt * (tsize + 1) + typecnt * 6) return nullptr;
  auto zone = std::make_unique<Zone>();
  size_t types = pos + timecnt * (tsize + 1);
  auto type_offset = [&](uint64_t t) { return static_cast<int32_t>(static_cast<uint32_t>(read_be(d, types + t * 6, 4))); };
  zone->initial = type_offset(0);
  for (uint64_t i = 0; i < timecnt; ++i) {
    uint64_t raw = read_be(d, pos + i * tsize, tsize);
    int64_t t = tsize == 8 ? static_cast<int64_t>(raw) : static_cast<int32_t>(static_cast<uint32_t>(raw));
    uint64_t idx = static_cast<unsigned char>(d[pos + timecnt * tsize + i]);
    if (idx >= typecnt) return nullptr;
    zone->times.push_back(t);
    zone->offsets.push_back(type_offset(idx));
  }
  return zone;
}

bool is_utc(const std::string& name) { return name.empty() || name == "UTC" || name == "Etc/UTC" || name == "GMT"; }

// The zone named `name` from /usr/share/zoneinfo (cached); nullptr when unknown.
const Zone* load_zone(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Zone>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Zone> zone;
  bool safe = !name.empty() && name.size() < 64 && name.front() != '/' && name.find("..") == std::string::npos &&
              std::all_of(name.begin(), name.end(), [](char ch) {
                return std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' || ch == '+';
              });
  if (safe) {
    std::ifstream f("/usr/share/zoneinfo/" + name, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (f.good() || f.eof()) zone = parse_tzif(data);
  }
  return (cache[name] = std::move(zone)).get();
}

int nearest_weekday(int y, unsigned m, int n) {
  int last = static_cast<int>(days_in_month(y, m));
  if (n > last) return -1;
  int wd = weekday(days_from_civil(y, m, static_cast<unsigned>(n)));
  if (wd == 7) return n == 1 ? n + 2 : n - 1;
  if (wd == 1) return n == last ? n - 2 : n + 1;
  return n;
}

bool day_matches(const Cron& c, int y, unsigned m, unsigned d, int64_t days) {
  unsigned last = days_in_month(y, m);
  if (c.any_weekday) {  // day-of-month decides
    if (c.days.test(d) || (c.last_day && d == last)) return true;
    if (c.last_weekday_of_month) {
      int wd = weekday(days_from_civil(y, m, last));
      unsigned lw = wd == 7 ? last - 1 : wd == 1 ? last - 2 : last;
      if (d == lw) return true;
    }
    for (int n : c.nearest_weekday)
      if (nearest_weekday(y, m, n) == static_cast<int>(d)) return true;
    return false;
  }
  int wd = weekday(days);
  if (c.weekdays.test(static_cast<size_t>(wd))) return true;
  for (int l : c.last_of_weekday)
    if (l == wd && d + 7 > last) return true;
  for (const auto& [day, n] : c.nth_weekday)
    if (day == wd && static_cast<int>((d - 1) / 7 + 1) == n) return true;
  return false;
}

// The first local minute at or after `t` (local seconds, minute-aligned) that matches; -1 if none.
int64_t next_cron_local(const Cron& c, int64_t t) {
  for (int guard = 0; guard < 100000; ++guard) {
    int64_t days = floor_div(t, 86400);
    Civil cv = civil_from_days(days);
    if (cv.year > 2199) return -1;
    if (cv.year < 1970 || !c.years[static_cast<size_t>(cv.year - 1970)]) {
      t = days_from_civil(cv.year + 1, 1, 1) * 86400;
      continue;
    }
    if (!c.months.test(cv.month)) {
      t = (cv.month == 12 ? days_from_civil(cv.year + 1, 1, 1) : days_from_civil(cv.year, cv.month + 1, 1)) * 86400;
      continue;
    }
    if (day_matches(c, cv.year, cv.month, cv.day, days)) {
      for (int64_t minute = (t - days * 86400) / 60; minute < 1440; ++minute)
        if (c.hours.test(static_cast<size_t>(minute / 60)) && c.minutes.test(static_cast<size_t>(minute % 60)))
          return days * 86400 + minute * 60;
    }
    t = (days + 1) * 86400;
  }
  return -1;
}

}  // namespace

bool valid_timezone(const std::string& name) { return is_utc(name) || load_zone(name) != nullptr; }

std::string format_utc(int64_t seconds) {
  int64_t days = floor_div(seconds, 86400), rest = seconds - days * 86400;
  Civil c = civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", c.year, c.month, c.day, static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf;
}

std::string format_in_zone(int64_t seconds, const std::string& timezone) {
  const Zone* zone = is_utc(timezone) ? nullptr : load_zone(timezone);
  if (!zone) return format_utc(seconds);
  const int32_t off = zone->offset_at(seconds);
  std::string local = format_utc(seconds + off);
  local.pop_back();  // the "Z"
  const int32_t a = off < 0 ? -off : off;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>(a / 60 % 60));
  return local + buf;
}

std::vector<int64_t> next_times(const Expression& e, int64_t after, size_t count, const FireOptions& options) {
  std::vector<int64_t> out;
  if (count == 0) return out;
  if (e.kind == Expression::Kind::rate) {
    if (e.period_seconds <= 0) return out;
    int64_t k = after < options.anchor ? 1 : floor_div(after - options.anchor, e.period_seconds) + 1;
    for (size_t i = 0; i < count; ++i) out.push_back(options.anchor + (k + static_cast<int64_t>(i)) * e.period_seconds);
    return out;
  }
  const Zone* zone = nullptr;
  if (!is_utc(options.timezone)) {
    zone = load_zone(options.timezone);
    if (!zone) throw std::invalid_argument("unknown time zone '" + options.timezone + "'");
  }
  auto to_utc = [&](int64_t local) { return zone ? zone->to_utc(local) : local; };
  if (e.kind == Expression::Kind::at) {
    int64_t t = to_utc(e.at_local);
    if (t > after) out.push_back(t);
    return out;
  }
  int64_t local = after + (zone ? zone->offset_at(after) : 0);
  int64_t t = floor_div(local, 60) * 60 + 60;
  // In a time zone, the local clock may repeat an hour: start early enough and filter by UTC.
  if (zone) t -= 3 * 3600;
  while (out.size() < count) {
    int64_t found = next_cron_local(e.cron, t);
    if (found < 0) break;
    int64_t utc = to_utc(found);
    if (utc > after && (out.empty() || utc > out.back())) out.push_back(utc);
    t = found + 60;
  }
  return out;
}

}  // namespace ecsctl::schedule
