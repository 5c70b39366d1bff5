// The AWS API models (trimmed, embedded in the binary): the source of truth for
// operation names, input/output shapes, required members, enums, paginators
// and waiters. Nothing is decoded before it is asked for, and a command that
// runs one operation decodes only that operation and the shapes it reaches
// (operation()), not the whole service model (service()).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::model {

// Service names, as ecsctl uses them: "ecs", "elbv2", "events", "scheduler",
// "logs", "cloudwatch", "application-autoscaling", "sts", "sso".
const std::vector<std::string>& service_names();

// The whole model (every operation and shape; the local control plane and
// tests use it): {"metadata":{...}, "operations":{...}, "shapes":{...}, "paginators":{...},
// "waiters":{...}} in the layout of botocore's service-2.json. Throws
// std::out_of_range for an unknown service.
const Json& service(std::string_view name);

// The operation names of a service, in the model's order, without decoding
// anything. Throws std::out_of_range for an unknown service.
const std::vector<std::string>& operation_names(std::string_view service);

// The model of one operation, in the layout of service(): "metadata", the one
// operation under "operations", the shapes its input, output and errors reach
// under "shapes", and its paginator (if any) under "paginators". Decoded once
// and kept. Throws std::out_of_range for an unknown service or operation.
const Json& operation(std::string_view service, std::string_view operation_name);

// Parts of a service model, each decoded on its own.
const Json& metadata(std::string_view service);
const Json& paginators(std::string_view service);
const Json& waiters(std::string_view service);

// partitions.json and _retry.json, as published.
const Json& partitions();
const Json& retry_rules();

// The shape named `shape_name` of `service_model`; throws std::out_of_range.
const Json& shape(const Json& service_model, std::string_view shape_name);

// "DescribeClusters" -> "describe-clusters", as the AWS CLI names commands
// ("ListTagsForResource" -> "list-tags-for-resource", "GetLoadBalancerTLSCertificates"...).
std::string kebab_case(std::string_view camel);

}  // namespace ecsctl::model
