// Benchmark: place 10,000 tasks on 1,000 container instances with the local
// control plane's scheduler (spread over zones then instances, as services
// do, and binpack on memory), and report time and peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "local/placement.hpp"

using namespace ecsctl::local;

namespace {

std::vector<Instance> fleet(int n) {
  std::vector<Instance> out;
  out.reserve(static_cast<size_t>(n));
  const char* zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  for (int i = 0; i < n; ++i) {
    Instance in;
    in.arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/bench/" + std::to_string(i);
    in.ec2_instance_id = "i-" + std::to_string(1000000 + i);
    in.cpu_registered = in.cpu_remaining = 4096;
    in.memory_registered = in.memory_remaining = 16384;
    in.tcp_ports = {22, 2375, 2376, 51678, 51679};
    in.attributes["ecs.availability-zone"] = zones[i % 3];
    in.attributes["ecs.instance-type"] = "m5.xlarge";
    out.push_back(std::move(in));
  }
  return out;
}

double run(const char* label, const std::vector<Strategy>& strategies, int tasks, int instances) {
  std::vector<Instance> pool = fleet(instances);
  TaskNeeds needs;
  needs.cpu = 256;
  needs.memory = 512;
  needs.ports = {{8080, 0, false}};
  needs.group = "service:bench";
  std::mt19937_64 rng(1);
  auto start = std::chrono::steady_clock::now();
  int placed = 0;
  for (int done = 0; done < tasks; done += 10) {  // RunTask places at most 10 per call
    placed += static_cast<int>(place(pool, needs, 10, strategies, {{"memberOf", "attribute:ecs.instance-type =~ m5.*"}}, rng).placed.size());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-34s %d/%d tasks on %d instances: %.3f s (%.0f tasks/s)\n", label, placed, tasks, instances, secs, placed / secs);
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = argc > 1 ? std::atoi(argv[1]) : 10000;
  int instances = argc > 2 ? std::atoi(argv[2]) : 1000;
  double worst = 0;
  worst = std::max(worst, run("spread(zone), spread(instanceId)", {{"spread", "attribute:ecs.availability-zone"}, {"spread", "instanceId"}}, tasks, instances));
  worst = std::max(worst, run("binpack(memory)", {{"binpack", "memory"}}, tasks, instances));
  worst = std::max(worst, run("random", {{"random", ""}}, tasks, instances));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS: %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::printf("goal: < 1 s and < 100 MB: %s\n", worst < 1.0 && ru.ru_maxrss < 100 * 1024 ? "met" : "NOT met");
  return 0;
}
