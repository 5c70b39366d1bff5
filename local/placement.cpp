// Placement as ECS does it: filter by resources and constraints, then narrow
// the candidates with each strategy in order, then reserve.
#include "local/placement.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

#include "local/cql.hpp"

namespace ecsctl::local {

namespace {

std::vector<std::string> instance_values(const Instance& in, std::string_view subject) {
  if (subject.rfind("attribute:", 0) == 0) {
    auto it = in.attributes.find(std::string(subject.substr(10)));
    if (it == in.attributes.end()) return {};
    return {it->second};
  }
  if (subject == "ec2InstanceId" || subject == "instanceId") return {in.ec2_instance_id};
  if (subject == "containerInstanceArn") return {in.arn};
  if (subject == "registeredCpu") return {std::to_string(in.cpu_registered)};
  if (subject == "registeredMemory") return {std::to_string(in.memory_registered)};
  if (subject == "runningTasksCount") return {std::to_string(in.task_count)};
  if (subject == "agentConnected") return {"true"};
  if (subject == "task:group") {
    std::vector<std::string> out;
    for (const auto& [g, n] : in.group_tasks)
      if (n > 0) out.push_back(g);
    return out;
  }
  return {};
}

// The reason `needs` does not fit on `in`, or "" when it fits.
const char* misfit(const Instance& in, const TaskNeeds& needs) {
  if (in.cpu_remaining < needs.cpu) return "RESOURCE:CPU";
  if (in.memory_remaining < needs.memory) return "RESOURCE:MEMORY";
  std::vector<std::pair<int, bool>> mine;
  for (const auto& p : needs.ports) {
    if (p.host_port == 0) continue;
    const auto& used = p.udp ? in.udp_ports : in.tcp_ports;
    if (used.count(p.host_port)) return "RESOURCE:PORTS";
    std::pair<int, bool> key{p.host_port, p.udp};
    if (std::find(mine.begin(), mine.end(), key) != mine.end()) return "RESOURCE:PORTS";
    mine.push_back(key);
  }
  return "";
}

std::string spread_key(const Instance& in, const std::string& field) {
  if (field == "instanceId" || field == "host") return in.ec2_instance_id;
  auto values = instance_values(in, field);
  return values.empty() ? std::string() : values.front();
}

// Spread over an attribute: each eligible instance's value as a small number,
// and the group's task count per value, kept up to date as a batch is placed
// (values of the static fields do not change while placing).
struct SpreadIndex {
  bool live = false;                 // field whose value changes with placements (task:group): recomputed
  std::vector<int> value_of;         // instance index -> value id
  std::vector<int> tasks_per_value;  // value id -> this group's tasks
};

bool static_field(const std::string& field) {
  return field.rfind("attribute:", 0) == 0 || field == "ec2InstanceId" || field == "containerInstanceArn" ||
         field == "registeredCpu" || field == "registeredMemory" || field == "agentConnected";
}

int tasks_of_group(const Instance& in, const std::string& group) {
  auto it = in.group_tasks.find(group);
  return it == in.group_tasks.end() ? 0 : it->second;
}

SpreadIndex make_spread_index(const std::vector<Instance>& all, const std::vector<size_t>& eligible,
                              const Strategy& s, const std::string& group) {
  SpreadIndex ix;
  if (s.type != "spread" || s.field == "instanceId" || s.field == "host") return ix;
  ix.live = !static_field(s.field);
  if (ix.live) return ix;
  std::unordered_map<std::string, int> ids;
  ix.value_of.assign(all.size(), -1);
  for (size_t i : eligible) {
    auto [it, added] = ids.emplace(spread_key(all[i], s.field), static_cast<int>(ids.size()));
    if (added) ix.tasks_per_value.push_back(0);
    ix.value_of[i] = it->second;
    ix.tasks_per_value[static_cast<size_t>(it->second)] += tasks_of_group(all[i], group);
  }
  return ix;
}

// Keeps the candidates that the strategy prefers most.
void narrow(std::vector<size_t>& cand, const std::vector<Instance>& all, const std::vector<size_t>& eligible,
            const Strategy& s, const SpreadIndex& ix, const std::string& group, std::mt19937_64& rng) {
  if (cand.size() <= 1) return;
  if (s.type == "random") {
    size_t pick = std::uniform_int_distribution<size_t>(0, cand.size() - 1)(rng);
    cand = {cand[pick]};
    return;
  }
  if (s.type == "binpack") {
    auto value = [&](size_t i) { return s.field == "cpu" ? all[i].cpu_remaining : all[i].memory_remaining; };
    long best = std::numeric_limits<long>::max();
    for (size_t i : cand) best = std::min(best, value(i));
    std::erase_if(cand, [&](size_t i) { return value(i) != best; });
    return;
  }
  // spread: fewest of this group's tasks on the instance, or on all eligible
  // instances sharing its value of the field.
  bool by_instance = s.field == "instanceId" || s.field == "host";
  if (by_instance) {
    int best = std::numeric_limits<int>::max();
    for (size_t i : cand) best = std::min(best, tasks_of_group(all[i], group));
    std::erase_if(cand, [&](size_t i) { return tasks_of_group(all[i], group) != best; });
    return;
  }
  if (!ix.live) {
    auto count = [&](size_t i) { return ix.tasks_per_value[static_cast<size_t>(ix.value_of[i])]; };
    int best = std::numeric_limits<int>::max();
    for (size_t i : cand) best = std::min(best, count(i));
    std::erase_if(cand, [&](size_t i) { return count(i) != best; });
    return;
  }
  std::unordered_map<std::string, int> per_value;
  for (size_t i : eligible) per_value[spread_key(all[i], s.field)] += tasks_of_group(all[i], group);
  int best = std::numeric_limits<int>::max();
  for (size_t i : cand) best = std::min(best, per_value[spread_key(all[i], s.field)]);
  std::erase_if(cand, [&](size_t i) { return per_value[spread_key(all[i], s.field)] != best; });
}

void validate(const std::vector<Strategy>& strategies, const std::vector<Constraint>& constraints) {
  for (const auto& s : strategies) {
    if (s.type == "binpack" && s.field != "cpu" && s.field != "memory" && s.field != "CPU" && s.field != "MEMORY")
      throw std::invalid_argument("Invalid binpack field '" + s.field + "'. Valid values are cpu and memory.");
    if (s.type == "spread" && s.field.empty())
      throw std::invalid_argument("Spread placement strategy requires a field.");
    if (s.type != "binpack" && s.field != "" && s.type == "random")
      throw std::invalid_argument("Random placement strategy does not take a field.");
    if (s.type != "binpack" && s.type != "spread" && s.type != "random")
      throw std::invalid_argument("Invalid placement strategy type '" + s.type + "'.");
  }
  for (const auto& c : constraints) {
    if (c.type != "distinctInstance" && c.type != "memberOf")
      throw std::invalid_argument("Invalid placement constraint type '" + c.type + "'.");
    if (c.type == "memberOf" && c.expression.empty())
      throw std::invalid_argument("memberOf placement constraint requires an expression.");
  }
}

std::vector<int> reserve(Instance& in, const TaskNeeds& needs) {
  std::vector<int> ports;
  in.cpu_remaining -= needs.cpu;
  in.memory_remaining -= needs.memory;
  for (const auto& p : needs.ports) {
    int port = p.host_port ? p.host_port : free_dynamic_port(in, p.udp);
    (p.udp ? in.udp_ports : in.tcp_ports).insert(port);
    ports.push_back(port);
  }
  in.group_tasks[needs.group]++;
  in.task_count++;
  return ports;
}

}  // namespace

int free_dynamic_port(const Instance& instance, bool udp, int start) {
  const auto& used = udp ? instance.udp_ports : instance.tcp_ports;
  for (int p = std::max(start, k_dynamic_port_first); p <= k_dynamic_port_last; ++p)
    if (!used.count(p)) return p;
  return 0;
}

void release(Instance& in, const TaskNeeds& needs, const std::vector<int>& host_ports) {
  in.cpu_remaining = std::min(in.cpu_registered, in.cpu_remaining + needs.cpu);
  in.memory_remaining = std::min(in.memory_registered, in.memory_remaining + needs.memory);
  for (size_t i = 0; i < needs.ports.size() && i < host_ports.size(); ++i)
    (needs.ports[i].udp ? in.udp_ports : in.tcp_ports).erase(host_ports[i]);
  auto it = in.group_tasks.find(needs.group);
  if (it != in.group_tasks.end() && --it->second <= 0) in.group_tasks.erase(it);
  if (in.task_count > 0) in.task_count--;
}

PlacementResult place(std::vector<Instance>& instances, const TaskNeeds& needs, int count,
                      const std::vector<Strategy>& strategies, const std::vector<Constraint>& constraints,
                      std::mt19937_64& rng) {
  validate(strategies, constraints);
  std::vector<std::unique_ptr<CqlExpression>> member_of;
  bool distinct = false;
  for (const auto& c : constraints) {
    if (c.type == "distinctInstance") distinct = true;
    else member_of.push_back(std::make_unique<CqlExpression>(c.expression));
  }
  // Instances that satisfy memberOf do not change while placing this batch.
  std::vector<size_t> eligible;
  for (size_t i = 0; i < instances.size(); ++i) {
    bool ok = std::all_of(member_of.begin(), member_of.end(), [&](const auto& e) {
      return e->matches([&](std::string_view s) { return instance_values(instances[i], s); });
    });
    if (ok) eligible.push_back(i);
  }
  std::vector<SpreadIndex> spread;
  for (const auto& s : strategies) spread.push_back(make_spread_index(instances, eligible, s, needs.group));
  PlacementResult result;
  std::vector<bool> used_in_batch(instances.size(), false);
  std::vector<size_t> cand;
  for (int n = 0; n < count; ++n) {
    cand.clear();
    for (size_t i : eligible) {
      if (distinct && (used_in_batch[i] || instances[i].group_tasks.count(needs.group))) continue;
      if (*misfit(instances[i], needs) == '\0') cand.push_back(i);
    }
    if (cand.empty()) {
      if (instances.empty()) break;
      for (size_t i = 0; i < instances.size(); ++i) {
        bool is_eligible = std::binary_search(eligible.begin(), eligible.end(), i);
        std::string reason = misfit(instances[i], needs);
        if (!is_eligible) reason = "MemberOf placement constraint unsatisfied.";
        else if (reason.empty()) reason = "DistinctInstance placement constraint unsatisfied.";
        result.failures.push_back({instances[i].arn, reason});
      }
      break;
    }
    for (size_t k = 0; k < strategies.size(); ++k)
      narrow(cand, instances, eligible, strategies[k], spread[k], needs.group, rng);
    size_t chosen = cand.front();
    for (auto& ix : spread)
      if (!ix.tasks_per_value.empty()) ++ix.tasks_per_value[static_cast<size_t>(ix.value_of[chosen])];
    used_in_batch[chosen] = true;
    result.placed.push_back({chosen, reserve(instances[chosen], needs)});
  }
  return result;
}

}  // namespace ecsctl::local
