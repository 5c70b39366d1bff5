// Pagination as the AWS CLI does it (botocore's PageIterator.build_full_result):
// follow the paginator's tokens, merge the result keys, and with --max-items
// stop early and hand back a NextToken that --starting-token resumes from.
#include "core/error.hpp"
#include "client/api.hpp"
#include "client/invoke.hpp"
#include "schemas/model.hpp"

namespace ecsctl::client {
namespace {

std::vector<std::string> as_list(const Json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  else if (v.is_array())
    for (auto& e : v) out.push_back(e.get<std::string>());
  return out;
}

}  // namespace

Json call_paginated(Context& ctx, std::string_view service, std::string_view operation, const Json& input,
                    const PageOptions& page) {
  const Json* m = nullptr;
  try {
    m = &model::paginators(service);
  } catch (const std::out_of_range&) {
    throw_usage("unknown service '" + std::string(service) + "'");
  }
  const Json& paginators = *m;
  if (!page.paginate || !paginators.contains(std::string(operation))) return call(ctx, service, operation, input);
  const Json& p = paginators[std::string(operation)];
  auto in_tokens = as_list(p["input_token"]), out_tokens = as_list(p["output_token"]);
  auto result_keys = as_list(p["result_key"]);
  std::string limit_key = p.value("limit_key", std::string());
  std::string more_results = p.value("more_results", std::string());
  auto non_aggregate = as_list(p.contains("non_aggregate_keys") ? p["non_aggregate_keys"] : Json());

  Json request = input.is_object() ? input : Json::object();
  if (page.page_size && !limit_key.empty()) request[limit_key] = *page.page_size;
  long skip = 0;
  if (page.starting_token) {
    auto token = decode_page_token(*page.starting_token);
    if (!token && in_tokens.size() == 1) token = Json{{in_tokens[0], *page.starting_token}};  // a raw service token
    if (!token) throw_usage("invalid --starting-token '" + *page.starting_token + "'");
    for (auto& [k, v] : token->items()) {
      if (k == "boto_truncate_amount") skip = v.is_number_integer() ? v.get<long>() : 0;
      else if (!v.is_null()) request[k] = v;
    }
  }
  Json result = Json::object();         // the result keys, merged over the pages
  Json non_aggregate_part = Json::object();
  std::optional<std::string> next_token;
  long count = 0;
  bool first = true;
  while (true) {
    // As botocore's PageIterator: the token this page was asked for; on the
    // first page every input token, null when none was given.
    Json current_token = Json::object();
    for (auto& t : in_tokens)
      if (request.contains(t)) current_token[t] = request[t];
      else if (first) current_token[t] = nullptr;
    Json out = call(ctx, service, operation, request);
    if (first) {
      for (auto& k : non_aggregate)
        if (out.contains(k)) non_aggregate_part[k] = out[k];
    }
    const std::string& primary = result_keys.empty() ? std::string() : result_keys[0];
    if (first && skip > 0) {
      for (auto& k : result_keys)
        if (out.contains(k) && out[k].is_array()) {
          Json rest = Json::array();
          for (size_t i = static_cast<size_t>(k == primary ? skip : 0); i < out[k].size(); ++i) rest.push_back(out[k][i]);
          out[k] = rest;
        }
    }
    long page_items = out.contains(primary) && out[primary].is_array() ? static_cast<long>(out[primary].size()) : 0;
    bool truncated = page.max_items && count + page_items > *page.max_items;
    if (truncated) {
      long keep = *page.max_items - count;
      Json kept = Json::array();
      for (long i = 0; i < keep; ++i) kept.push_back(out[primary][static_cast<size_t>(i)]);
      out[primary] = kept;
      current_token["boto_truncate_amount"] = keep + (first ? skip : 0);
      next_token = encode_page_token(current_token);
    }
    if (page.on_page) {
      Json shown = first ? non_aggregate_part : Json::object();
      for (auto& k : result_keys)
        if (out.contains(k)) shown[k] = out[k];
      page.on_page(shown);
    }
    for (auto& k : result_keys) {
      if (!out.contains(k)) continue;
      if (!result.contains(k)) result[k] = out[k].is_array() ? Json::array() : out[k];
      if (out[k].is_array())
        for (auto& e : out[k]) result[k].push_back(e);
      else if (out[k].is_number() && result[k].is_number() && !first)
        result[k] = result[k].get<double>() + out[k].get<double>();
    }
    count += truncated ? *page.max_items - count : page_items;
    first = false;
    if (truncated) break;
    bool more = true;
    if (!more_results.empty()) more = out.value(more_results, false);
    Json next = Json::object();
    for (size_t i = 0; i < out_tokens.size() && i < in_tokens.size(); ++i)
      if (out.contains(out_tokens[i]) && !out[out_tokens[i]].is_null() && out[out_tokens[i]] != "")
        next[in_tokens[i]] = out[out_tokens[i]];
    if (!more || next.empty()) break;
    if (next == current_token) throw Error(Exit::other, "the service returned the same pagination token twice");
    if (page.max_items && count >= *page.max_items) {
      next_token = encode_page_token(next);
      break;
    }
    for (auto& [k, v] : next.items()) request[k] = v;
  }
  // botocore's build_full_result: the result keys, then the keys that are not
  // aggregated, then NextToken last.
  for (auto& [k, v] : non_aggregate_part.items()) result[k] = v;
  if (next_token) result["NextToken"] = *next_token;
  return result;
}

}  // namespace ecsctl::client
