#include "commands/cost_prices.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"

#ifndef ECSCTL_PRICES_JSON
#error "ECSCTL_PRICES_JSON (the path of schemas/prices.json) is set by CMakeLists.txt"
#endif

// The price table, embedded as bytes between two symbols.
asm(".section .rodata\n"
    ".global ecsctl_prices_begin\n"
    "ecsctl_prices_begin:\n"
    ".incbin \"" ECSCTL_PRICES_JSON "\"\n"
    ".global ecsctl_prices_end\n"
    "ecsctl_prices_end:\n"
    ".byte 0\n"
    ".previous\n");
extern "C" const char ecsctl_prices_begin[];
extern "C" const char ecsctl_prices_end[];

namespace ecsctl::commands::workflow {

const Json& builtin_prices() {
  static const Json prices = Json::parse(std::string(ecsctl_prices_begin, ecsctl_prices_end));
  return prices;
}

// "256" (units), "0.25 vCPU", "1vcpu" -> vCPUs; "512" (MiB), "1 GB", "2gb" -> GB.
static double read_size(const Json& v, bool cpu, const char* what) {
  std::string s = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
  std::string lower;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t used = 0;
  double n = 0;
  try {
    n = std::stod(lower, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = lower.substr(used);
  if (used == 0 || n <= 0 || !std::isfinite(n) ||
      !(unit.empty() || (cpu && unit == "vcpu") || (!cpu && (unit == "gb" || unit == "gib"))))
    throw_usage(std::string("cannot read the task's ") + what + " '" + s + "'",
                cpu ? "use CPU units (256, 1024) or '0.5 vCPU'" : "use MiB (512, 2048) or '2 GB'");
  if (unit.empty()) return n / 1024.0;  // CPU units or MiB
  return n;
}

TaskSize task_size(const Json& def) {
  TaskSize t;
  if (!def.contains("cpu") || !def.contains("memory"))
    throw_usage("the task definition has no task-level cpu and memory",
                "Fargate bills the task size: set cpu (e.g. \"256\") and memory (e.g. \"512\")");
  t.vcpu = read_size(def["cpu"], true, "cpu");
  t.memory_gb = read_size(def["memory"], false, "memory");
  if (def.contains("runtimePlatform") && def["runtimePlatform"].is_object()) {
    const Json& rp = def["runtimePlatform"];
    t.os = rp.value("operatingSystemFamily", "LINUX");
    t.arch = rp.value("cpuArchitecture", "X86_64");
  }
  if (def.contains("ephemeralStorage") && def["ephemeralStorage"].is_object())
    t.storage_gb = def["ephemeralStorage"].value("sizeInGiB", 20.0);
  return t;
}

const Json& price_entry(const Json& prices, const std::string& region, const std::string& platform) {
  const Json& regions = prices.at("regions");
  if (!regions.contains(region)) {
    std::string known;
    for (const auto& [name, _] : regions.items()) known += (known.empty() ? "" : ", ") + name;
    throw_usage("no Fargate prices for region " + region + " in the price table",
                "the table has " + known + "; refresh it with scripts/refresh-prices, or pass --prices FILE");
  }
  const Json& r = regions[region];
  if (!r.contains(platform)) {
    std::string known;
    for (const auto& [name, v] : r.items())
      if (v.is_object() && v.contains("vcpu_hour")) known += (known.empty() ? "" : ", ") + name;
    throw_usage("no Fargate prices for " + platform + " in " + region + " in the price table",
                "it has " + known + " there; refresh it with scripts/refresh-prices, or pass --prices FILE");
  }
  return r[platform];
}

std::string platform_key(const TaskSize& size) {
  std::string os = size.os.rfind("WINDOWS", 0) == 0 ? "WINDOWS" : size.os;
  return (size.spot ? "SPOT/" : "") + os + "/" + size.arch;
}

double fargate_cost(const Json& prices, const std::string& region, const TaskSize& size, double seconds, long count) {
  if (size.spot && size.os != "LINUX") throw_usage("Fargate Spot runs Linux tasks only", "drop --spot for a Windows task");
  const Json& p = price_entry(prices, region, platform_key(size));
  double minimum = p.value("minimum_seconds", prices.value("billing", Json::object()).value("minimum_seconds", 60.0));
  double billed_hours = std::max(seconds, minimum) / 3600.0;
  double per_hour = size.vcpu * p.at("vcpu_hour").get<double>() + size.memory_gb * p.at("gb_hour").get<double>();
  // Windows: the OS licence fee per vCPU-hour comes on top.
  per_hour += size.vcpu * p.value("os_license_vcpu_hour", 0.0);
  const Json& r = prices.at("regions").at(region);
  if (r.contains("ephemeral_storage")) {
    double extra = size.storage_gb - r["ephemeral_storage"].value("free_gb", 20.0);
    if (extra > 0) per_hour += extra * r["ephemeral_storage"].value("gb_hour", 0.0);
  }
  return per_hour * billed_hours * static_cast<double>(count);
}

}  // namespace ecsctl::commands::workflow
