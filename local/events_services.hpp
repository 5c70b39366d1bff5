// The services of the local control plane beside ECS (ELBv2, EventBridge,
// Scheduler, CloudWatch Logs), built, registered and driven together so the server needs one
// object and one tick() call for them.
#pragma once
#include <string>

#include "local/ecs.hpp"
#include "local/elbv2.hpp"
#include "local/events.hpp"
#include "local/logs.hpp"
#include "local/router.hpp"
#include "local/scheduler.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

class ExtraServices {
 public:
  // Registers the three services on `router` and hooks target registration
  // and CreateService's target-group checks into `ecs`.
  ExtraServices(Store& store, Ecs& ecs, Router& router, const std::string& region, const std::string& account,
                Pace pace);
  // Time-driven behaviour (draining targets leave, schedules fire); call under
  // the state lock and commit afterwards. Returns whether anything changed.
  bool tick();

  Elbv2& elbv2() { return m_elbv2; }
  Events& events() { return m_events; }
  Scheduler& scheduler() { return m_scheduler; }
  Logs& logs() { return m_logs; }

 private:
  Ecs& m_ecs;
  Elbv2 m_elbv2;
  Events m_events;
  Scheduler m_scheduler;
  Logs m_logs;
};

}  // namespace ecsctl::local
