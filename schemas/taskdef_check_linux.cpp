// Sections 5.6 and 5.7 of task-definition-rules.md: Fargate restrictions,
// capabilities, swap, ulimits, sysctls, security options, GPUs, restart policy.
#include <map>
#include <set>

#include "schemas/taskdef_check.hpp"

namespace ecsctl::taskdef {

namespace {

const std::set<std::string>& capabilities() {
  static const std::set<std::string> caps = {
      "ALL", "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
      "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD",
      "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
      "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO",
      "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM"};
  return caps;
}

bool ipc_sysctl(const std::string& ns) {
  static const std::set<std::string> names = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                              "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  return names.count(ns) || ns.rfind("fs.mqueue.", 0) == 0;
}

void check_fargate_params(Checker& k, const Json& c, const std::string& p) {
  static const char* const members[] = {"disableNetworking", "dnsSearchDomains", "dnsServers", "dockerSecurityOptions",
                                        "extraHosts", "links", "privileged"};
  for (const char* m : members)
    if (is_set(c, m)) k.add("fargate-unsupported-param", p + "." + m, std::string(m) + " isn't supported on Fargate");
  if (const Json* lp = object_at(c, "linuxParameters"))
    for (const char* m : {"devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness"})
      if (is_set(*lp, m))
        k.add("fargate-unsupported-param", p + ".linuxParameters." + m, "linuxParameters." + std::string(m) + " isn't supported on Fargate");
  if (const Json* rr = list_at(c, "resourceRequirements"))
    for (std::size_t i = 0; i < rr->size(); ++i)
      if (string_at((*rr)[i], "type") == std::optional<std::string>("GPU"))
        k.add("fargate-unsupported-param", path_index(p + ".resourceRequirements", i), "GPU resource requirements aren't supported on Fargate");
}

void check_linux_parameters(Checker& k, const Json& c, const std::string& p) {
  const Json* lp = object_at(c, "linuxParameters");
  if (!lp) return;
  std::string base = p + ".linuxParameters";
  if (const Json* caps = object_at(*lp, "capabilities")) {
    for (const char* which : {"add", "drop"}) {
      const Json* list = list_at(*caps, which);
      if (!list) continue;
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (!(*list)[i].is_string()) continue;
        std::string cap = (*list)[i].get<std::string>();
        std::string cp = path_index(base + ".capabilities." + which, i);
        if (!k.windows && !capabilities().count(cap))
          k.add("capability-value", cp, "unknown capability " + cap + (cap.rfind("CAP_", 0) == 0 ? " (write " + cap.substr(4) + ")" : ""));
        if (k.fg && std::string_view(which) == "add" && cap != "SYS_PTRACE")
          k.add("fargate-capability-add", cp, "capability " + cap + " can't be added on Fargate");
      }
    }
    if (k.ec2like && bool_at(c, "privileged").value_or(false) && (is_set(*caps, "add") || is_set(*caps, "drop")))
      k.add("privileged-capabilities-ignored", base + ".capabilities", "capabilities are ignored because the container is privileged");
  }
  if (k.ec2like) {
    auto sw = int_at(*lp, "swappiness");
    auto ms = int_at(*lp, "maxSwap");
    if (sw && (*sw < 0 || *sw > 100)) k.add("swappiness-range", base + ".swappiness", "swappiness " + std::to_string(*sw) + " is outside 0..100");
    if (ms && *ms < 0) k.add("swappiness-range", base + ".maxSwap", "maxSwap must be >= 0");
    if (member(*lp, "swappiness") && !member(*lp, "maxSwap"))
      k.add("swappiness-without-maxswap", base + ".swappiness", "swappiness is set but maxSwap is not");
  }
}

void check_ulimits_sysctls(Checker& k, const Json& c, const std::string& p,
                           std::map<std::string, std::pair<std::string, std::string>>& net_values) {
  if (const Json* ul = list_at(c, "ulimits")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < ul->size(); ++i) {
      const Json& u = (*ul)[i];
      std::string up = path_index(p + ".ulimits", i);
      auto name = string_at(u, "name").value_or("");
      auto soft = int_at(u, "softLimit");
      auto hard = int_at(u, "hardLimit");
      if (soft && hard && *soft > *hard) k.add("ulimit-soft-gt-hard", up + ".softLimit", "ulimit " + name + ": soft limit above hard limit");
      if (!name.empty() && !names.insert(name).second) k.add("ulimit-duplicate", up + ".name", "ulimit " + name + " set twice");
      if (k.fg && !name.empty() && name != "nofile")
        k.add("ulimit-fargate-non-nofile", up + ".name", "ulimit " + name + " is not applied on Fargate (only nofile is)");
    }
  }
  const Json* sc = list_at(c, "systemControls");
  if (!sc) return;
  std::string ipc = string_at(k.td, "ipcMode").value_or("");
  for (std::size_t i = 0; i < sc->size(); ++i) {
    auto ns = string_at((*sc)[i], "namespace");
    if (!ns) continue;
    std::string sp = path_index(p + ".systemControls", i) + ".namespace";
    bool net = ns->rfind("net.", 0) == 0;
    if (!net && !ipc_sysctl(*ns)) k.add("sysctl-namespace", sp, "sysctl " + *ns + " is not an IPC or net.* namespace");
    if (net && k.nm == "host") k.add("sysctl-host-network", sp, "network sysctl " + *ns + " isn't supported with host networking");
    if (ipc_sysctl(*ns) && ipc == "host") k.add("sysctl-host-ipc", sp, "IPC sysctl " + *ns + " isn't supported with ipcMode host");
    if (net && (k.nm == "awsvpc" || k.nm == "host")) {
      std::string value = string_at((*sc)[i], "value").value_or("");
      auto [it, fresh] = net_values.emplace(*ns, std::make_pair(value, p));
      if (!fresh && it->second.first != value && it->second.second != p)
        k.add("sysctl-awsvpc-conflict", sp, "sysctl " + *ns + " is set to different values by two containers");
    }
  }
}

