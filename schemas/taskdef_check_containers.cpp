// Sections 5.1 to 5.5 of task-definition-rules.md: essential containers, links,
// volumes, dependsOn, timeouts, health checks, logging, secrets.
#include <map>
#include <set>

#include "schemas/taskdef_check.hpp"

namespace ecsctl::taskdef {

namespace {

bool digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Splits "arn:partition:service:region:account:resource" into its 6 parts.
std::optional<std::vector<std::string_view>> split_arn(std::string_view s) {
  if (s.substr(0, 4) != "arn:") return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    std::size_t c = s.find(':', start);
    if (c == std::string_view::npos) return std::nullopt;
    parts.push_back(s.substr(start, c - start));
    start = c + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

bool ssm_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/')) return false;
  return true;
}

bool secretsmanager_arn(std::string_view s) {
  auto a = split_arn(s);
  return a && (*a)[2] == "secretsmanager" && !(*a)[3].empty() && digits((*a)[4], 12) &&
         (*a)[5].substr(0, 7) == "secret:" && (*a)[5].size() > 7;
}

bool valid_value_from(std::string_view s) {
  if (s.substr(0, 4) != "arn:") return ssm_name(s);
  if (secretsmanager_arn(s)) return true;
  auto a = split_arn(s);
  return a && (*a)[2] == "ssm" && !(*a)[3].empty() && digits((*a)[4], 12) && (*a)[5].substr(0, 10) == "parameter/" &&
         (*a)[5].size() > 10;
}

bool private_ecr(std::string_view image) {
  std::size_t dot = image.find('.');
  if (dot != 12 || !digits(image.substr(0, 12), 12)) return false;
  std::size_t slash = image.find('/');
  std::string_view host = image.substr(0, slash);
  return host.find(".dkr.ecr.") != std::string_view::npos &&
         (host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"));
}

std::map<std::string, const Json*> by_name(const Checker& k) {
  std::map<std::string, const Json*> m;
  for (auto& [c, p] : k.containers)
    if (auto n = string_at(*c, "name")) m.emplace(*n, c);
  return m;
}

void check_references(Checker& k, const std::map<std::string, const Json*>& names) {
  std::set<std::string> volumes;
  if (const Json* vols = list_at(k.td, "volumes"))
    for (const auto& v : *vols)
      if (auto n = string_at(v, "name")) volumes.insert(*n);
  for (std::size_t ci = 0; ci < k.containers.size(); ++ci) {
    const Json& c = *k.containers[ci].first;
    const std::string& p = k.containers[ci].second;
    auto self = string_at(c, "name");
    if (const Json* links = list_at(c, "links"); links && k.nm == "bridge") {
      for (std::size_t i = 0; i < links->size(); ++i) {
        if (!(*links)[i].is_string()) continue;
        std::string l = (*links)[i].get<std::string>();
        std::string target = l.substr(0, l.find(':'));
        if (!names.count(target) || target == self)
          k.add("links-target", path_index(p + ".links", i), "links entry " + l + " names no other container of this task");
      }
    }
    if (const Json* vf = list_at(c, "volumesFrom")) {
      for (std::size_t i = 0; i < vf->size(); ++i) {
        auto src = string_at((*vf)[i], "sourceContainer");
        if (src && (!names.count(*src) || src == self))
          k.add("volumesfrom-target", path_index(p + ".volumesFrom", i) + ".sourceContainer",
                "sourceContainer " + *src + " is not another container in this task");
      }
    }
    if (const Json* mps = list_at(c, "mountPoints")) {
      for (std::size_t i = 0; i < mps->size(); ++i) {
        const Json& mp = (*mps)[i];
        std::string mpp = path_index(p + ".mountPoints", i);
        auto sv = string_at(mp, "sourceVolume");
        if (sv && !volumes.count(*sv))
          k.add("mountpoint-volume", mpp + ".sourceVolume", "mount point refers to volume " + *sv + ", which isn't defined under volumes");
        auto cpath = string_at(mp, "containerPath");
        if (mp.is_object() && (!cpath || cpath->empty()))
          k.add("mountpoint-path", mpp + ".containerPath", "mount point needs a containerPath");
      }
    }
  }
}

void check_depends_on(Checker& k, const std::map<std::string, const Json*>& names) {
  std::map<std::string, std::vector<std::string>> graph;
  for (auto& [c, p] : k.containers) {
    auto self = string_at(*c, "name");
    const Json* deps = list_at(*c, "dependsOn");
    if (!deps) continue;
    for (std::size_t i = 0; i < deps->size(); ++i) {
      std::string dp = path_index(p + ".dependsOn", i);
      auto target = string_at((*deps)[i], "containerName");
      auto cond = string_at((*deps)[i], "condition");
      if (!target) continue;
      auto it = names.find(*target);
      if (it == names.end() || target == self) {
        k.add("depends-on-target", dp + ".containerName", "dependsOn refers to " + *target + ", which isn't another container here");
        continue;
      }
      if (self) graph[*self].push_back(*target);
      if (cond == std::optional<std::string>("HEALTHY") && !is_set(*it->second, "healthCheck"))
        k.add("depends-on-healthy-needs-healthcheck", dp + ".condition",
              "container " + *target + " has no healthCheck, so HEALTHY can never be reached");
      if (cond && (*cond == "COMPLETE" || *cond == "SUCCESS") && essential(*it->second))
        k.add("depends-on-complete-essential", dp + ".condition",
              *cond + " can't target the essential container " + *target);
    }
  }
  // A dependsOn edge c -> t lies on a cycle when t reaches c; report the first one per cycle.
  std::set<std::string> reported;
  for (auto& [c, p] : k.containers) {
    auto self = string_at(*c, "name");
    const Json* deps = list_at(*c, "dependsOn");
    if (!self || !deps) continue;
    for (std::size_t i = 0; i < deps->size(); ++i) {
      auto target = string_at((*deps)[i], "containerName");
      if (!target || !names.count(*target) || target == self) continue;
      if (reported.count(*self) && reported.count(*target)) continue;
      // BFS from target back to self, remembering parents for the path.
      std::map<std::string, std::string> parent{{*target, ""}};
      std::vector<std::string> queue{*target};
      bool found = false;
      for (std::size_t q = 0; q < queue.size() && !found; ++q)
        for (const auto& n : graph[queue[q]])
          if (!parent.count(n)) {
            parent[n] = queue[q];
            if (n == *self) { found = true; break; }
            queue.push_back(n);
          }
      if (!found) continue;
      std::vector<std::string> cycle;
      for (std::string n = *self; !n.empty(); n = parent[n]) cycle.push_back(n);
      std::string text = *self;
      for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) text += " \u2192 " + *it;
      for (const auto& n : cycle) reported.insert(n);
      k.add("depends-on-cycle", path_index(p + ".dependsOn", i), "dependsOn cycle: " + text);
    }
  }
}

void check_timeouts_and_health(Checker& k, const Json& c, const std::string& p) {
  for (const char* t : {"startTimeout", "stopTimeout"}) {
    auto v = int_at(c, t);
    if (!v) continue;
    std::string rule = std::string(t) == "startTimeout" ? "start-timeout-range" : "stop-timeout-range";
    if (k.fg && (*v < 2 || *v > 120))
      k.add(rule, p + "." + t, std::string(t) + " " + std::to_string(*v) + " is outside 2..120 seconds on Fargate");
    if (k.ec2like && *v < 0) k.add("timeout-ec2-positive", p + "." + t, std::string(t) + " must be >= 0");
  }
  const Json* hc = object_at(c, "healthCheck");
  if (!hc) return;
  std::string hp = p + ".healthCheck";
  if (const Json* cmd = list_at(*hc, "command")) {
    bool ok = cmd->size() >= 2 && (*cmd)[0].is_string() &&
              ((*cmd)[0] == "CMD" || (*cmd)[0] == "CMD-SHELL");
    if (!ok) k.add("healthcheck-command", hp + ".command", "healthCheck.command must be [\"CMD\" or \"CMD-SHELL\", ...]");
  }
  struct Bound { const char* name; const char* rule; long long lo, hi; };
  static const Bound bounds[] = {{"interval", "healthcheck-interval-range", 5, 300},
                                 {"timeout", "healthcheck-timeout-range", 2, 60},
                                 {"retries", "healthcheck-retries-range", 1, 10},
                                 {"startPeriod", "healthcheck-start-period-range", 0, 300}};
  for (const auto& b : bounds)
    if (auto v = int_at(*hc, b.name); v && (*v < b.lo || *v > b.hi))
      k.add(b.rule, hp + "." + b.name, std::string(b.name) + " " + std::to_string(*v) + " is outside " +
                                            std::to_string(b.lo) + ".." + std::to_string(b.hi));
  long long interval = int_at(*hc, "interval").value_or(30), timeout = int_at(*hc, "timeout").value_or(5);
  if (timeout >= interval)
    k.add("healthcheck-timeout-ge-interval", hp + (member(*hc, "timeout") ? ".timeout" : ".interval"),
          "timeout " + std::to_string(timeout) + "s is not shorter than interval " + std::to_string(interval) + "s");
}

void check_logging(Checker& k, const Json& c, const std::string& p, bool any_firelens) {
  const Json* lc = object_at(c, "logConfiguration");
  if (!lc) {
    k.add("log-config-missing", p, "container " + string_at(c, "name").value_or("") + " has no logConfiguration");
    return;
  }
  std::string lp = p + ".logConfiguration";
  auto driver = string_at(*lc, "logDriver").value_or("");
  const Json* opts = object_at(*lc, "options");
  static const Json empty = Json::object();
  const Json& o = opts ? *opts : empty;
  std::string op = lp + ".options";
  if (k.fg && !driver.empty() && driver != "awslogs" && driver != "splunk" && driver != "awsfirelens")
    k.add("log-driver-fargate", lp + ".logDriver", "log driver " + driver + " isn't supported on Fargate");
  if (driver == "awslogs") {
    if (!is_set(o, "awslogs-group"))
      k.add("awslogs-group-required", path_join(op, "awslogs-group"), "awslogs needs options.awslogs-group");
    if (!member(o, "awslogs-region"))
      k.add("awslogs-region-required", path_join(op, "awslogs-region"), "awslogs needs options.awslogs-region");
    if (!member(o, "awslogs-stream-prefix")) {
      if (k.fg) k.add("awslogs-stream-prefix-required", path_join(op, "awslogs-stream-prefix"), "awslogs on Fargate needs options.awslogs-stream-prefix");
      if (k.ec2like) k.add("awslogs-stream-prefix-missing", path_join(op, "awslogs-stream-prefix"), "awslogs has no awslogs-stream-prefix");
    }
    if (member(o, "awslogs-datetime-format") && member(o, "awslogs-multiline-pattern"))
      k.add("awslogs-multiline-conflict", path_join(op, "awslogs-multiline-pattern"),
            "awslogs-datetime-format and awslogs-multiline-pattern are both set");
  }
  if (auto mode = string_at(o, "mode"); mode && *mode != "blocking" && *mode != "non-blocking")
    k.add("log-mode-value", path_join(op, "mode"), "log mode '" + *mode + "' is not blocking or non-blocking");
  if (driver == "splunk") {
    bool token = member(o, "splunk-token");
    if (const Json* so = list_at(*lc, "secretOptions"))
      for (const auto& s : *so) token = token || string_at(s, "name") == std::optional<std::string>("splunk-token");
    if (!member(o, "splunk-url")) k.add("splunk-required-options", path_join(op, "splunk-url"), "splunk needs options.splunk-url");
    else if (!token) k.add("splunk-required-options", path_join(op, "splunk-token"), "splunk needs splunk-token in options or secretOptions");
  }
  if (driver == "awsfirelens" && !any_firelens)
    k.add("awsfirelens-needs-router", lp + ".logDriver", "no container of this task has a firelensConfiguration");
}

void check_secrets(Checker& k, const Json& c, const std::string& p, std::vector<std::string>& triggers) {
  auto check_list = [&](const Json* list, const std::string& lp) {
    if (!list) return;
    std::set<std::string> names;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string sp = path_index(lp, i);
      if (auto vf = string_at((*list)[i], "valueFrom"); vf && !valid_value_from(*vf))
        k.add("secret-valuefrom-format", sp + ".valueFrom", "valueFrom '" + *vf + "' is not a Secrets Manager ARN, SSM parameter ARN or SSM name");
      if (auto n = string_at((*list)[i], "name"); n && !names.insert(*n).second && lp.ends_with(".secrets"))
        k.add("secret-name-unique", sp + ".name", "secret " + *n + " defined twice");
    }
    if (!list->empty()) triggers.push_back("read secrets");
  };
  check_list(list_at(c, "secrets"), p + ".secrets");
  if (const Json* lc = object_at(c, "logConfiguration")) {
    check_list(list_at(*lc, "secretOptions"), p + ".logConfiguration.secretOptions");
    if (string_at(*lc, "logDriver") == std::optional<std::string>("awslogs") && (k.fg || k.external || k.managed))
      triggers.push_back("send awslogs");
  }
  if (const Json* rc = object_at(c, "repositoryCredentials")) {
    triggers.push_back("read repository credentials");
    if (auto cp = string_at(*rc, "credentialsParameter"))
      if (cp->empty() || (cp->rfind("arn:", 0) == 0 ? !secretsmanager_arn(*cp) : !ssm_name(*cp)))
        k.add("repository-credentials-format", p + ".repositoryCredentials.credentialsParameter",
              "credentialsParameter '" + *cp + "' is not a Secrets Manager secret ARN or name");
  }
  if (auto img = string_at(c, "image"); img && private_ecr(*img) && (k.fg || k.external || k.managed))
    triggers.push_back("pull from private ECR");
  if (const Json* ef = list_at(c, "environmentFiles")) {
    if (ef->size() > 10) k.add("environment-files-max", p + ".environmentFiles", std::to_string(ef->size()) + " environment files; at most 10");
    for (std::size_t i = 0; i < ef->size(); ++i) {
      auto v = string_at((*ef)[i], "value");
      if (!v) continue;
      auto a = split_arn(*v);
      bool ok = a && (*a)[2] == "s3" && (*a)[3].empty() && (*a)[4].empty() && (*a)[5].find('/') != std::string_view::npos &&
                (*a)[5].find('/') > 0 && v->ends_with(".env");
      if (!ok) k.add("environment-file-format", path_index(p + ".environmentFiles", i) + ".value",
                     "environment file '" + *v + "' is not an S3 object ARN ending in .env");
    }
  }
}

}  // namespace

