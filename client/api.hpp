// The one entry point commands use to talk to AWS (or `ecsctl local`, or any
// compatible endpoint): call an operation of a service with its input in the
// AWS CLI's JSON shape and get its output back in the same shape.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/context.hpp"
#include "core/json.hpp"

namespace ecsctl::client {

// The AWS CLI's pagination options (--max-items, --page-size, --starting-token,
// --no-paginate).
struct PageOptions {
  std::optional<long> max_items;
  std::optional<long> page_size;
  std::optional<std::string> starting_token;
  bool paginate = true;
  // Called with each page as the AWS CLI's text output shows it: the page's
  // result keys (after --max-items and --starting-token trimmed them), and on
  // the first page the keys that are not aggregated.
  std::function<void(const Json& page)> on_page;
};

// Sends `operation` (the model's name, e.g. "DescribeClusters") of `service`
// ("ecs", "elbv2", "events", "scheduler", "logs", "sts", ...) with `input`.
// Resolves credentials, region and endpoint from ctx on first use, signs,
// retries, and converts the response (JSON or XML) to the output shape.
// Throws ServiceError (exit 254) for service errors, Error(Exit::config) for
// missing region/credentials, Error(Exit::other) for transport failures.
Json call(Context& ctx, std::string_view service, std::string_view operation, const Json& input);

// Where calls to `service` go, resolved as call() resolves them: the endpoint
// URL ("https://ecs.us-east-1.amazonaws.com", or the configured one) and the region.
struct Endpoint {
  std::string url, region;
};
Endpoint resolve_endpoint(Context& ctx, std::string_view service);

// As call(), following the operation's paginator (paginators-1.json) and
// merging pages as the AWS CLI does; without a paginator it is call().
Json call_paginated(Context& ctx, std::string_view service, std::string_view operation,
                    const Json& input, const PageOptions& page);

}  // namespace ecsctl::client
