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

std::string kebab_case(std::string_view s) {
  // botocore's xform_name: insert '-' before an upper-case letter that starts a
  // new word: after a lower-case letter or digit, or before "Xy" following caps.
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    if (upper && i > 0) {
      char prev = s[i - 1];
      bool prev_lower = std::islower(static_cast<unsigned char>(prev)) || std::isdigit(static_cast<unsigned char>(prev));
      bool next_lower = i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
      bool prev_upper = std::isupper(static_cast<unsigned char>(prev));
      if (prev_lower || (prev_upper && next_lower)) out += '-';
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace ecsctl::model
