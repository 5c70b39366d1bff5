// The ECS service object: construction, operation table, counts.
#include "local/ecs.hpp"

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

Ecs::Ecs(Store& store, std::string region, std::string account, Pace pace)
    : m_store(store), m_region(std::move(region)), m_account(std::move(account)), m_pace(pace),
      m_rng(std::random_device{}()) {
  m_observer = m_store.observe([this](std::string_view kind, std::string_view id) {
    if (kind.empty()) {  // cleared or reloaded
      m_pools_valid = false;
      find_busy_tasks();
    } else if (kind == "instances") {
      m_pool_stale.emplace(id);
    }
  });
  find_busy_tasks();
}

// Tasks in flight (also when the server stopped) carry on from where they were.
void Ecs::find_busy_tasks() {
  m_busy.clear();
  for (const auto& [arn, t] : m_store.table("tasks")) {
    if (t["lastStatus"] == "STOPPED") continue;
    if (t["lastStatus"] != "RUNNING" || t["desiredStatus"] == "STOPPED" || t["_"]["plan"].contains("exit_code"))
      m_busy.insert(arn);
  }
}

Ecs::~Ecs() { m_store.unobserve(m_observer); }

void Ecs::register_operations(Router& router) {
  using Method = Json (Ecs::*)(const Json&);
  static const std::pair<const char*, Method> k_ops[] = {
      {"CreateCluster", &Ecs::create_cluster},
      {"DescribeClusters", &Ecs::describe_clusters},
      {"ListClusters", &Ecs::list_clusters},
      {"DeleteCluster", &Ecs::delete_cluster},
      {"UpdateCluster", &Ecs::update_cluster},
      {"UpdateClusterSettings", &Ecs::update_cluster_settings},
      {"PutClusterCapacityProviders", &Ecs::put_cluster_capacity_providers},
      {"DescribeCapacityProviders", &Ecs::describe_capacity_providers},
      {"RegisterContainerInstance", &Ecs::register_container_instance},
      {"DeregisterContainerInstance", &Ecs::deregister_container_instance},
      {"ListContainerInstances", &Ecs::list_container_instances},
      {"DescribeContainerInstances", &Ecs::describe_container_instances},
      {"RegisterTaskDefinition", &Ecs::register_task_definition},
      {"DescribeTaskDefinition", &Ecs::describe_task_definition},
      {"ListTaskDefinitions", &Ecs::list_task_definitions},
      {"ListTaskDefinitionFamilies", &Ecs::list_task_definition_families},
      {"DeregisterTaskDefinition", &Ecs::deregister_task_definition},
      {"DeleteTaskDefinitions", &Ecs::delete_task_definitions},
      {"RunTask", &Ecs::run_task},
      {"StartTask", &Ecs::start_task},
      {"StopTask", &Ecs::stop_task},
      {"DescribeTasks", &Ecs::describe_tasks},
      {"ListTasks", &Ecs::list_tasks},
      {"CreateService", &Ecs::create_service},
      {"UpdateService", &Ecs::update_service},
      {"DeleteService", &Ecs::delete_service},
      {"DescribeServices", &Ecs::describe_services},
      {"ListServices", &Ecs::list_services},
      {"TagResource", &Ecs::tag_resource},
      {"UntagResource", &Ecs::untag_resource},
      {"ListTagsForResource", &Ecs::list_tags_for_resource},
      {"ExecuteCommand", &Ecs::execute_command},
      {"ListServiceDeployments", &Ecs::list_service_deployments},
      {"DescribeServiceDeployments", &Ecs::describe_service_deployments},
      {"DescribeServiceRevisions", &Ecs::describe_service_revisions},
      {"StopServiceDeployment", &Ecs::stop_service_deployment},
  };
  for (const auto& [name, method] : k_ops) {
    Method m = method;
    router.add_json(k_ecs_prefix, name, [this, m](const Json& in) { return (this->*m)(in); }, "ecs");
  }
}

Json Ecs::counts() {
  long clusters = 0, instances = 0, running = 0, services = 0, taskdefs = 0;
  for (const auto& [k, c] : m_store.table("clusters")) clusters += c["status"] == "ACTIVE";
  instances = static_cast<long>(m_store.table("instances").size());
  for (const auto& [k, t] : m_store.table("tasks")) running += t["lastStatus"] != "STOPPED";
  for (const auto& [k, s] : m_store.table("services")) services += s["status"] != "INACTIVE";
  for (const auto& [k, td] : m_store.table("taskdefs")) taskdefs += td["status"] == "ACTIVE";
  return {{"clusters", clusters}, {"containerInstances", instances}, {"tasks", running},
          {"services", services}, {"taskDefinitions", taskdefs}};
}

}  // namespace ecsctl::local
