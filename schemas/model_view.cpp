#include "schemas/model_view.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "schemas/model.hpp"

namespace ecsctl::model {

Type parse_type(std::string_view t) {
  if (t == "structure") return Type::structure;
  if (t == "list") return Type::list;
  if (t == "map") return Type::map;
  if (t == "integer") return Type::integer;
  if (t == "long") return Type::long_;
  if (t == "boolean") return Type::boolean;
  if (t == "double") return Type::double_;
  if (t == "float") return Type::float_;
  if (t == "timestamp") return Type::timestamp;
  if (t == "blob") return Type::blob;
  return Type::string;
}

const Member* Shape::member(std::string_view member_name) const {
  for (const auto& m : members)
    if (m.name == member_name) return &m;
  return nullptr;
}

bool Shape::allows(std::string_view value) const {
  return enum_values.empty() || std::find(enum_values.begin(), enum_values.end(), value) != enum_values.end();
}

const Shape* OperationView::find(std::string_view shape_name) const {
  auto it = by_name.find(shape_name);
  return it == by_name.end() ? nullptr : it->second;
}

const Shape& OperationView::shape(std::string_view shape_name) const {
  if (const Shape* s = find(shape_name)) return *s;
  throw std::out_of_range("the API model has no shape '" + std::string(shape_name) + "'");
}

namespace {

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::optional<double> number(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

void fill_ref(Ref& r, const Json& j) {
  r.shape_name = str(j, "shape");
  r.location = str(j, "location");
  r.location_name = str(j, "locationName");
  r.query_name = str(j, "queryName");
  r.xml_attribute = flag(j, "xmlAttribute");
  r.xml_flattened = flag(j, "flattened");
  r.idempotency_token = flag(j, "idempotencyToken");
  r.host_label = flag(j, "hostLabel");
  r.timestamp_format = str(j, "timestampFormat");
}

}  // namespace

OperationView build_view(const Json& doc, std::string_view operation) {
  OperationView v;
  v.name = std::string(operation);
  v.model = &doc;
  static const Json k_no_operation = Json::object();
  const Json* op = &k_no_operation;
  if (!operation.empty()) {
    auto ops = doc.find("operations");
    if (ops == doc.end()) throw std::out_of_range("the model has no operations");
    auto it = ops->find(std::string(operation));
    if (it == ops->end()) throw std::out_of_range("no operation '" + std::string(operation) + "'");
    op = &*it;
  }
  v.definition = op;
  if (auto meta = doc.find("metadata"); meta != doc.end()) {
    v.metadata = &*meta;
    v.protocol = str(*meta, "protocol");
  }
  // Only the shapes the operation reaches (a whole service model holds hundreds).
  const Json& shapes = doc.at("shapes");
  // ordered_json finds a key by a linear search: index the shapes once.
  std::unordered_map<std::string_view, const Json*> index;
  index.reserve(shapes.size());
  for (const auto& [shape_name, shape_json] : shapes.get_ref<const Json::object_t&>()) index.emplace(shape_name, &shape_json);
  // Shape names are viewed in place: they live in `doc` as long as the view.
  auto name_of = [](const Json& ref) -> std::string_view {
    auto it = ref.find("shape");
    return it != ref.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : std::string_view();
  };
  std::vector<std::string_view> todo;
  for (const char* part : {"input", "output"})
    if (auto it = op->find(part); it != op->end()) todo.push_back(name_of(*it));
  if (auto errs = op->find("errors"); errs != op->end())
    for (const auto& e : *errs) todo.push_back(name_of(e));
  std::vector<std::pair<std::string_view, const Json*>> reached;
  std::unordered_map<std::string_view, bool> seen;
  if (operation.empty())  // every shape of the document
    for (const auto& entry : shapes.get_ref<const Json::object_t&>()) todo.push_back(entry.first);
  while (!todo.empty()) {
    std::string_view name = todo.back();
    todo.pop_back();
    if (name.empty() || !seen.emplace(name, true).second) continue;
    auto found = index.find(name);
    if (found == index.end()) throw std::out_of_range("the API model has no shape '" + std::string(name) + "'");
    const Json* it = found->second;
    reached.emplace_back(name, it);
    if (auto m = it->find("members"); m != it->end())
      for (const auto& ref : *m) todo.push_back(name_of(ref));
    for (const char* part : {"member", "key", "value"})
      if (auto r = it->find(part); r != it->end()) todo.push_back(name_of(*r));
  }
  for (const auto& [shape_name, shape_json] : reached) {
    Shape& s = v.shapes.emplace_back();
    const Json& j = *shape_json;
    s.name = shape_name;
    s.type_name = j.contains("type") ? str(j, "type") : "string";
    s.type = parse_type(s.type_name);
    s.pattern = str(j, "pattern");
    s.min = number(j, "min");
    s.max = number(j, "max");
    s.timestamp_format = str(j, "timestampFormat");
    s.document = flag(j, "document");
    s.flattened = flag(j, "flattened");
    s.exception = flag(j, "exception");
    s.sensitive = flag(j, "sensitive");
    if (auto e = j.find("enum"); e != j.end())
      for (const auto& x : *e)
        if (x.is_string()) s.enum_values.push_back(x.get<std::string>());
    if (auto r = j.find("required"); r != j.end())
      for (const auto& x : *r)
        if (x.is_string()) s.required.push_back(x.get<std::string>());
    if (auto m = j.find("members"); m != j.end()) {
      for (auto mi = m->begin(); mi != m->end(); ++mi) {
        Member& mem = s.members.emplace_back();
        mem.name = mi.key();
        fill_ref(mem, mi.value());
        mem.required = std::find(s.required.begin(), s.required.end(), mem.name) != s.required.end();
      }
    }
    if (auto m = j.find("member"); m != j.end()) fill_ref(s.list_member, *m);
    if (auto m = j.find("key"); m != j.end()) fill_ref(s.map_key, *m);
    if (auto m = j.find("value"); m != j.end()) fill_ref(s.map_value, *m);
    v.by_name.emplace(s.name, &s);
  }
  // Second pass: point every reference at its shape.
  auto resolve = [&](Ref& r) {
    if (r.shape_name.empty()) return;
    r.shape = v.find(r.shape_name);
    if (!r.shape) throw std::out_of_range("the API model has no shape '" + r.shape_name + "'");
  };
  for (Shape& s : v.shapes) {
    for (Member& m : s.members) resolve(m);
    resolve(s.list_member);
    resolve(s.map_key);
    resolve(s.map_value);
  }
  if (auto in = op->find("input"); in != op->end()) v.input = v.find(str(*in, "shape"));
  if (auto out = op->find("output"); out != op->end()) {
    v.output = v.find(str(*out, "shape"));
    v.result_wrapper = str(*out, "resultWrapper");
  }
  return v;
}

const OperationView& view(std::string_view service, std::string_view operation) {
  static std::mutex mu;
  static auto* views = new std::map<std::string, const OperationView*, std::less<>>;  // kept until exit
  std::string key = std::string(service) + "/" + std::string(operation);
  {
    std::lock_guard lock(mu);
    if (auto it = views->find(key); it != views->end()) return *it->second;
  }
  const Json& doc = model::operation(service, operation);  // throws for unknown names
  auto* v = new OperationView(build_view(doc, operation));
  v->service = std::string(service);
  std::lock_guard lock(mu);
  auto [it, inserted] = views->emplace(std::move(key), v);
  if (!inserted) delete v;
  return *it->second;
}

const OperationView& document_view(const Json& doc, std::string_view operation) {
  static std::mutex mu;
  static auto* views = new std::map<std::pair<const Json*, std::string>, const OperationView*>;  // kept until exit
  auto key = std::make_pair(&doc, std::string(operation));
  std::lock_guard lock(mu);
  if (auto it = views->find(key); it != views->end()) return *it->second;
  auto* v = new OperationView(build_view(doc, operation));
  views->emplace(std::move(key), v);
  return *v;
}

}  // namespace ecsctl::model
