// Wiring of ELBv2, EventBridge and Scheduler into the local control plane.
#include "local/events_services.hpp"

#include "local/elbv2_ecs.hpp"
#include "local/logs_ecs.hpp"

namespace ecsctl::local {

ExtraServices::ExtraServices(Store& store, Ecs& ecs, Router& router, const std::string& region,
                             const std::string& account, Pace pace)
    : m_ecs(ecs),
      m_elbv2(store, region, account, pace == Pace::fast),
      m_events(store, region, account, pace == Pace::fast ? k_schedule_fast_factor : 1.0),
      m_scheduler(store, region, account, pace == Pace::fast ? k_schedule_fast_factor : 1.0),
      m_logs(store, region, account) {
  m_elbv2.register_operations(router);
  m_events.register_operations(router);
  m_scheduler.register_operations(router);
  m_logs.register_operations(router);
  connect_load_balancing(ecs, store, m_elbv2);
  ecs.hooks().on_create_service.push_back(
      [this](const Json& in, const Json& td) { check_service_load_balancers(m_elbv2, in, td); });
}

bool ExtraServices::tick() {
  RunTask run = [this](const Json& in) { return m_ecs.run_task(in); };
  bool changed = m_elbv2.tick();
  changed |= m_events.tick(run);
  changed |= m_scheduler.tick(run);
  return changed;
}

}  // namespace ecsctl::local
