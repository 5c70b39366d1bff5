#include "schemas/taskdef_model.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "schemas/model.hpp"

namespace ecsctl::taskdef {

const ShapeInfo* ShapeInfo::member(std::string_view n) const {
  auto it = members.find(std::string(n));
  return it == members.end() ? nullptr : it->second;
}

std::string_view type_name(ShapeInfo::Type t) {
  switch (t) {
    case ShapeInfo::Type::structure: return "object";
    case ShapeInfo::Type::list: return "list";
    case ShapeInfo::Type::map: return "map";
    case ShapeInfo::Type::string: return "string";
    case ShapeInfo::Type::integer: return "integer";
    case ShapeInfo::Type::long_: return "integer";
    case ShapeInfo::Type::double_: return "number";
    case ShapeInfo::Type::boolean: return "boolean";
    case ShapeInfo::Type::timestamp: return "timestamp";
    case ShapeInfo::Type::blob: return "blob";
  }
  return "value";
}

namespace {

struct Compiler {
  const Json& shapes;
  std::map<std::string, std::unique_ptr<ShapeInfo>, std::less<>> done;

  const ShapeInfo* get(const std::string& name) {
    if (auto it = done.find(name); it != done.end()) return it->second.get();
    const Json& s = shapes.at(name);
    auto info = std::make_unique<ShapeInfo>();
    ShapeInfo* p = info.get();
    done.emplace(name, std::move(info));
    p->name = name;
    std::string t = s.value("type", "string");
    using T = ShapeInfo::Type;
    p->type = t == "structure" ? T::structure : t == "list" ? T::list : t == "map" ? T::map
            : t == "integer" ? T::integer : t == "long" ? T::long_ : t == "double" || t == "float" ? T::double_
            : t == "boolean" ? T::boolean : t == "timestamp" ? T::timestamp : t == "blob" ? T::blob : T::string;
    if (s.contains("min")) p->min = s["min"].get<double>();
    if (s.contains("max")) p->max = s["max"].get<double>();
    if (s.contains("enum"))
      for (const auto& e : s["enum"]) p->enums.push_back(e.get<std::string>());
    if (s.contains("required"))
      for (const auto& r : s["required"]) p->required.push_back(r.get<std::string>());
    if (p->type == T::structure && s.contains("members")) {
      for (const auto& [mname, m] : s["members"].items()) {
        p->member_names.push_back(mname);
        p->members[mname] = get(m.at("shape").get<std::string>());
      }
    } else if (p->type == T::list) {
      p->element = get(s.at("member").at("shape").get<std::string>());
    } else if (p->type == T::map) {
      p->element = get(s.at("value").at("shape").get<std::string>());
    }
    return p;
  }
};

}  // namespace

const ShapeInfo& ecs_shape(std::string_view name) {
  static std::mutex mu;
  static std::unique_ptr<Compiler> compiler;
  std::lock_guard lock(mu);
  if (!compiler) compiler = std::make_unique<Compiler>(Compiler{model::operation("ecs", "RegisterTaskDefinition").at("shapes"), {}});
  const ShapeInfo* s = compiler->get(std::string(name));
  if (!s) throw std::out_of_range("no shape " + std::string(name));
  return *s;
}

}  // namespace ecsctl::taskdef