void check_security(Checker& k, const Json& c, const std::string& p) {
  if (const Json* dso = list_at(c, "dockerSecurityOptions"); dso && k.ec2like) {
    for (std::size_t i = 0; i < dso->size(); ++i) {
      if (!(*dso)[i].is_string()) continue;
      std::string s = (*dso)[i].get<std::string>();
      bool ok = s == "no-new-privileges" || s.rfind("apparmor:", 0) == 0 || s.rfind("label:", 0) == 0 ||
                s.rfind("credentialspec:", 0) == 0;
      if (!ok) k.add("docker-security-options-format", path_index(p + ".dockerSecurityOptions", i), "unrecognised dockerSecurityOptions entry '" + s + "'");
    }
  }
  if (const Json* cs = list_at(c, "credentialSpecs")) {
    if (cs->size() > 1) k.add("credential-specs-max", p + ".credentialSpecs", "credentialSpecs has " + std::to_string(cs->size()) + " entries; at most 1");
    for (std::size_t i = 0; i < cs->size(); ++i)
      if ((*cs)[i].is_string()) {
        std::string s = (*cs)[i].get<std::string>();
        if (s.rfind("credentialspec:", 0) != 0 && s.rfind("credentialspecdomainless:", 0) != 0)
          k.add("credential-specs-max", path_index(p + ".credentialSpecs", i), "credentialSpecs entry must start with credentialspec: or credentialspecdomainless:");
      }
  }
  if (k.nm == "host" && !k.windows) {
    auto user = string_at(c, "user");
    if (!user || *user == "root" || *user == "0" || user->rfind("0:", 0) == 0 || user->rfind("root:", 0) == 0)
      k.add("host-network-root-user", p + (user ? ".user" : ""), "container " + container_label(c, 0) + " runs as root with host networking");
  }
}

