#include "client/endpoints.hpp"

#include <cctype>
#include <regex>

#include "core/suggest.hpp"
#include "schemas/model.hpp"

namespace ecsctl::client {

std::optional<std::string> find_region(const Context& ctx, const ConfigSection* profile) {
  if (ctx.opts.region && !ctx.opts.region->empty()) return ctx.opts.region;
  if (auto r = ctx.env.get_nonempty("AWS_REGION")) return r;
  if (auto r = ctx.env.get_nonempty("AWS_DEFAULT_REGION")) return r;
  if (profile)
    if (auto r = profile->get("region"); r && !r->empty()) return r;
  return std::nullopt;
}

namespace {

const Json& partition_for(std::string_view region) {
  const Json& parts = model::partitions()["partitions"];
  for (auto& p : parts)
    if (p.contains("regions") && p["regions"].contains(std::string(region))) return p;
  for (auto& p : parts)
    if (std::regex_match(std::string(region), std::regex(p.value("regionRegex", std::string("^$"))))) return p;
  return parts.at(0);
}

bool truthy(std::optional<std::string> v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true";
}

}  // namespace

bool is_known_region(std::string_view region) {
  for (auto& p : model::partitions()["partitions"])
    if (p.contains("regions") && p["regions"].contains(std::string(region))) return true;
  return false;
}

std::string unknown_region_hint(std::string_view region) {
  if (region.empty() || is_known_region(region)) return {};
  std::vector<std::string> known;
  for (auto& p : model::partitions()["partitions"])
    if (p.contains("regions"))
      for (auto& [name, info] : p["regions"].items())
        if (name.find("global") == std::string::npos) known.push_back(name);
  std::string hint = "the region '" + std::string(region) + "' is in no partition of the endpoints data";
  std::optional<std::string> best;
  std::size_t best_distance = 4;
  for (const auto& k : known)
    if (std::size_t d = edit_distance(region, k); d < best_distance) best_distance = d, best = k;
  if (best) hint += "; did you mean '" + *best + "'?";
  else hint += "; check --region, AWS_REGION / AWS_DEFAULT_REGION and the profile's region";
  return hint;
}

std::string local_plane_hint(std::string_view endpoint) {
  std::string_view rest = endpoint;
  if (auto s = rest.find("://"); s != std::string_view::npos) rest.remove_prefix(s + 3);
  if (auto at = rest.find('@'); at != std::string_view::npos && at < rest.find('/')) rest.remove_prefix(at + 1);
  std::string host(rest.substr(0, rest.find_first_of("/?#")));
  if (!host.empty() && host[0] == '[') host = host.substr(0, host.find(']') + 1);
  else host = host.substr(0, host.find(':'));
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool local = host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
  if (!local) return {};
  return "nothing answers on " + std::string(endpoint) +
         ": if it is the local control plane, start it with `ecsctl local up`";
}

std::string default_endpoint(const Json& service_model, std::string_view region, bool fips, bool dualstack) {
  const Json& meta = service_model["metadata"];
  std::string prefix = meta.value("endpointPrefix", std::string());
  const Json& out = partition_for(region)["outputs"];
  if (meta.value("serviceId", std::string()) == "STS" && region == "aws-global")
    return "https://" + meta.value("globalEndpoint", std::string("sts.amazonaws.com"));
  std::string suffix = dualstack && out.value("supportsDualStack", false) ? out.value("dualStackDnsSuffix", std::string())
                                                                           : out.value("dnsSuffix", std::string());
  if (fips && out.value("supportsFIPS", false)) prefix += "-fips";
  return "https://" + prefix + "." + std::string(region) + "." + suffix;
}

std::string service_id_env_name(std::string_view service_id) {
  std::string out;
  for (char c : service_id) out += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> configured_endpoint(const Context& ctx, const AwsConfig& config,
                                               const ConfigSection* profile, const Json& service_model,
                                               bool use_cli_option) {
  if (use_cli_option && ctx.opts.endpoint_url && !ctx.opts.endpoint_url->empty()) return ctx.opts.endpoint_url;
  bool ignore = truthy(ctx.env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
                (profile && truthy(profile->get("ignore_configured_endpoint_urls")));
  if (ignore) return std::nullopt;
  std::string id = service_id_env_name(service_model["metadata"].value("serviceId", std::string()));
  if (auto v = ctx.env.get_nonempty("AWS_ENDPOINT_URL_" + id)) return v;
  if (auto v = ctx.env.get_nonempty("AWS_ENDPOINT_URL")) return v;
  if (!profile) return std::nullopt;
  if (auto services = profile->get("services")) {
    auto it = config.services.find(*services);
    std::string key = id;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (it != config.services.end())
      if (auto* v = it->second.find(key)) {
        auto n = v->nested.find("endpoint_url");
        if (n != v->nested.end() && !n->second.empty()) return n->second;
      }
  }
  if (auto v = profile->get("endpoint_url"); v && !v->empty()) return v;
  return std::nullopt;
}

}  // namespace ecsctl::client
