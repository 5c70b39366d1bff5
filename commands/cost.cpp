// `ecsctl cost FILE|SERVICE`: what Fargate charges for a task size, per task
// and for N tasks over H hours, x86 against ARM, from the price table.
#include <cmath>
#include <fstream>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/cost_prices.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::commands::workflow {
namespace {

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

Json load_prices(Context& ctx, const std::optional<std::string>& flag) {
  std::optional<std::string> path = flag;
  if (!path) path = ctx.env.get_nonempty("ECSCTL_PRICES");
  if (!path) return builtin_prices();
  std::ifstream in(*path);
  if (!in) throw_usage("cannot read the price table " + *path);
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || !j.contains("regions") || !j["regions"].is_object())
    throw_usage("the price table " + *path + " is not valid", "it needs a \"regions\" object; see schemas/prices.json");
  return j;
}

// Template variables that cannot change the price (an image tag, a log group)
// need not be set for a cost: a plain ${NAME} that is unset, on a line that does
// not size or place the task, gets a placeholder. Those on cpu/memory/platform
// lines stay required.
void placeholders_for_unset(const std::string& path, taskdef::TemplateVars& vars) {
  std::ifstream in(path);
  if (!in) return;  // the loader says why
  static const std::regex ref(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  static const std::regex pricing(R"(cpu|memory|runtimePlatform|cpuArchitecture|operatingSystemFamily|ephemeralStorage|sizeInGiB)",
                                  std::regex::icase);
  std::set<std::string> pricing_vars, other_vars;
  for (std::string line; std::getline(in, line);) {
    const bool sizes = std::regex_search(line, pricing);
    for (auto it = std::sregex_iterator(line.begin(), line.end(), ref); it != std::sregex_iterator(); ++it)
      (sizes ? pricing_vars : other_vars).insert((*it)[1].str());
  }
  for (const auto& name : other_vars)
    if (!pricing_vars.count(name) && !vars.get(name)) vars.set(name, "unset-" + name);
}

std::string money(double v) { return fmt::format("${:.4f}", v); }

// The short summary for a person (a terminal, or --output text).
void print_summary(Context& ctx, const Json& r) {
  auto num = [](const Json& v) { return v.is_number() ? v.get<double>() : 0.0; };
  std::ostream& o = ctx.out;
  o << r.value("source", "") << ": " << fmt::format("{:g}", num(r["vcpu"])) << " vCPU, "
    << fmt::format("{:g}", num(r["memoryGB"])) << " GB, " << r.value("operatingSystem", "") << "/"
    << r.value("architecture", "") << (r.value("spot", false) ? " on Fargate Spot" : " on Fargate") << " in "
    << r.value("region", "") << "\n";
  o << "  " << r["count"].get<long>() << (r["count"].get<long>() == 1 ? " task" : " tasks") << " for "
    << fmt::format("{:g}", num(r["hours"])) << " h: " << money(num(r["total"])) << "\n";
  o << "  per task-hour: " << money(num(r["costPerTaskHour"])) << ", per month (730 h): "
    << fmt::format("${:.2f}", num(r["monthly730Hours"])) << "\n";
  if (r.contains("alternative"))
    o << "  on " << r["alternative"].value("architecture", "") << ": " << money(num(r["alternative"]["total"])) << "\n";
  o << "  prices in " << r.value("currency", "USD") << " as of " << r.value("pricesAsOf", "") << "\n";
}

int run_cost(Context& ctx, Args& args) {
  std::string cluster = args.value("--cluster").value_or("");
  auto count_s = args.value("--count");
  auto hours_s = args.value("--hours");
  auto duration_s = args.value("--duration");
  auto arch = args.value("--architecture");
  auto what = args.positional(0);
  if (!what) throw_usage("cost needs a task-definition FILE or a SERVICE", "ecsctl cost taskdef.yaml --count 3");
  if (hours_s && duration_s) throw_usage("give --hours or --duration, not both");
  // Every flag is checked before the file is read or a call is made.
  std::optional<long> count_flag;
  if (count_s) count_flag = parse_count(*count_s, "--count");
  double seconds = 3600;
  if (hours_s) seconds = parse_duration(*hours_s, "--hours") * 3600;
  if (duration_s) seconds = parse_duration(*duration_s, "--duration");
  Json prices = load_prices(ctx, args.value("--prices"));

  Json def;
  long count = 1;
  std::string source;
  if (is_taskdef_file(*what)) {
    taskdef::TemplateVars vars = taskdef_input::template_vars(ctx, args);
    placeholders_for_unset(*what, vars);
    def = taskdef_input::load(ctx, *what, vars);
    source = *what;
  } else {
    Runtime& rt = runtime(ctx);
    Json svc = describe_service(rt, cluster, *what);
    if (svc.value("launchType", "") == "EC2" || svc.value("launchType", "") == "EXTERNAL")
      throw_usage("service " + *what + " does not run on Fargate (launch type " + svc.value("launchType", "") + ")");
    def = rt.call("ecs", "DescribeTaskDefinition", {{"taskDefinition", svc.value("taskDefinition", "")}})["taskDefinition"];
    count = svc.value("desiredCount", 1L);
    source = "service " + *what + " (" + taskdef_short(svc.value("taskDefinition", "")) + ")";
  }
  if (count_flag) count = *count_flag;
  TaskSize size = task_size(def);
  if (arch) size.arch = *arch == "arm64" ? "ARM64" : *arch == "x86_64" || *arch == "amd64" ? "X86_64" : *arch;
  size.spot = args.has("--spot");
  std::string region = ctx.opts.region.value_or("us-east-1");
  double total = fargate_cost(prices, region, size, seconds, count);
  double minimum = prices.value("billing", Json::object()).value("minimum_seconds", 60.0);
  const Json& p = price_entry(prices, region, platform_key(size));
  Json result = {
      {"source", source},
      {"region", region},
      {"operatingSystem", size.os},
      {"architecture", size.arch},
      {"spot", size.spot},
      {"vcpu", size.vcpu},
      {"memoryGB", size.memory_gb},
      {"count", count},
      {"hours", round_to(seconds / 3600.0, 6)},
      {"billedSecondsPerTask", std::max(seconds, minimum)},
      {"pricePerVcpuHour", p.at("vcpu_hour")},
      {"pricePerGbHour", p.at("gb_hour")},
      {"pricesDerived", p.contains("derived")},
      {"costPerTaskHour", round_to(fargate_cost(prices, region, size, 3600, 1), 6)},
      {"total", round_to(total, 4)},
      {"monthly730Hours", round_to(fargate_cost(prices, region, size, 730 * 3600.0, count), 2)},
      {"currency", prices.value("currency", "USD")},
      {"pricesAsOf", prices.value("as_of", "")},
  };
  if (p.contains("os_license_vcpu_hour")) result["osLicensePerVcpuHour"] = p["os_license_vcpu_hour"];
  TaskSize other = size;
  other.arch = size.arch == "ARM64" ? "X86_64" : "ARM64";
  if (size.os == "LINUX" && prices["regions"][region].contains(platform_key(other)))
    result["alternative"] = {{"architecture", other.arch},
                             {"total", round_to(fargate_cost(prices, region, other, seconds, count), 4)}};
  // A person gets a short summary (on a terminal, or --output text: the AWS
  // text dump of this object was unordered and hard to read); scripts the JSON.
  const bool person = ctx.stdout_is_tty && ctx.opts.output == OutputFormat::json && !ctx.opts.query;
  if (ctx.opts.output == OutputFormat::text || person) {
    print_summary(ctx, result);
    return 0;
  }
  print_result(ctx, result, "Cost");
  return 0;
}


}  // namespace
}  // namespace ecsctl::commands::workflow

