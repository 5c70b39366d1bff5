// Shared helpers of the ECS operations: identifiers, ARNs, pagination, units.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "local/ecs_shared.hpp"

namespace ecsctl::local {

double now_seconds() {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return std::floor(static_cast<double>(us) / 1000.0) / 1000.0;
}

std::string hex_id(std::mt19937_64& rng, size_t n) {
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  while (out.size() < n) {
    uint64_t v = rng();
    for (int i = 0; i < 16 && out.size() < n; ++i, v >>= 4) out += k_hex[v & 15];
  }
  return out;
}

std::string uuid(std::mt19937_64& rng) {
  std::string h = hex_id(rng, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) + "-" + h.substr(20, 12);
}

Json public_view(const Json& stored) {
  Json out = stored;
  if (out.is_object()) out.erase("_");
  return out;
}

std::string arn_tail(std::string_view s) {
  if (s.rfind("arn:", 0) != 0) return std::string(s);
  size_t slash = s.rfind('/');
  return std::string(slash == std::string_view::npos ? s : s.substr(slash + 1));
}

std::string string_member(const Json& in, const char* name, std::string fallback) {
  auto it = in.find(name);
  if (it == in.end() || !it->is_string() || it->get<std::string>().empty()) return fallback;
  return it->get<std::string>();
}

Json paginate(const std::vector<std::string>& items, const Json& in, const char* key, long max_default) {
  long max = max_default;
  if (in.contains("maxResults") && in["maxResults"].is_number_integer()) {
    max = in["maxResults"].get<long>();
    if (max < 1 || max > 100)
      throw ApiError("InvalidParameterException", "maxResults can be between 1 and 100.");
  }
  size_t start = 0;
  std::string token = string_member(in, "nextToken");
  if (!token.empty()) {
    char* end = nullptr;
    unsigned long v = std::strtoul(token.c_str(), &end, 10);
    if (!end || *end || token.size() > 12) throw ApiError("InvalidParameterException", "Invalid token " + token);
    start = v;
  }
  Json out = Json::object();
  Json page = Json::array();
  size_t i = start;
  for (; i < items.size() && static_cast<long>(page.size()) < max; ++i) page.push_back(items[i]);
  out[key] = page;
  if (i < items.size()) out["nextToken"] = std::to_string(i);
  return out;
}

std::string require_cluster(Store& store, const Json& in, const char* member) {
  std::string name = arn_tail(string_member(in, member, "default"));
  const Json* c = store.get("clusters", name);
  if (!c || (*c)["status"] == "INACTIVE") throw ApiError("ClusterNotFoundException", "Cluster not found.");
  return name;
}

long parse_cpu(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return -1;
  std::string rest(end);
  while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  for (auto& c : rest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (rest.empty()) return static_cast<long>(v);
  if (rest == "vcpu") return static_cast<long>(v * 1024);
  return -1;
}

long parse_memory(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return -1;
  std::string rest(end);
  while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  for (auto& c : rest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (rest.empty() || rest == "mib" || rest == "mb") return static_cast<long>(v);
  if (rest == "gb" || rest == "gib") return static_cast<long>(v * 1024);
  return -1;
}

std::string EcsResources::arn(const Ecs& e, const std::string& resource) {
  return "arn:aws:ecs:" + e.m_region + ":" + e.m_account + ":" + resource;
}

}  // namespace ecsctl::local
