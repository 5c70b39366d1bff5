// Sections 1 and 2 of task-definition-rules.md: task size on Fargate, container
// cpu/memory, EC2 and Windows resource rules.
#include <cstdio>

#include "schemas/taskdef_check.hpp"
#include "schemas/taskdef_size.hpp"

namespace ecsctl::taskdef {

static std::string join_numbers(const std::vector<long long>& v) {
  std::string s;
  for (long long x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}

static bool version_below_1_4(const std::string& v) {
  if (v == "LATEST") return false;
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) < 1) return false;
  return major < 1 || (major == 1 && minor < 4);
}

static void check_fargate_size(Checker& k) {
  if (!k.fg) return;
  if (!member(k.td, "cpu")) k.add("fargate-cpu-required", "cpu", "Fargate tasks need a task-level cpu");
  if (!member(k.td, "memory")) k.add("fargate-memory-required", "memory", "Fargate tasks need a task-level memory");
  if (!k.task_cpu || !k.task_mem) return;
  long long c = *k.task_cpu, m = *k.task_mem;
  if (!fargate_allowed(c, m)) {
    std::string choices = fargate_memory_choices(c);
    std::string msg = "cpu " + std::to_string(c) + " and memory " + std::to_string(m) +
                      " MiB is not a Fargate task size: ";
    msg += choices.empty() ? "cpu " + std::to_string(c) + " is not a Fargate cpu value (256, 512, 1024, 2048, 4096, 8192, 16384)"
                           : "cpu " + std::to_string(c) + " allows memory " + choices;
    auto cpus = fargate_cpus_for_memory(m);
    msg += cpus.empty() ? "; memory " + std::to_string(m) + " is allowed with no cpu value"
                        : "; memory " + std::to_string(m) + " is allowed with cpu " + join_numbers(cpus);
    k.add("fargate-task-size", "memory", msg);
  }
  if (k.windows && c < 1024)
    k.add("fargate-windows-min-cpu", "cpu", "Windows on Fargate needs at least 1 vCPU; cpu is " + std::to_string(c));
  if (k.windows && (c == 8192 || c == 16384))
    k.add("fargate-windows-large-size", "cpu", "cpu " + std::to_string(c) + " is documented for Linux Fargate only");
  if (!k.windows && (c == 8192 || c == 16384) && k.opts.platform_version &&
      version_below_1_4(*k.opts.platform_version))
    k.add("fargate-platform-version", "cpu", "cpu " + std::to_string(c) + " needs platform version 1.4.0 or later, not " +
                                                 *k.opts.platform_version);
}

static void check_container_resources(Checker& k) {
  long long cpu_sum = 0, res_sum = 0;
  for (std::size_t i = 0; i < k.containers.size(); ++i) {
    const Json& c = *k.containers[i].first;
    const std::string& p = k.containers[i].second;
    std::string label = container_label(c, i);
    auto cpu = int_at(c, "cpu");
    auto mem = int_at(c, "memory");
    auto res = int_at(c, "memoryReservation");
    cpu_sum += cpu.value_or(0);
    res_sum += res ? *res : mem.value_or(0);
    if (k.task_mem && mem && *mem > *k.task_mem)
      k.add("container-memory-exceeds-task", p + ".memory",
            "container " + label + " memory " + std::to_string(*mem) + " MiB exceeds the task's " +
                std::to_string(*k.task_mem) + " MiB");
    if (mem && res && *res > *mem)
      k.add("memory-reservation-gt-memory", p + ".memoryReservation",
            "memoryReservation (soft, " + std::to_string(*res) + ") exceeds memory (hard, " + std::to_string(*mem) + ")");
    if (mem && res && *res == *mem)
      k.add("memory-reservation-eq-memory", p + ".memoryReservation",
            "memory equals memoryReservation (" + std::to_string(*mem) + ")");
    if (mem && *mem < 6)
      k.add("container-memory-min", p + ".memory", "container memory " + std::to_string(*mem) + " MiB is below 6 MiB");
    if (res && *res < 6)
      k.add("container-memory-min", p + ".memoryReservation",
            "container memoryReservation " + std::to_string(*res) + " MiB is below 6 MiB");
    if (!k.windows && cpu && (*cpu == 1 || *cpu > 262144))
      k.add("container-cpu-range", p + ".cpu", "container cpu " + std::to_string(*cpu) + " is outside 2..262144 shares");
    if (k.ec2like && !member(k.td, "memory") && mem.value_or(0) <= 0 && res.value_or(0) <= 0)
      k.add("container-memory-required", p + ".memory",
            "container " + label + " has no memory or memoryReservation and the task has no memory");
  }
  if (k.task_cpu && cpu_sum > *k.task_cpu)
    k.add("container-cpu-sum", "cpu", "containers reserve " + std::to_string(cpu_sum) +
                                          " CPU units but the task has " + std::to_string(*k.task_cpu));
  if (k.task_mem && res_sum > *k.task_mem)
    k.add("container-memory-sum", "memory", "containers reserve " + std::to_string(res_sum) +
                                                " MiB but the task has " + std::to_string(*k.task_mem) + " MiB");
}

