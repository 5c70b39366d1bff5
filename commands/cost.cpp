// `ecsctl cost FILE|SERVICE`: what Fargate charges for a task size, per task
// and for N tasks over H hours, x86 against ARM, from the price table.
#include <cmath>
#include <fstream>
#include <ostream>
#include <sstream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "commands/cost_prices.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "commands/workflow_deploy.hpp"
#include "commands/workflow_taskdef.hpp"

namespace ecsctl::workflow {
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
    def = taskdef_input::load(ctx, *what, taskdef_input::template_vars(ctx, args));
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
  std::string region = ctx.opts.region.value_or("us-east-1");
  double total = fargate_cost(prices, region, size, seconds, count);
  double minimum = prices.value("billing", Json::object()).value("minimum_seconds", 60.0);
  const Json& p = price_entry(prices, region, "LINUX/" + size.arch);
  Json result = {
      {"source", source},
      {"region", region},
      {"operatingSystem", size.os},
      {"architecture", size.arch},
      {"vcpu", size.vcpu},
      {"memoryGB", size.memory_gb},
      {"count", count},
      {"hours", round_to(seconds / 3600.0, 6)},
      {"billedSecondsPerTask", std::max(seconds, minimum)},
      {"pricePerVcpuHour", p.at("vcpu_hour")},
      {"pricePerGbHour", p.at("gb_hour")},
      {"costPerTaskHour", round_to(fargate_cost(prices, region, size, 3600, 1), 6)},
      {"total", round_to(total, 4)},
      {"monthly730Hours", round_to(fargate_cost(prices, region, size, 730 * 3600.0, count), 2)},
      {"currency", prices.value("currency", "USD")},
      {"pricesAsOf", prices.value("as_of", "")},
  };
  TaskSize other = size;
  other.arch = size.arch == "ARM64" ? "X86_64" : "ARM64";
  if (size.os == "LINUX" && prices["regions"][region].contains("LINUX/" + other.arch))
    result["alternative"] = {{"architecture", other.arch},
                             {"total", round_to(fargate_cost(prices, region, other, seconds, count), 4)}};
  print_result(ctx, result, "Cost");
  return 0;
}


}  // namespace
}  // namespace ecsctl::workflow

namespace ecsctl::commands {

const CommandSpec cost{
    .group = "",
    .name = "cost",
    .summary = "estimate the Fargate cost of a task definition or service",
    .description =
        "Fargate cost of a task definition file or of a running service (its task size and desired\n"
        "count), billed per second with a one-minute minimum per task. Prices come from the table\n"
        "built into ecsctl (schemas/prices.json; its date is in the output) or --prices FILE /\n"
        "ECSCTL_PRICES. The region is --region (default us-east-1). A file is validated as\n"
        "`ecsctl validate` does (exit 3 when it fails).\n",
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
        },
        taskdef_input::template_flags()),
    .positionals = {{.name = "FILE|SERVICE", .help = "a task-definition file, or a running service",
                     .complete = Completer::task_definition_or_file}},
    .run = ecsctl::workflow::run_cost,
};

}  // namespace ecsctl::commands