void check_resources(Checker& k, const Json& c, const std::string& p, std::set<std::string>& used_accel, int& neuron_users) {
  const Json* rr = list_at(c, "resourceRequirements");
  if (!rr) return;
  std::set<std::string> declared;
  if (const Json* ia = list_at(k.td, "inferenceAccelerators"))
    for (const auto& a : *ia)
      if (auto n = string_at(a, "deviceName")) declared.insert(*n);
  for (std::size_t i = 0; i < rr->size(); ++i) {
    auto type = string_at((*rr)[i], "type");
    auto value = string_at((*rr)[i], "value");
    std::string rp = path_index(p + ".resourceRequirements", i) + ".value";
    if (!type || !value) continue;
    if (*type == "GPU" && k.ec2like) {
      bool count = !value->empty() && value->size() < 10 && (*value)[0] != '0';
      for (char ch : *value) count = count && std::isdigit(static_cast<unsigned char>(ch));
      if (!count && *value != "ALL") k.add("gpu-value", rp, "GPU value '" + *value + "' is not a positive count or ALL");
    }
    if (*type == "NeuronDevice") {
      ++neuron_users;
      if (*value != "ALL") k.add("neuron-device", rp, "NeuronDevice value must be ALL");
      else if (neuron_users > 1) k.add("neuron-device", rp, "only one container of a task can use NeuronDevice");
      else if (!k.managed) k.add("neuron-device", rp, "NeuronDevice needs MANAGED_INSTANCES in requiresCompatibilities");
    }
    if (*type == "InferenceAccelerator") {
      used_accel.insert(*value);
      if (!declared.count(*value)) k.add("inference-accelerator-ref", rp, "accelerator " + *value + " isn't declared under inferenceAccelerators");
    }
  }
}

}  // namespace

void check_linux(Checker& k) {
  std::map<std::string, std::pair<std::string, std::string>> net_values;
  std::set<std::string> used_accel;
  int neuron_users = 0;
  for (auto& [cp, p] : k.containers) {
    const Json& c = *cp;
    if (k.fg) check_fargate_params(k, c, p);
    check_linux_parameters(k, c, p);
    check_ulimits_sysctls(k, c, p, net_values);
    check_security(k, c, p);
    check_resources(k, c, p, used_accel, neuron_users);
    if (const Json* rp = object_at(c, "restartPolicy")) {
      if (auto period = int_at(*rp, "restartAttemptPeriod"); period && (*period < 60 || *period > 1800))
        k.add("restart-policy-range", p + ".restartPolicy.restartAttemptPeriod", "restartAttemptPeriod " + std::to_string(*period) + " is outside 60..1800");
      if (const Json* codes = list_at(*rp, "ignoredExitCodes"); codes && codes->size() > 50)
        k.add("restart-policy-range", p + ".restartPolicy.ignoredExitCodes", std::to_string(codes->size()) + " ignored exit codes; at most 50");
    }
  }
  if (const Json* ia = list_at(k.td, "inferenceAccelerators"))
    for (std::size_t i = 0; i < ia->size(); ++i)
      if (auto n = string_at((*ia)[i], "deviceName"); n && !used_accel.count(*n))
        k.add("inference-accelerator-ref", path_index("inferenceAccelerators", i) + ".deviceName", "accelerator " + *n + " isn't used by any container");
  if (k.fg) {
    if (is_set(k.td, "ipcMode")) k.add("fargate-unsupported-param", "ipcMode", "ipcMode isn't supported on Fargate");
    if (is_set(k.td, "placementConstraints")) k.add("fargate-unsupported-param", "placementConstraints", "placementConstraints aren't supported on Fargate");
    if (const Json* vols = list_at(k.td, "volumes"))
      for (std::size_t i = 0; i < vols->size(); ++i) {
        const Json& v = (*vols)[i];
        std::string vp = path_index("volumes", i);
        if (is_set(v, "dockerVolumeConfiguration"))
          k.add("fargate-unsupported-param", vp + ".dockerVolumeConfiguration", "dockerVolumeConfiguration isn't supported on Fargate");
        if (const Json* host = object_at(v, "host"); host && is_set(*host, "sourcePath"))
          k.add("fargate-unsupported-param", vp + ".host.sourcePath", "host.sourcePath isn't supported on Fargate");
      }
  }
}

}  // namespace ecsctl::taskdef
