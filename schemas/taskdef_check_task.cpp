// Sections 6 and 7 of task-definition-rules.md: task-level members (pidMode,
// volumes, EFS, ephemeral storage, proxy, placement) and best-practice warnings.
#include <map>

#include "schemas/taskdef_check.hpp"
#include "schemas/taskdef_rules.hpp"

namespace ecsctl::taskdef {

namespace {

void check_volumes(Checker& k) {
  const Json* vols = list_at(k.td, "volumes");
  if (!vols) return;
  int at_launch = 0;
  for (std::size_t i = 0; i < vols->size(); ++i) {
    const Json& v = (*vols)[i];
    std::string vp = path_index("volumes", i);
    std::string label = string_at(v, "name").value_or("#" + std::to_string(i));
    int kinds = 0;
    for (const char* m : {"host", "dockerVolumeConfiguration", "efsVolumeConfiguration", "s3filesVolumeConfiguration",
                          "fsxWindowsFileServerVolumeConfiguration", "configuredAtLaunch"})
      if (is_set(v, m) || (std::string_view(m) == "host" && object_at(v, "host"))) ++kinds;
    if (kinds > 1) k.add("volume-one-type", vp, "volume " + label + " mixes several volume types");
    if (bool_at(v, "configuredAtLaunch").value_or(false) && ++at_launch > 1)
      k.add("volume-configured-at-launch-max", vp + ".configuredAtLaunch", "more than one volume is configured at launch");
    if (const Json* dv = object_at(v, "dockerVolumeConfiguration"); dv && k.ec2like)
      if (bool_at(*dv, "autoprovision").value_or(false) && string_at(*dv, "scope").value_or("task") != "shared")
        k.add("docker-volume-autoprovision-scope", vp + ".dockerVolumeConfiguration.autoprovision",
              "autoprovision is only used with scope shared");
    if (const Json* efs = object_at(v, "efsVolumeConfiguration")) {
      std::string ep = vp + ".efsVolumeConfiguration";
      const Json* auth = object_at(*efs, "authorizationConfig");
      bool iam = auth && string_at(*auth, "iam") == std::optional<std::string>("ENABLED");
      bool ap = auth && is_set(*auth, "accessPointId");
      if ((iam || ap) && string_at(*efs, "transitEncryption") != std::optional<std::string>("ENABLED"))
        k.add("efs-transit-encryption", ep + ".transitEncryption",
              std::string(iam ? "IAM authorization" : "an access point") + " needs transitEncryption ENABLED");
      if (ap)
        if (auto root = string_at(*efs, "rootDirectory"); root && *root != "/")
          k.add("efs-root-directory-access-point", ep + ".rootDirectory", "rootDirectory '" + *root + "' is set together with an access point");
      if (iam && !is_set(k.td, "taskRoleArn"))
        k.add("efs-iam-task-role", ep + ".authorizationConfig.iam", "EFS IAM authorization is enabled but the task has no taskRoleArn");
    }
    if (object_at(v, "s3filesVolumeConfiguration") && !is_set(k.td, "taskRoleArn"))
      k.add("s3files-task-role", "taskRoleArn", "volume " + label + " uses S3 Files, which needs a taskRoleArn");
  }
}

void check_proxy_and_placement(Checker& k) {
  if (const Json* px = object_at(k.td, "proxyConfiguration")) {
    if (k.nm != "awsvpc") k.add("proxy-awsvpc", "proxyConfiguration", "proxyConfiguration needs networkMode awsvpc, not " + k.nm);
    if (auto name = string_at(*px, "containerName")) {
      bool found = false;
      for (auto& [c, p] : k.containers) found = found || string_at(*c, "name") == name;
      if (!found) k.add("proxy-container", "proxyConfiguration.containerName", "proxy container " + *name + " isn't defined");
    }
    std::map<std::string, std::string> props;
    if (const Json* pl = list_at(*px, "properties"))
      for (const auto& p : *pl)
        if (auto n = string_at(p, "name")) props[*n] = string_at(p, "value").value_or("");
    bool ok = (!props["IgnoredUID"].empty() || !props["IgnoredGID"].empty()) && props.count("AppPorts") &&
              props.count("ProxyIngressPort") && props.count("ProxyEgressPort");
    if (!ok) k.add("proxy-properties", "proxyConfiguration.properties", "App Mesh proxy properties are incomplete");
  }
  if (const Json* pc = list_at(k.td, "placementConstraints"); pc && k.ec2like) {
    if (pc->size() > 10) k.add("placement-constraints-max", "placementConstraints", std::to_string(pc->size()) + " placement constraints; at most 10");
    for (std::size_t i = 0; i < pc->size(); ++i)
      if (!is_set((*pc)[i], "expression"))
        k.add("placement-constraints-max", path_index("placementConstraints", i) + ".expression", "memberOf needs an expression");
  }
}

}  // namespace

bool sensitive_name(const std::string& name) {
  std::string u;
  for (char c : name) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* w : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATEKEY", "PRIVATE_KEY",
                        "ACCESSKEY", "ACCESS_KEY", "CREDENTIAL"})
    if (u.find(w) != std::string::npos) return true;
  return false;
}