static void check_windows(Checker& k) {
  if (!k.windows) return;
  if (const Json* rp = object_at(k.td, "runtimePlatform"))
    if (string_at(*rp, "cpuArchitecture") == std::optional<std::string>("ARM64"))
      k.add("windows-arm64", "runtimePlatform.cpuArchitecture", "ARM64 is not available with a Windows OS family");
  if (k.ec2like) {
    auto nm = string_at(k.td, "networkMode");
    if (nm && *nm != "awsvpc")
      k.add("windows-network-mode", "networkMode", "network mode " + *nm + " is not supported for Windows on EC2");
    bool task_res = is_set(k.td, "cpu") || is_set(k.td, "memory");
    bool container_res = false;
    for (auto& [c, p] : k.containers)
      container_res = container_res || is_set(*c, "cpu") || is_set(*c, "memory") || is_set(*c, "memoryReservation");
    if (task_res && !container_res && !k.fg)
      k.add("windows-container-resources", is_set(k.td, "cpu") ? "cpu" : "memory",
            "task-level cpu/memory are ignored for Windows containers on EC2");
  }
  static const char* const container_members[] = {"links", "linuxParameters", "user", "disableNetworking",
                                                  "privileged", "readonlyRootFilesystem", "dnsServers",
                                                  "dnsSearchDomains", "extraHosts", "ulimits", "systemControls"};
  for (auto& [c, p] : k.containers)
    for (const char* m : container_members)
      if (is_set(*c, m)) k.add("windows-unsupported-param", p + "." + m, std::string(m) + " is not supported for Windows containers");
  for (const char* m : {"pidMode", "ipcMode"})
    if (is_set(k.td, m)) k.add("windows-unsupported-param", m, std::string(m) + " is not supported for Windows containers");
}

void check_task_size(Checker& k) {
  if (auto cpu = string_at(k.td, "cpu"); cpu && !k.task_cpu)
    k.add("task-cpu-format", "cpu", "task cpu '" + *cpu + "' is not a number of CPU units or '<n> vCPU'");
  if (auto mem = string_at(k.td, "memory"); mem && !k.task_mem)
    k.add("task-memory-format", "memory", "task memory '" + *mem + "' is not MiB or '<n> GB'");
  check_fargate_size(k);
  if (k.ec2like && k.task_cpu && (*k.task_cpu < 128 || *k.task_cpu > 196608))
    k.add("task-cpu-range", "cpu", "task cpu " + std::to_string(*k.task_cpu) + " is outside 128..196608 units");
  check_container_resources(k);
  check_windows(k);
}

}  // namespace ecsctl::taskdef