void check_containers(Checker& k) {
  auto names = by_name(k);
  if (!k.containers.empty()) {
    bool any = false;
    for (auto& [c, p] : k.containers) any = any || essential(*c);
    if (!any) k.add("essential-none", "containerDefinitions", "no container is essential");
  }
  check_references(k, names);
  check_depends_on(k, names);
  bool any_firelens = false;
  for (auto& [c, p] : k.containers) any_firelens = any_firelens || is_set(*c, "firelensConfiguration");
  std::vector<std::string> triggers;
  for (std::size_t i = 0; i < k.containers.size(); ++i) {
    const Json& c = *k.containers[i].first;
    const std::string& p = k.containers[i].second;
    check_timeouts_and_health(k, c, p);
    check_logging(k, c, p, any_firelens);
    check_secrets(k, c, p, triggers);
    if (const Json* fl = object_at(c, "firelensConfiguration"); fl && k.fg)
      if (const Json* o = object_at(*fl, "options"))
        if (auto t = string_at(*o, "config-file-type"); t && *t != "file")
          k.add("firelens-config-file-type-fargate", p + ".firelensConfiguration.options[\"config-file-type\"]",
                "config-file-type " + *t + " isn't supported on Fargate");
  }
  if (!triggers.empty() && !is_set(k.td, "executionRoleArn")) {
    std::set<std::string> uniq(triggers.begin(), triggers.end());
    std::string why;
    for (const auto& t : uniq) why += (why.empty() ? "" : ", ") + t;
    k.add("execution-role-required", "executionRoleArn", "executionRoleArn is missing; the ECS agent needs it to " + why);
  }
}

}  // namespace ecsctl::taskdef
