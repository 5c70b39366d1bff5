// Section 3 of task-definition-rules.md: network modes and port mappings.
#include <map>

#include "schemas/taskdef_check.hpp"

namespace ecsctl::taskdef {

namespace {

struct Range {
  long long first, last;
};

std::optional<Range> parse_range(const std::string& s) {
  std::size_t dash = s.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= s.size()) return std::nullopt;
  auto num = [](std::string_view t) -> std::optional<long long> {
    if (t.empty() || t.size() > 6) return std::nullopt;
    long long v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  auto a = num(std::string_view(s).substr(0, dash));
  auto b = num(std::string_view(s).substr(dash + 1));
  if (!a || !b || *a < 1 || *b > 65535 || *a >= *b) return std::nullopt;
  return Range{*a, *b};
}

bool valid_port_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || n[0] == '-') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

struct PortContext {
  Checker& k;
  std::map<std::string, std::string> names;               // port name -> path
  std::map<std::string, std::string> shared_binds;        // "port/proto" -> container label
  std::map<long long, bool> static_host_ports;

  void mapping(const Json& pm, const std::string& p, std::size_t ci, const std::string& label,
               std::vector<Range>& covered, std::size_t& ranges) {
    auto cport = int_at(pm, "containerPort");
    auto hport = int_at(pm, "hostPort");
    auto range_s = string_at(pm, "containerPortRange");
    std::string proto = string_at(pm, "protocol").value_or("tcp");
    if (cport.has_value() == range_s.has_value())
      k.add("port-container-port-required", p, cport ? "give containerPort or containerPortRange, not both"
                                                     : "the port mapping has neither containerPort nor containerPortRange");
    if (cport && (*cport < 1 || *cport > 65535))
      k.add("port-value-range", p + ".containerPort", "containerPort " + std::to_string(*cport) + " is outside 1..65535");
    if (hport && (*hport < 0 || *hport > 65535))
      k.add("port-value-range", p + ".hostPort", "hostPort " + std::to_string(*hport) + " is outside 0..65535");
    if (cport && hport && *hport != *cport) {
      if (k.nm == "awsvpc")
        k.add("port-hostport-awsvpc", p + ".hostPort", "with awsvpc, hostPort " + std::to_string(*hport) +
                                                           " must be omitted or equal containerPort (" + std::to_string(*cport) + ")");
      if (k.nm == "host")
        k.add("port-hostport-host", p + ".hostPort", "with host networking, hostPort " + std::to_string(*hport) +
                                                         " must be omitted or equal containerPort (" + std::to_string(*cport) + ")");
    }
    bool bridge_like = k.nm == "bridge" || k.nm == "default";
    if (hport && *hport != 0 && k.ec2like && bridge_like) {
      long long lo = k.windows ? 49152 : 49153;
      if (*hport >= lo && *hport <= 65535)
        k.add("port-hostport-ephemeral", p + ".hostPort", "static hostPort " + std::to_string(*hport) +
                                                              " is in the ephemeral range " + std::to_string(lo) + "-65535");
    }
    long long effective_host = hport.value_or(k.nm == "host" ? cport.value_or(0) : 0);
    if (k.ec2like && (bridge_like || k.nm == "host") && effective_host != 0) {
      static const long long reserved[] = {22, 2375, 2376, 51678, 51679, 51680};
      for (long long r : reserved)
        if (effective_host == r)
          k.add("port-hostport-reserved", p + (hport ? ".hostPort" : ".containerPort"),
                "port " + std::to_string(r) + " is reserved on ECS container instances (SSH / Docker / ECS agent)");
      static_host_ports[effective_host] = true;
    }
    if (range_s) {
      ++ranges;
      if (k.nm != "bridge" && k.nm != "awsvpc")
        k.add("port-range-network-mode", p + ".containerPortRange", "containerPortRange isn't supported with network mode " + k.nm);
      auto r = parse_range(*range_s);
      if (!r) k.add("port-range-format", p + ".containerPortRange", "containerPortRange '" + *range_s + "' is not \"first-last\" with 1 <= first < last <= 65535");
      if (member(pm, "hostPort")) k.add("port-range-hostport", p + ".hostPort", "hostPort must be empty with containerPortRange");
      if (ranges > 100) k.add("port-range-max", p, "more than 100 port ranges in container " + label);
      if (r) overlap(*r, p + ".containerPortRange", covered);
    }
    if (cport) overlap(Range{*cport, *cport}, p + ".containerPort", covered, true);
    if (auto name = string_at(pm, "name")) {
      if (!valid_port_name(*name))
        k.add("port-name-format", p + ".name", "port name '" + *name + "' is not 1..64 of a-z, 0-9, _ and -, not starting with -");
      if (!names.emplace(*name, p).second) k.add("port-name-unique", p + ".name", "port name " + *name + " is used twice");
    } else if (is_set(pm, "appProtocol")) {
      k.add("port-appprotocol-needs-name", p + ".appProtocol", "appProtocol is set but the port mapping has no name");
    }
    shared(cport, hport, proto, p, ci, label);
  }

