#include "schemas/model.hpp"

#include <cctype>
#include <map>
#include <mutex>
#include <stdexcept>

#include "schemas/model_data.hpp"

namespace ecsctl::model {

const std::vector<std::string>& service_names() {
  static const std::vector<std::string> names = {
      "ecs", "elbv2", "events", "scheduler", "logs", "cloudwatch", "application-autoscaling", "sts", "sso"};
  return names;
}

static const Json& decode(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, Json, std::less<>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  for (const EmbeddedModel* m = k_embedded_models; m->name; ++m) {
    if (name == m->name) {
      auto [it, _] = cache.emplace(std::string(name), Json::from_cbor(m->data, m->data + m->size));
      return it->second;
    }
  }
  throw std::out_of_range("no API model for '" + std::string(name) + "'");
}

const Json& service(std::string_view name) { return decode(name); }
const Json& partitions() { return decode("partitions"); }
const Json& retry_rules() { return decode("retry"); }

const Json& shape(const Json& service_model, std::string_view shape_name) {
  const Json& shapes = service_model.at("shapes");
  auto it = shapes.find(std::string(shape_name));
  if (it == shapes.end()) throw std::out_of_range("no shape '" + std::string(shape_name) + "'");
  return *it;
}

std::string kebab_case(std::string_view name) {
  // botocore's xform_name(name, '-'), step by step: a name already holding '-'
  // is kept; a trailing "[A-Z]{2,}s" (ARNs, ACLs) becomes "-arns"; then
  // "(.)([A-Z][a-z]+)" -> "\\1-\\2" and "([a-z0-9])([A-Z])" -> "\\1-\\2"
  // (each a left-to-right, non-overlapping substitution), then lower case.
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.find('-') != std::string_view::npos) return std::string(name);
  std::string s(name);
  std::size_t n = s.size();
  if (n >= 3 && s[n - 1] == 's' && upper(s[n - 2]) && upper(s[n - 3])) {
    std::size_t start = n - 1;
    while (start > 0 && upper(s[start - 1])) --start;
    std::string tail = s.substr(start);
    for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s = s.substr(0, start) + "-" + tail;
  }
  std::string s1;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\n' && i + 2 < s.size() && upper(s[i + 1]) && lower(s[i + 2])) {
      std::size_t j = i + 2;
      while (j < s.size() && lower(s[j])) ++j;
      s1 += s[i];
      s1 += '-';
      s1.append(s, i + 1, j - i - 1);
      i = j;
    } else {
      s1 += s[i++];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < s1.size();) {
    if ((lower(s1[i]) || digit(s1[i])) && i + 1 < s1.size() && upper(s1[i + 1])) {
      out += s1[i];
      out += '-';
      out += s1[i + 1];
      i += 2;
    } else {
      out += s1[i++];
    }
  }
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace ecsctl::model
