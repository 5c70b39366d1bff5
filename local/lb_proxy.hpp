// The data plane of the local ELBv2: every listener is a real proxy on
// 127.0.0.1 (HTTP listeners a reverse proxy, TCP listeners forward bytes), and
// target-group health checks really run against targets that have a reachable
// address. Elbv2 (the control plane, under the state lock) hands a snapshot of
// its listeners, target groups and targets to LbRuntime::update(); the runtime
// keeps its own threads and never touches the store.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/json.hpp"

namespace ecsctl::local {

// A target's health as DescribeTargetHealth reports it, with the counts of
// consecutive check results that move it between states.
struct LbTargetHealth {
  std::string state = "initial";
  std::string reason = "Elb.RegistrationInProgress";
  std::string description = "Target registration is in progress";
  int successes = 0, failures = 0;
};

// The result of one health check; `reason`/`description` are ELBv2's for a failure.
struct LbCheckResult {
  bool ok = false;
  std::string reason, description;
};

// Whether HTTP status `code` satisfies an ELBv2 HttpCode matcher: "200",
// "200,202", "200-299" or a list mixing both.
bool http_code_matches(const std::string& matcher, int code);

// Applies one check result to `h` as ELBv2 does: `healthy_threshold`
// consecutive successes make it healthy, `unhealthy_threshold` consecutive
// failures unhealthy (with the last failure's reason); before either, the
// target stays initial (Elb.InitialHealthChecking) or keeps its state.
void record_check(LbTargetHealth& h, const LbCheckResult& r, int healthy_threshold, int unhealthy_threshold);

// Runs one health check against host:port. `protocol` HTTP or HTTPS: GET
// `path`, the status must match `matcher`; TCP (and TLS, UDP, TCP_UDP): a
// connection must open. `timeout` in seconds.
LbCheckResult run_health_check(const std::string& host, long port, const std::string& protocol,
                               const std::string& path, const std::string& matcher, double timeout);

// The port a listener binds for `port`: itself when free, else (ports below
// 1024, which need privileges) port + 8000, else any free port. Returns the
// bound, listening socket and its port; -1 when nothing could be bound.
std::pair<int, int> bind_listener_port(int port);

class LbRuntime {
 public:
  // `fast`: health-check intervals and timeouts are divided by the pace's
  // factor, with floors (see README, "Load balancers"). `log` gets one line
  // per listener opened or closed.
  LbRuntime(bool fast, double fast_factor, std::function<void(const std::string&)> log = nullptr);
  ~LbRuntime();
  LbRuntime(const LbRuntime&) = delete;
  LbRuntime& operator=(const LbRuntime&) = delete;

  // Replaces the configuration (see Elbv2::runtime_snapshot for its shape);
  // listeners and health checks follow within a fraction of a second.
  void update(Json snapshot);
  // The health the checks found for a target registration (its snapshot
  // "key"); nullopt when no check has run or it is not checked.
  std::optional<LbTargetHealth> health(const std::string& key) const;
  // [{ListenerArn, Port, Protocol, Address}] of the listeners open now; Address
  // is host:port where the listener really listens.
  Json endpoints() const;

  // Everything the runtime's threads share (config, health, listeners,
  // probers); they hold it by shared_ptr, so a thread still busy when the
  // runtime goes (a check or a proxied request in flight) can be left to end.
  // Defined in lb_proxy.cpp.
  struct Shared;

 private:
  void manage();
  void reconcile();

  std::shared_ptr<Shared> m_shared;
  std::thread m_manager;
};

}  // namespace ecsctl::local
