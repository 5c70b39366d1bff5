// The Fargate price table of `ecsctl cost` (schemas/prices.json, embedded at
// build time) and the cost arithmetic, kept apart from the command for tests.
#pragma once
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace ecsctl::commands::workflow {

// The embedded schemas/prices.json, parsed.
const Json& builtin_prices();

// A task's size and platform, as the bill sees it.
struct TaskSize {
  double vcpu = 0;          // 0.25, 1, 4, ...
  double memory_gb = 0;     // 0.5, 2, 30, ...
  double storage_gb = 20;   // ephemeral storage
  std::string os = "LINUX";
  std::string arch = "X86_64";
  bool spot = false;        // Fargate Spot (Linux only)
};

// The price table's key of a platform: "LINUX/ARM64", "WINDOWS/X86_64", "SPOT/LINUX/X86_64".
std::string platform_key(const TaskSize& size);

// Reads task-level cpu ("256", "1 vCPU", "0.25 vcpu") and memory ("512", "1 GB",
// "2gb") and runtimePlatform / ephemeralStorage of a task definition. Throws a
// usage Error when the size is missing or unreadable.
TaskSize task_size(const Json& definition);

// Cost in the table's currency of `count` tasks of `size` each running
// `seconds`, billed per second with the table's minimum per task. Throws a usage
// Error when `region` (falling back to none) or the OS/architecture has no prices.
double fargate_cost(const Json& prices, const std::string& region, const TaskSize& size, double seconds, long count);

// The price entry of a region and platform ("LINUX/ARM64"): {"vcpu_hour", "gb_hour"},
// and for Windows "os_license_vcpu_hour". Throws a usage Error naming what the table has.
const Json& price_entry(const Json& prices, const std::string& region, const std::string& platform);

}  // namespace ecsctl::commands::workflow