namespace ecsctl::commands {

const CommandSpec cost{
    .group = "",
    .name = "cost",
    .summary = "estimate the Fargate cost of a task definition or service",
    .description =
        "Fargate cost of a task definition file or of a running service (its task size and desired\n"
        "count), billed per second with a one-minute minimum per task. Prices come from the table\n"
        "built into ecsctl (schemas/prices.json; its date is in the output) or --prices FILE /\n"
        "ECSCTL_PRICES; scripts/refresh-prices rebuilds the table from the AWS price list. The region\n"
        "is --region (default us-east-1). A file is validated as `ecsctl validate` does (exit 3 when it\n"
        "fails); template variables that cannot change the price (an image tag) need not be set.\n"
        "On a terminal, or with --output text, a short summary; otherwise the JSON object.\n",
    .flags = flags_with(
        {
            {.name = "--cluster", .metavar = "CLUSTER", .help = "the service's cluster (default: default)",
             .complete = Completer::cluster},
            {.name = "--count", .metavar = "N", .help = "number of tasks (default 1, or the service's desired count)"},
            {.name = "--hours", .metavar = "H", .help = "how long they run, in hours (default 1)"},
            {.name = "--duration", .metavar = "DURATION", .help = "how long they run (90s, 10m, 2h, 1d)",
             .complete = Completer::duration},
            {.name = "--architecture", .metavar = "ARCH", .help = "price this CPU architecture instead",
             .complete = Completer::choices, .choices = {"X86_64", "ARM64", "x86_64", "arm64", "amd64"}},
            {.name = "--prices", .metavar = "FILE", .help = "a price table (default: built in, or ECSCTL_PRICES)",
             .complete = Completer::file},
            {.name = "--spot", .help = "price Fargate Spot (Linux) instead of on-demand"},
        },
        taskdef_input::template_flags()),
    .positionals = {{.name = "FILE|SERVICE", .help = "a task-definition file, or a running service",
                     .complete = Completer::task_definition_or_file}},
    .run = ecsctl::commands::workflow::run_cost,
};

}  // namespace ecsctl::commands
