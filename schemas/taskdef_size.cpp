#include "schemas/taskdef_size.hpp"

#include <cctype>

namespace ecsctl::taskdef {

static std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

static bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// DIGITS | NUMBER WS? unit, NUMBER := DIGITS ("." DIGITS)? (also ".5"); value x 1024.
static std::optional<long long> parse_with_unit(std::string_view text, std::string_view unit) {
  std::string_view s = trim(text);
  if (s.empty() || s.size() > 32) return std::nullopt;
  std::size_t i = 0;
  long long whole = 0;
  bool digits = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    whole = whole * 10 + (s[i] - '0');
    if (whole > 1'000'000'000'000LL) return std::nullopt;
    ++i;
    digits = true;
  }
  if (i == s.size()) return digits ? std::optional<long long>(whole) : std::nullopt;
  long long frac_num = 0, frac_den = 1;
  if (s[i] == '.') {
    ++i;
    bool fd = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (frac_den < 1'000'000'000LL) { frac_num = frac_num * 10 + (s[i] - '0'); frac_den *= 10; }
      else if (s[i] != '0') return std::nullopt;
      ++i;
      fd = true;
    }
    if (!fd) return std::nullopt;
    digits = true;
  }
  if (!digits) return std::nullopt;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (!iequals(s.substr(i), unit)) return std::nullopt;
  long long scaled = frac_num * 1024;
  if (scaled % frac_den != 0) return std::nullopt;
  return whole * 1024 + scaled / frac_den;
}

std::optional<long long> parse_task_cpu(std::string_view text) { return parse_with_unit(text, "vcpu"); }
std::optional<long long> parse_task_memory(std::string_view text) { return parse_with_unit(text, "gb"); }

const std::vector<FargateRow>& fargate_table() {
  static const std::vector<FargateRow> rows = {
      {256, 512, 2048, 512, true},  // 512, 1024, 2048 (see fargate_allowed)
      {512, 1024, 4096, 1024, true},
      {1024, 2048, 8192, 1024, false},
      {2048, 4096, 16384, 1024, false},
      {4096, 8192, 30720, 1024, false},
      {8192, 16384, 61440, 4096, false},
      {16384, 32768, 122880, 8192, false},
  };
  return rows;
}

bool fargate_allowed(long long cpu, long long memory) {
  if (cpu == 256) return memory == 512 || memory == 1024 || memory == 2048;
  for (const auto& r : fargate_table())
    if (r.cpu == cpu) return memory >= r.min && memory <= r.max && (memory - r.min) % r.step == 0;
  return false;
}

std::string fargate_memory_choices(long long cpu) {
  if (cpu == 256) return "512, 1024, 2048";
  if (cpu == 512) return "1024, 2048, 3072, 4096";
  for (const auto& r : fargate_table())
    if (r.cpu == cpu)
      return std::to_string(r.min) + ".." + std::to_string(r.max) + " step " + std::to_string(r.step);
  return {};
}

std::vector<long long> fargate_cpus_for_memory(long long memory) {
  std::vector<long long> out;
  for (const auto& r : fargate_table())
    if (fargate_allowed(r.cpu, memory)) out.push_back(r.cpu);
  return out;
}

}  // namespace ecsctl::taskdef