  void overlap(Range r, const std::string& path, std::vector<Range>& covered, bool single = false) {
    for (const auto& c : covered) {
      if (r.first <= c.last && c.first <= r.last) {
        long long p = std::max(r.first, c.first);
        if (single && c.first == c.last) continue;  // port-duplicate covers single/single
        k.add("port-range-overlap", path, "port " + std::to_string(p) + " is covered by two mappings");
        break;
      }
    }
    covered.push_back(r);
  }

  void shared(std::optional<long long> cport, std::optional<long long> hport, const std::string& proto,
              const std::string& p, std::size_t ci, const std::string& label) {
    std::optional<long long> bind;
    if (k.nm == "awsvpc" || k.nm == "host") bind = cport;
    else if (k.nm == "bridge" && hport && *hport != 0) bind = hport;
    if (!bind) return;
    std::string key = std::to_string(*bind) + "/" + proto;
    auto [it, fresh] = shared_binds.emplace(key, std::to_string(ci) + "\t" + label);
    if (fresh) return;
    std::string other_ci = it->second.substr(0, it->second.find('\t'));
    if (other_ci == std::to_string(ci)) return;
    std::string hint =
        k.nm == "awsvpc" ? "the containers of an awsvpc task share its network namespace, where a port can be bound only "
                           "once; use different ports"
        : k.nm == "host" ? "with host networking a port can be bound only once per instance; use different ports"
                         : "in bridge mode a host port can be bound only once per instance; use different host ports, "
                           "or hostPort 0 for a dynamic one";
    k.add("port-host-conflict", p, "containers " + it->second.substr(it->second.find('\t') + 1) + " and " + label +
                                       " both bind " + key,
          std::move(hint));
  }
};

}  // namespace

void check_network(Checker& k) {
  if (k.fg) {
    auto nm = string_at(k.td, "networkMode");
    if (!nm || *nm != "awsvpc")
      k.add("fargate-network-mode", "networkMode", "Fargate requires networkMode awsvpc, not " + (nm ? *nm : "the default (bridge)"));
  }
  PortContext pc{k, {}, {}, {}};
  for (std::size_t ci = 0; ci < k.containers.size(); ++ci) {
    const Json& c = *k.containers[ci].first;
    const std::string& cp = k.containers[ci].second;
    std::string label = container_label(c, ci);
    if (const Json* pms = list_at(c, "portMappings")) {
      if (k.nm == "none" && !pms->empty())
        k.add("port-none-mode", cp + ".portMappings", "network mode none allows no port mappings");
      std::vector<Range> covered;
      std::map<long long, bool> seen;
      std::size_t ranges = 0;
      for (std::size_t i = 0; i < pms->size(); ++i) {
        const Json& pm = (*pms)[i];
        if (!pm.is_object()) continue;
        std::string p = path_index(cp + ".portMappings", i);
        if (auto port = int_at(pm, "containerPort"); port && !seen.emplace(*port, true).second)
          k.add("port-duplicate", p + ".containerPort", "containerPort " + std::to_string(*port) + " appears twice in container " + label);
        pc.mapping(pm, p, ci, label, covered, ranges);
      }
    }
    if (k.nm == "awsvpc" && k.ec2like && (is_set(c, "dnsServers") || is_set(c, "dnsSearchDomains")))
      k.add("dns-awsvpc", cp + (is_set(c, "dnsServers") ? ".dnsServers" : ".dnsSearchDomains"),
            "DNS settings of container " + label + " are not applied in awsvpc mode");
    if (k.nm == "awsvpc" && is_set(c, "extraHosts"))
      k.add("extrahosts-awsvpc", cp + ".extraHosts", "extraHosts isn't supported with awsvpc");
    if (k.nm == "awsvpc" && is_set(c, "hostname"))
      k.add("hostname-awsvpc", cp + ".hostname", "hostname isn't supported with awsvpc networking");
    if (k.nm != "bridge" && is_set(c, "links"))
      k.add("links-network-mode", cp + ".links", "links work only in bridge mode, not " + k.nm);
  }
  if (k.ec2like && (k.nm == "bridge" || k.nm == "host") && pc.static_host_ports.size() > 94)
    k.add("port-static-host-max", "containerDefinitions",
          "this task needs " + std::to_string(pc.static_host_ports.size()) +
              " static host ports; an instance can reserve only 100 including 22, 2375, 2376, 51678-51680");
}

}  // namespace ecsctl::taskdef
