// Region and endpoint resolution: the AWS CLI's region chain, the partitions
// table (aws, aws-cn, aws-us-gov, ...) with FIPS and dual-stack variants, and
// the endpoint URL overrides.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/context.hpp"
#include "core/json.hpp"
#include "client/config_file.hpp"

namespace ecsctl::client {

// --region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`;
// nullopt when none is set.
std::optional<std::string> find_region(const Context& ctx, const ConfigSection* profile);

// The default https endpoint of `service_model` (its metadata) in `region`.
std::string default_endpoint(const Json& service_model, std::string_view region, bool fips, bool dualstack);

// An explicitly configured endpoint URL for the service, in the AWS CLI's
// order: --endpoint-url (when `use_cli_option`), AWS_ENDPOINT_URL_<SERVICE_ID>,
// AWS_ENDPOINT_URL, the profile's [services] section, the profile's endpoint_url.
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls keep only the option.
std::optional<std::string> configured_endpoint(const Context& ctx, const AwsConfig& config,
                                               const ConfigSection* profile, const Json& service_model,
                                               bool use_cli_option);

// Whether `region` is listed in a partition of the endpoints data
// (schemas/models/partitions.json); a region pattern alone does not count.
bool is_known_region(std::string_view region);
// For a region no partition lists: what to say about it, with the nearest
// known region ("us-eest-1" -> "... did you mean 'us-east-1'?"); empty otherwise.
std::string unknown_region_hint(std::string_view region);
// For a configured endpoint on this machine (127.0.0.0/8, localhost, [::1]) that
// did not answer: that the local control plane is down and how to start it; empty otherwise.
std::string local_plane_hint(std::string_view endpoint);

// "Elastic Load Balancing v2" -> "ELASTIC_LOAD_BALANCING_V2" (for environment variable names).
std::string service_id_env_name(std::string_view service_id);

}  // namespace ecsctl::client
