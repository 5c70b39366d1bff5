// `ecsctl status [SERVICE]`: a service at a glance for a person: deployments,
// tasks, the newest events, CPU and memory of the last hour (CloudWatch
// GetMetricData, drawn as sparklines) and its target groups' health. The same
// data as JSON with --output json (or yaml, or --query).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <sstream>

#include "client/protocols.hpp"
#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/deploy_bluegreen.hpp"
#include "commands/project.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "core/error.hpp"
#include "output/render.hpp"

namespace ecsctl::commands::workflow {
namespace {

constexpr long k_metric_period = 60;       // seconds per chart column
constexpr long k_metric_window = 3600;     // the last hour
constexpr size_t k_stopped_shown = 5;
constexpr size_t k_events_default = 5;

double wall_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

std::optional<double> epoch_of(const Json& v) {
  if (v.is_null()) return std::nullopt;
  return client::parse_timestamp(v);
}

// Age in seconds of the timestamp `v` at `now` (null when absent).
Json age(const Json& v, double now) {
  auto t = epoch_of(v);
  if (!t) return nullptr;
  return static_cast<long>(std::max(0.0, now - *t));
}


std::string address_of(const Json& t) {
  for (const auto& c : t.value("containers", Json::array())) {
    for (const auto& n : c.value("networkInterfaces", Json::array()))
      if (n.contains("privateIpv4Address")) {
        std::string ip = n["privateIpv4Address"];
        for (const auto& b : c.value("networkBindings", Json::array()))
          return ip + ":" + std::to_string(b.value("hostPort", 0L));
        return ip;
      }
  }
  std::string host = t.contains("containerInstanceArn") ? arn_tail(t.value("containerInstanceArn", "")) : "";
  for (const auto& c : t.value("containers", Json::array()))
    for (const auto& b : c.value("networkBindings", Json::array()))
      return (host.empty() ? std::string("host") : host) + ":" + std::to_string(b.value("hostPort", 0L));
  return host;
}

Json task_view(const Json& t, double now) {
  Json v = {{"taskId", arn_tail(t.value("taskArn", ""))},
            {"lastStatus", t.value("lastStatus", "")},
            {"desiredStatus", t.value("desiredStatus", "")},
            {"healthStatus", t.value("healthStatus", "UNKNOWN")},
            {"address", address_of(t)},
            {"taskDefinition", taskdef_short(t.value("taskDefinitionArn", ""))},
            {"availabilityZone", t.value("availabilityZone", "")},
            {"startedAt", t.value("startedAt", Json(nullptr))},
            {"ageSeconds", age(t.value("startedAt", t.value("createdAt", Json(nullptr))), now)}};
  if (t.value("lastStatus", "") == "STOPPED" || t.value("desiredStatus", "") == "STOPPED") {
    v["stoppedAt"] = t.value("stoppedAt", Json(nullptr));
    v["stoppedReason"] = t.value("stoppedReason", "");
    v["stopCode"] = t.value("stopCode", "");
  }
  return v;
}

std::vector<Json> describe_tasks(Runtime& rt, const std::string& cluster, const Json& arns) {
  std::vector<Json> out;
  for (size_t i = 0; i < arns.size(); i += 100) {
    Json part = Json::array();
    for (size_t j = i; j < std::min(arns.size(), i + 100); ++j) part.push_back(arns[j]);
    Json in = {{"cluster", cluster}, {"tasks", part}};
    for (const auto& t : rt.call("ecs", "DescribeTasks", in).value("tasks", Json::array())) out.push_back(t);
  }
  return out;
}

Json tasks_of(Runtime& rt, const std::string& cluster, const std::string& service, double now) {
  Json running = Json::array(), stopped = Json::array();
  for (const char* desired : {"RUNNING", "STOPPED"}) {
    Json arns = rt.call("ecs", "ListTasks", {{"cluster", cluster}, {"serviceName", service}, {"desiredStatus", desired}})
                    .value("taskArns", Json::array());
    std::vector<Json> tasks = describe_tasks(rt, cluster, arns);
    std::sort(tasks.begin(), tasks.end(), [](const Json& a, const Json& b) {
      double ta = epoch_of(a.value("stoppedAt", a.value("startedAt", a.value("createdAt", Json(nullptr))))).value_or(0);
      double tb = epoch_of(b.value("stoppedAt", b.value("startedAt", b.value("createdAt", Json(nullptr))))).value_or(0);
      return ta > tb;
    });
    for (const auto& t : tasks) {
      if (std::string(desired) == "STOPPED" && stopped.size() >= k_stopped_shown) break;
      (std::string(desired) == "RUNNING" ? running : stopped).push_back(task_view(t, now));
    }
  }
  return {{"running", running}, {"recentlyStopped", stopped}};
}

Json metrics_of(Runtime& rt, const std::string& cluster, const std::string& service, double now) {
  long end = static_cast<long>(std::floor(now / k_metric_period) + 1) * k_metric_period;
  long start = end - k_metric_window;
  Json out = {{"namespace", "AWS/ECS"}, {"period", k_metric_period}, {"startTime", client::format_epoch(static_cast<double>(start))},
              {"endTime", client::format_epoch(static_cast<double>(end))}};
  Json queries = Json::array();
  for (const char* m : {"CPUUtilization", "MemoryUtilization"}) {
    std::string id = m == std::string("CPUUtilization") ? "cpu" : "memory";
    queries.push_back({{"Id", id},
                       {"MetricStat",
                        {{"Metric",
                          {{"Namespace", "AWS/ECS"},
                           {"MetricName", m},
                           {"Dimensions", {{{"Name", "ClusterName"}, {"Value", cluster}},
                                           {{"Name", "ServiceName"}, {"Value", service}}}}}},
                         {"Period", k_metric_period},
                         {"Stat", "Average"}}}});
  }
  try {
    Json r = rt.call("cloudwatch", "GetMetricData",
                     {{"MetricDataQueries", queries}, {"StartTime", start}, {"EndTime", end}, {"ScanBy", "TimestampAscending"}});
    for (const auto& res : r.value("MetricDataResults", Json::array())) {
      std::string name = res.value("Id", "") == "cpu" ? "CPUUtilization" : "MemoryUtilization";
      Json points = Json::array();
      const Json ts = res.value("Timestamps", Json::array()), vs = res.value("Values", Json::array());
      for (size_t i = 0; i < ts.size() && i < vs.size(); ++i) points.push_back({{"timestamp", ts[i]}, {"value", vs[i]}});
      std::sort(points.begin(), points.end(), [](const Json& a, const Json& b) {
        return epoch_of(a["timestamp"]).value_or(0) < epoch_of(b["timestamp"]).value_or(0);
      });
      out[name] = points;
    }
  } catch (const Error& e) {
    if (is_interruption(e.code())) throw;
    out["error"] = e.what();
  }
  for (const char* m : {"CPUUtilization", "MemoryUtilization"})
    if (!out.contains(m)) out[m] = Json::array();
  return out;
}

Json target_groups_of(Runtime& rt, const Json& svc) {
  Json out = Json::array();
  std::vector<std::pair<std::string, Json>> groups;
  for (const auto& lb : svc.value("loadBalancers", Json::array())) {
    groups.emplace_back(lb.value("targetGroupArn", ""), lb);
    // Blue/green: the alternate target group too.
    std::string alt = lb.value("advancedConfiguration", Json::object()).value("alternateTargetGroupArn", "");
    if (!alt.empty()) groups.emplace_back(alt, lb);
  }
  for (const auto& [arn, lb] : groups) {
    if (arn.empty()) continue;
    Json g = {{"targetGroupArn", arn}, {"name", arn_tail(arn.substr(0, arn.rfind('/')))},
              {"containerName", lb.value("containerName", "")}, {"containerPort", lb.value("containerPort", Json(nullptr))}};
    try {
      Json h = rt.call("elbv2", "DescribeTargetHealth", {{"TargetGroupArn", arn}});
      long healthy = 0, unhealthy = 0, other = 0;
      Json targets = Json::array();
      for (const auto& d : h.value("TargetHealthDescriptions", Json::array())) {
        std::string state = d.value("TargetHealth", Json::object()).value("State", "");
        (state == "healthy" ? healthy : state == "unhealthy" ? unhealthy : other) += 1;
        Json t = {{"id", d.value("Target", Json::object()).value("Id", "")},
                  {"port", d.value("Target", Json::object()).value("Port", Json(nullptr))}, {"state", state}};
        if (auto r = d.value("TargetHealth", Json::object()).value("Reason", ""); !r.empty()) t["reason"] = r;
        targets.push_back(t);
      }
      g["healthy"] = healthy;
      g["unhealthy"] = unhealthy;
      g["other"] = other;
      g["targets"] = targets;
    } catch (const Error& e) {
      if (is_interruption(e.code())) throw;
      g["error"] = e.what();
    }
    out.push_back(g);
  }
  return out;
}

Json gather(Runtime& rt, const std::string& cluster, const std::string& service, size_t events) {
  double now = wall_now();
  Json svc = describe_service(rt, cluster, service);
  std::string cluster_name = arn_tail(svc.value("clusterArn", cluster.empty() ? "default" : cluster));
  Json deployments = Json::array();
  for (const auto& d : svc.value("deployments", Json::array()))
    deployments.push_back({{"id", d.value("id", "")},
                           {"status", d.value("status", "")},
                           {"rolloutState", d.value("rolloutState", "")},
                           {"taskDefinition", taskdef_short(d.value("taskDefinition", ""))},
                           {"desiredCount", d.value("desiredCount", 0L)},
                           {"pendingCount", d.value("pendingCount", 0L)},
                           {"runningCount", d.value("runningCount", 0L)},
                           {"failedTasks", d.value("failedTasks", 0L)},
                           {"createdAt", d.value("createdAt", Json(nullptr))},
                           {"ageSeconds", age(d.value("createdAt", Json(nullptr)), now)}});
  // Blue/green: the newest deployment's stage and which target group is which.
  Json blue_green = nullptr;
  Json groups = target_groups_of(rt, svc);
  if (is_blue_green(svc)) {
    blue_green = newest_deployment(rt, cluster, svc, true);
    if (blue_green.is_object()) {
      std::string status = blue_green.value("status", "");
      bool going = status == "IN_PROGRESS" || status == "PENDING" || status.find("REQUESTED") != std::string::npos ||
                   status == "ROLLBACK_IN_PROGRESS";
      std::string green = blue_green.value("greenTargetGroup", ""), blue = blue_green.value("blueTargetGroup", "");
      bool rolled_back = status.rfind("ROLLBACK", 0) == 0;
      for (auto& g : groups) {
        std::string arn = g.value("targetGroupArn", "");
        if (going) g["role"] = arn == green ? "green" : arn == blue ? "blue" : "";
        else g["role"] = arn == (rolled_back ? blue : green) ? "production" : "standby";
      }
    }
  }
  Json ev = Json::array();
  for (const auto& e : svc.value("events", Json::array())) {
    if (ev.size() >= events) break;
    ev.push_back({{"createdAt", e.value("createdAt", Json(nullptr))}, {"message", e.value("message", "")}});
  }
  return {{"cluster", cluster_name},
          {"service", svc.value("serviceName", service)},
          {"status", svc.value("status", "")},
          {"taskDefinition", taskdef_short(svc.value("taskDefinition", ""))},
          {"desiredCount", svc.value("desiredCount", 0L)},
          {"runningCount", svc.value("runningCount", 0L)},
          {"pendingCount", svc.value("pendingCount", 0L)},
          {"enableExecuteCommand", svc.value("enableExecuteCommand", false)},
          {"deployments", deployments},
          {"tasks", tasks_of(rt, cluster_name, svc.value("serviceName", service), now)},
          {"events", ev},
          {"metrics", metrics_of(rt, cluster_name, svc.value("serviceName", service), now)},
          {"blueGreen", blue_green},
          {"targetGroups", groups}};
}

// ---- the view for a person

std::string human_age(const Json& seconds) {
  if (!seconds.is_number()) return "-";
  long s = seconds.get<long>();
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

// One column per period of the last hour: a block of eight heights on a 0-100%
// scale (higher when a value exceeds 100), a space where there is no data point.
std::string sparkline(const Json& points, const Json& metrics, double* last, double* peak) {
  static const char* k_blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  double start = epoch_of(metrics["startTime"]).value_or(0);
  size_t columns = static_cast<size_t>(k_metric_window / k_metric_period);
  std::vector<std::optional<double>> slot(columns);
  double top = 100;
  for (const auto& p : points) {
    double v = p["value"].get<double>();
    top = std::max(top, v);
    auto t = epoch_of(p["timestamp"]);
    if (!t) continue;
    long i = static_cast<long>(std::floor((*t - start) / static_cast<double>(k_metric_period)));
    if (i >= 0 && i < static_cast<long>(columns)) slot[static_cast<size_t>(i)] = v;
    *last = v;
    *peak = std::max(*peak, v);
  }
  std::string out;
  for (const auto& s : slot) {
    if (!s) {
      out += ' ';
      continue;
    }
    int level = static_cast<int>(std::lround(std::clamp(*s / top, 0.0, 1.0) * 7));
    out += k_blocks[level];
  }
  return out;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string paint(const Context& ctx, const std::string& text, const char* code) {
  if (!ctx.color_stdout()) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

std::string health(const Context& ctx, const std::string& h) {
  if (h == "HEALTHY") return paint(ctx, h, "32");
  if (h == "UNHEALTHY") return paint(ctx, h, "31");
  return h;
}

// Rows of cells, padded to each column's widest cell (cells may hold colour codes).
void table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  auto visible = [](const std::string& s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\x1b') {
        while (i < s.size() && s[i] != 'm') ++i;
        continue;
      }
      if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) ++n;
    }
    return n;
  };
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], visible(r[i]));
    }
  for (const auto& r : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - visible(r[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

void print_view(Context& ctx, const Json& s) {
  std::ostringstream o;
  o << "Service " << s["service"].get<std::string>() << " (cluster " << s["cluster"].get<std::string>() << ")  "
    << s["status"].get<std::string>() << "  " << s["taskDefinition"].get<std::string>() << "  desired "
    << s["desiredCount"] << ", running " << s["runningCount"] << ", pending " << s["pendingCount"] << "\n";

  o << "\nDeployments\n";
  std::vector<std::vector<std::string>> rows = {{"STATUS", "ROLLOUT", "TASK DEFINITION", "DESIRED", "PENDING", "RUNNING", "FAILED", "AGE"}};
  for (const auto& d : s["deployments"])
    rows.push_back({d["status"], d["rolloutState"].get<std::string>().empty() ? "-" : d["rolloutState"].get<std::string>(),
                    d["taskDefinition"], d["desiredCount"].dump(), d["pendingCount"].dump(), d["runningCount"].dump(),
                    d["failedTasks"].dump(), human_age(d["ageSeconds"])});
  table(o, rows);
  if (s["blueGreen"].is_object()) {
    const Json& bg = s["blueGreen"];
    o << "  blue/green: " << bg.value("status", std::string("")) << "  stage "
      << bg.value("lifecycleStage", std::string("-")) << "\n";
  }

  o << "\nTasks\n";
  const Json& running = s["tasks"]["running"];
  if (running.empty()) {
    o << "  (none running)\n";
  } else {
    rows = {{"TASK", "STATUS", "HEALTH", "ADDRESS", "REVISION", "ZONE", "AGE"}};
    for (const auto& t : running)
      rows.push_back({t["taskId"], t["lastStatus"], health(ctx, t["healthStatus"]),
                      t["address"].get<std::string>().empty() ? "-" : t["address"].get<std::string>(),
                      t["taskDefinition"], t["availabilityZone"].get<std::string>().empty() ? "-" : t["availabilityZone"].get<std::string>(),
                      human_age(t["ageSeconds"])});
    table(o, rows);
  }
  const Json& stopped = s["tasks"]["recentlyStopped"];
  if (!stopped.empty()) {
    o << "\nRecently stopped\n";
    rows.clear();
    for (const auto& t : stopped)
      rows.push_back({t["taskId"], t["taskDefinition"], human_age(t["ageSeconds"]),
                      t.value("stoppedReason", "").empty() ? "-" : t.value("stoppedReason", "")});
    table(o, rows);
  }

  o << "\nMetrics (last hour, " << k_metric_period / 60 << "-minute averages, 0-100%)\n";
  const Json& m = s["metrics"];
  if (m.contains("error")) o << "  unavailable: " << m["error"].get<std::string>() << "\n";
  for (const auto& [key, label] : {std::pair{"CPUUtilization", "CPU   "}, std::pair{"MemoryUtilization", "Memory"}}) {
    double last = 0, peak = 0;
    std::string line = sparkline(m[key], m, &last, &peak);
    if (m[key].empty()) o << "  " << label << "  (no data points)\n";
    else o << "  " << label << "  " << line << "  now " << fixed1(last) << "%  max " << fixed1(peak) << "%\n";
  }

  if (!s["targetGroups"].empty()) {
    o << "\nTarget groups\n";
    rows.clear();
    for (const auto& g : s["targetGroups"]) {
      if (g.contains("error")) {
        rows.push_back({g["name"], "unavailable: " + g["error"].get<std::string>()});
        continue;
      }
      std::string name = g["name"].get<std::string>();
      if (!g.value("role", "").empty()) name += " (" + g.value("role", "") + ")";
      rows.push_back({name, paint(ctx, std::to_string(g["healthy"].get<long>()) + " healthy", "32"),
                      g["unhealthy"].get<long>() ? paint(ctx, std::to_string(g["unhealthy"].get<long>()) + " unhealthy", "31")
                                                 : std::string("0 unhealthy"),
                      std::to_string(g["other"].get<long>()) + " other"});
    }
    table(o, rows);
  }

  o << "\nEvents (newest first)\n";
  if (s["events"].empty()) o << "  (none)\n";
  for (const auto& e : s["events"]) {
    std::string when = e["createdAt"].is_string() ? e["createdAt"].get<std::string>().substr(0, 19) : "-";
    std::replace(when.begin(), when.end(), 'T', ' ');
    o << "  " << when << "  " << e["message"].get<std::string>() << "\n";
  }
  ctx.out << o.str() << std::flush;
}

int run_status(Context& ctx, Args& args) {
  std::string cluster = args.value("--cluster").value_or("");
  std::optional<std::string> service = args.positional(0);
  if (!service && project::wanted(args, true)) {
    project::Project p = project::load(ctx, args, project::Need::names);
    if (cluster.empty()) cluster = p.cluster;
    service = p.service;
  }
  if (!service) throw_usage("status needs a SERVICE (or an ecsctl.yaml naming one)", "ecsctl status web --cluster prod");
  size_t events = args.has("--events") ? static_cast<size_t>(parse_count(*args.value("--events"), "--events"))
                                       : k_events_default;
  double interval = args.has("--interval") ? parse_duration(*args.value("--interval"), "--interval") : 5.0;
  // A person's view, unless the data was asked for (--query, or an --output
  // other than text given on the command line or in AWS_DEFAULT_OUTPUT).
  const bool data = ctx.opts.query || (ctx.opts.output_given && ctx.opts.output != OutputFormat::text);
  bool watch = args.has("--watch");
  if (watch && (data || !ctx.stdout_is_tty)) {
    if (!ctx.opts.quiet) ctx.err << "--watch refreshes a terminal only; printing once\n";
    watch = false;
  }
  install_interrupt_handler();
  Runtime& rt = runtime(ctx);
  for (;;) {
    Json s = gather(rt, cluster, *service, events);
    if (data) {
      print_result(ctx, s, "Status");
      return 0;
    }
    if (watch) ctx.out << "\x1b[H\x1b[2J";
    print_view(ctx, s);
    if (!watch) return 0;
    rt.sleep(interval);
  }
}

}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec status{
    .group = "",
    .name = "status",
    .summary = "a service at a glance: deployments, tasks, events, CPU/memory, target health",
    .description =
        "Shows the service's deployments (rollout state, counts, revision, age), its running tasks\n"
        "(status, health, address, revision, zone, age) and the stop reasons of the recently stopped\n"
        "ones, the newest service events, CPUUtilization and MemoryUtilization of the last hour\n"
        "(CloudWatch GetMetricData, AWS/ECS, ClusterName and ServiceName; one column per minute)\n"
        "and the healthy/unhealthy counts of its target groups. Without SERVICE, the service and\n"
        "cluster named by the project file (ecsctl.yaml in the current directory, or --config).\n"
        "--output json or yaml (on the command line or in AWS_DEFAULT_OUTPUT) and --query print the\n"
        "same data for scripts. --watch redraws the view every --interval on a terminal until\n"
        "Ctrl-C (exit 130); elsewhere it prints once and says so on stderr.\n",
    .flags = flags_with(
        {
            {.name = "--cluster", .metavar = "CLUSTER", .help = "the cluster (default: default)",
             .complete = Completer::cluster},
            {.name = "--events", .metavar = "N", .help = "how many of the newest events to show (default 5)"},
            {.name = "--watch", .help = "redraw on a terminal until Ctrl-C"},
            {.name = "--interval", .metavar = "DURATION", .help = "time between redraws with --watch (default 5s)",
             .complete = Completer::duration},
        },
        project::config_flag()),
    .positionals = {{.name = "SERVICE", .help = "the service (default: the project file's)", .complete = Completer::service, .required = false}},
    .run = ecsctl::commands::workflow::run_status,
};

}  // namespace ecsctl::commands
