// The AWS API models (trimmed, embedded in the binary): the source of truth for
// operation names, input/output shapes, required members, enums, paginators
// and waiters. Each service's model is decoded on first use only.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "cli/json.hpp"

namespace ecsctl::model {

// Service names, as ecsctl uses them: "ecs", "elbv2", "events", "scheduler",
// "logs", "cloudwatch", "application-autoscaling", "sts", "sso".
const std::vector<std::string>& service_names();

// {"metadata":{...}, "operations":{...}, "shapes":{...}, "paginators":{...},
// "waiters":{...}} in the layout of botocore's service-2.json. Throws
// std::out_of_range for an unknown service.
const Json& service(std::string_view name);

// partitions.json and _retry.json, as published.
const Json& partitions();
const Json& retry_rules();

// The shape named `shape_name` of `service_model`; throws std::out_of_range.
const Json& shape(const Json& service_model, std::string_view shape_name);

// "DescribeClusters" -> "describe-clusters", as the AWS CLI names commands
// ("ListTagsForResource" -> "list-tags-for-resource", "GetLoadBalancerTLSCertificates"...).
std::string kebab_case(std::string_view camel);

}  // namespace ecsctl::model
