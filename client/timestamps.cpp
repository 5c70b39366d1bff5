// Timestamps in and out of the protocols, printed as the AWS CLI v2 does.
#include <openssl/rand.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "client/protocols.hpp"
#include "schemas/model.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::client {
namespace {

// Python's datetime.isoformat(): microseconds only when non-zero, offset as +HH:MM.
std::string iso(const std::tm& tm, long micros, long offset_seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (micros) {
    std::snprintf(buf, sizeof buf, ".%06ld", micros);
    out += buf;
  }
  char sign = offset_seconds < 0 ? '-' : '+';
  long off = std::labs(offset_seconds);
  std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
  return out + buf;
}

struct IsoParts {
  std::tm tm{};
  long micros = 0;
  long offset = 0;  // seconds east of UTC
};

std::optional<IsoParts> parse_iso(std::string_view s) {
  IsoParts p;
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return std::nullopt;
  size_t pos = static_cast<size_t>(n);
  if (pos < str.size() && (str[pos] == 'T' || str[pos] == ' ')) {
    int m = 0;
    if (std::sscanf(str.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3) return std::nullopt;
    pos += 1 + static_cast<size_t>(m);
    if (pos < str.size() && str[pos] == '.') {
      ++pos;
      long frac = 0;
      int digits = 0;
      while (pos < str.size() && std::isdigit(static_cast<unsigned char>(str[pos]))) {
        if (digits < 6) frac = frac * 10 + (str[pos] - '0'), ++digits;
        ++pos;
      }
      while (digits < 6) frac *= 10, ++digits;
      p.micros = frac;
    }
  }
  if (pos < str.size()) {
    if (str[pos] == 'Z' || str[pos] == 'z') {
      ++pos;
    } else if (str[pos] == '+' || str[pos] == '-') {
      int oh = 0, om = 0;
      if (std::sscanf(str.c_str() + pos + 1, "%2d:%2d", &oh, &om) < 1) return std::nullopt;
      p.offset = (str[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      pos = str.size();
    }
  }
  if (pos != str.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  p.tm.tm_year = y - 1900, p.tm.tm_mon = mo - 1, p.tm.tm_mday = d;
  p.tm.tm_hour = h, p.tm.tm_min = mi, p.tm.tm_sec = sec;
  return p;
}

}  // namespace

std::string format_epoch(double seconds) {
  // Outside years 1..9999 (what the AWS CLI's datetime can hold) or not a
  // number: the value as sent, rather than a time_t that cannot hold it.
  if (!std::isfinite(seconds) || seconds < -62135596800.0 || seconds > 253402300799.0) return Json(seconds).dump();
  double whole = std::floor(seconds);
  long micros = std::lround((seconds - whole) * 1e6);
  std::time_t t = static_cast<std::time_t>(whole);
  if (micros >= 1000000) micros -= 1000000, ++t;
  std::tm tm{};
  localtime_r(&t, &tm);
  return iso(tm, micros, tm.tm_gmtoff);
}

namespace {
thread_local bool t_wire_timestamps = false;
}  // namespace

bool wire_timestamps() { return t_wire_timestamps; }
WireTimestamps::WireTimestamps(bool wire) : m_previous(t_wire_timestamps) { t_wire_timestamps = wire; }
WireTimestamps::~WireTimestamps() { t_wire_timestamps = m_previous; }

std::string format_iso_timestamp(std::string_view text) {
  if (t_wire_timestamps) return std::string(text);
  auto p = parse_iso(text);
  if (!p) return std::string(text);
  return iso(p->tm, p->micros, p->offset);
}

std::optional<double> parse_timestamp(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  auto s = value.get<std::string>();
  try {
    size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  auto p = parse_iso(s);
  if (!p) return std::nullopt;
  std::tm tm = p->tm;
  return static_cast<double>(timegm(&tm) - p->offset) + p->micros / 1e6;
}

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness for a UUID");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

void fill_idempotency_tokens(const Json& service_model, std::string_view operation, Json& input) {
  const model::OperationView& view = model::document_view(service_model, operation);
  if (!view.input) return;
  for (const model::Member& m : view.input->members) {
    if (!m.idempotency_token) continue;
    if (!input.is_object()) input = Json::object();
    if (!input.contains(m.name)) input[m.name] = random_uuid();
  }
}

}  // namespace ecsctl::client