namespace {

void check_best_practice(Checker& k) {
  long long reserved = 0;
  bool full_hard = false;
  for (std::size_t ci = 0; ci < k.containers.size(); ++ci) {
    const Json& c = *k.containers[ci].first;
    const std::string& p = k.containers[ci].second;
    if (const Json* env = list_at(c, "environment"))
      for (std::size_t i = 0; i < env->size(); ++i) {
        auto name = string_at((*env)[i], "name");
        auto value = string_at((*env)[i], "value");
        // Never echo the value: it is probably a secret.
        if (name && value && !value->empty() && sensitive_name(*name)) {
          k.redact.push_back(*value);
          k.add("env-plaintext-secret", path_index(p + ".environment", i) + ".value",
                *name + " looks sensitive; move it to secrets (SSM / Secrets Manager)");
        }
      }
    const auto cname = string_at(c, "name");
    const bool replaced = cname && k.opts.images_replaced.count(*cname) > 0;
    if (auto img = string_at(c, "image"); !replaced && img && !img->empty() && img->find('@') == std::string::npos) {
      std::size_t slash = img->rfind('/');
      std::size_t colon = img->rfind(':');
      bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
      if (!tagged || img->substr(colon + 1) == "latest")
        k.add("image-latest-tag", p + ".image", "image " + *img + (tagged ? " uses the latest tag" : " has no tag"));
    }
    if (k.opts.load_balanced && essential(c) && is_set(c, "portMappings") && !is_set(c, "healthCheck"))
      k.add("healthcheck-missing-lb", p, "container " + container_label(c, ci) + " has port mappings but no healthCheck");
    auto mem = int_at(c, "memory");
    auto res = int_at(c, "memoryReservation");
    reserved += res ? *res : mem.value_or(0);
    if (k.task_mem && mem && *mem == *k.task_mem && k.containers.size() > 1) full_hard = true;
  }
  if (k.task_mem && *k.task_mem > 0 && (reserved * 10 > *k.task_mem * 9 || full_hard) && reserved <= *k.task_mem)
    k.add("memory-headroom", "memory", "containers reserve " + std::to_string(reserved) + " of " + std::to_string(*k.task_mem) +
                                           " MiB" + (full_hard ? " and one container may use all of it" : ""));
}

}  // namespace

void check_task_members(Checker& k) {
  if (k.fg && !k.windows)
    if (auto pid = string_at(k.td, "pidMode"); pid && *pid != "task")
      k.add("pid-mode-fargate", "pidMode", "pidMode " + *pid + " isn't supported on Fargate");
  check_volumes(k);
  if (const Json* es = object_at(k.td, "ephemeralStorage")) {
    if (auto size = int_at(*es, "sizeInGiB"); size && (*size < 21 || *size > 200))
      k.add("ephemeral-storage-range", "ephemeralStorage.sizeInGiB", "ephemeral storage " + std::to_string(*size) + " GiB is outside 21..200");
    if (!k.fg) k.add("ephemeral-storage-not-fargate", "ephemeralStorage", "ephemeralStorage is set but the task is not for Fargate");
  }
  check_proxy_and_placement(k);
  check_best_practice(k);
}

}  // namespace ecsctl::taskdef
