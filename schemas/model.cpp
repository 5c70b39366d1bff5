#include "schemas/model.hpp"

#include <cctype>
#include <map>
#include <mutex>
#include <stdexcept>

#include "schemas/model_data.hpp"

namespace ecsctl::model {

const std::vector<std::string>& service_names() {
  static const std::vector<std::string> names = {
      "ecs", "elbv2", "events", "scheduler", "logs", "cloudwatch", "application-autoscaling", "sts", "sso",
      "secretsmanager", "ssm", "iam", "ec2", "ecr", "codedeploy"};
  return names;
}

namespace {

Json decode(const EmbeddedSlice& s) { return Json::from_cbor(s.data, s.data + s.size); }

const EmbeddedService& embedded_service(std::string_view name) {
  for (const EmbeddedService* m = k_embedded_services; m->name; ++m)
    if (name == m->name) return *m;
  throw std::out_of_range("no API model for '" + std::string(name) + "'");
}

// Decoded values live until exit and are never destroyed: freeing a decoded
// model at exit costs time and serves no purpose in a short-lived process.
struct Cache {
  std::mutex mu;
  std::map<std::string, const Json*, std::less<>> values;
  std::map<std::string, const std::vector<std::string>*, std::less<>> names;
};
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

template <class Make>
const Json& cached(const std::string& key, Make make) {
  Cache& c = cache();
  std::lock_guard lock(c.mu);
  if (auto it = c.values.find(key); it != c.values.end()) return *it->second;
  const Json* v = new Json(make());
  c.values.emplace(key, v);
  return *v;
}

}  // namespace

const std::vector<std::string>& operation_names(std::string_view service) {
  const EmbeddedService& m = embedded_service(service);
  Cache& c = cache();
  std::lock_guard lock(c.mu);
  if (auto it = c.names.find(service); it != c.names.end()) return *it->second;
  auto* names = new std::vector<std::string>;
  for (std::size_t i = 0; i < m.operation_count; ++i) names->emplace_back(m.operations[i].name);
  c.names.emplace(std::string(service), names);
  return *names;
}

const Json& metadata(std::string_view service) {
  const EmbeddedService& m = embedded_service(service);
  return cached("metadata/" + std::string(service), [&] { return decode(m.metadata); });
}

const Json& paginators(std::string_view service) {
  const EmbeddedService& m = embedded_service(service);
  return cached("paginators/" + std::string(service), [&] { return decode(m.paginators); });
}

const Json& waiters(std::string_view service) {
  const EmbeddedService& m = embedded_service(service);
  return cached("waiters/" + std::string(service), [&] { return decode(m.waiters); });
}

const Json& operation(std::string_view service, std::string_view operation_name) {
  const EmbeddedService& m = embedded_service(service);
  const EmbeddedOperation* op = nullptr;
  for (std::size_t i = 0; i < m.operation_count && !op; ++i)
    if (operation_name == m.operations[i].name) op = &m.operations[i];
  if (!op) throw std::out_of_range("no operation '" + std::string(operation_name) + "' in " + std::string(service));
  const Json& meta = metadata(service);
  const Json& pags = paginators(service);
  return cached("operation/" + std::string(service) + "/" + op->name, [&] {
    Json j = Json::object();
    j["metadata"] = meta;
    j["operations"][op->name] = decode(op->definition);
    // The names are unique, so the shapes go straight into the object's
    // vector: ordered_json's operator[] would search it once per shape.
    Json& shapes = j["shapes"] = Json::object();
    auto& entries = shapes.get_ref<Json::object_t&>();
    entries.reserve(op->shape_count);
    for (std::size_t i = 0; i < op->shape_count; ++i)
      entries.Container::emplace_back(m.shape_names[op->shapes[i]], decode(m.shapes[op->shapes[i]]));
    j["paginators"] = Json::object();
    if (auto it = pags.find(op->name); it != pags.end()) j["paginators"][op->name] = *it;
    return j;
  });
}

const Json& service(std::string_view name) {
  const EmbeddedService& m = embedded_service(name);
  return cached("service/" + std::string(name), [&] {
    Json j = Json::object();
    j["metadata"] = decode(m.metadata);
    Json& ops = j["operations"] = Json::object();
    for (std::size_t i = 0; i < m.operation_count; ++i) ops[m.operations[i].name] = decode(m.operations[i].definition);
    Json& shapes = j["shapes"] = Json::object();
    auto& entries = shapes.get_ref<Json::object_t&>();
    entries.reserve(m.shape_count);
    for (std::size_t i = 0; i < m.shape_count; ++i) entries.Container::emplace_back(m.shape_names[i], decode(m.shapes[i]));
    j["paginators"] = decode(m.paginators);
    j["waiters"] = decode(m.waiters);
    return j;
  });
}

static const Json& document(std::string_view name) {
  for (const EmbeddedDocument* d = k_embedded_documents; d->name; ++d)
    if (name == d->name) return cached("document/" + std::string(name), [&] { return decode(d->data); });
  throw std::out_of_range("no embedded document '" + std::string(name) + "'");
}

const Json& partitions() { return document("partitions"); }
const Json& retry_rules() { return document("retry"); }

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
