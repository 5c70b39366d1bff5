#include "schemas/taskdef_model.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "schemas/model_view.hpp"

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

// ShapeInfo is the view's shape with members and elements looked up in one
// step, as the generic checks walk every member of a task definition.
struct Compiler {
  const model::OperationView& view;
  std::map<std::string, std::unique_ptr<ShapeInfo>, std::less<>> done;

  const ShapeInfo* get(const model::Shape& s) {
    if (auto it = done.find(s.name); it != done.end()) return it->second.get();
    auto info = std::make_unique<ShapeInfo>();
    ShapeInfo* p = info.get();
    done.emplace(s.name, std::move(info));
    p->name = s.name;
    using T = ShapeInfo::Type;
    using M = model::Type;
    switch (s.type) {
      case M::structure: p->type = T::structure; break;
      case M::list: p->type = T::list; break;
      case M::map: p->type = T::map; break;
      case M::integer: p->type = T::integer; break;
      case M::long_: p->type = T::long_; break;
      case M::double_:
      case M::float_: p->type = T::double_; break;
      case M::boolean: p->type = T::boolean; break;
      case M::timestamp: p->type = T::timestamp; break;
      case M::blob: p->type = T::blob; break;
      case M::string: p->type = T::string; break;
    }
    p->min = s.min;
    p->max = s.max;
    p->enums = s.enum_values;
    p->required = s.required;
    if (s.type == M::structure) {
      for (const auto& m : s.members) {
        p->member_names.push_back(m.name);
        p->members[m.name] = get(m.target());
      }
    } else if (s.type == M::list) {
      p->element = get(s.list_member.target());
    } else if (s.type == M::map) {
      p->element = get(s.map_value.target());
    }
    return p;
  }
};

}  // namespace

const ShapeInfo& ecs_shape(std::string_view name) {
  static std::mutex mu;
  static std::unique_ptr<Compiler> compiler;
  std::lock_guard lock(mu);
  if (!compiler) compiler = std::make_unique<Compiler>(Compiler{model::view("ecs", "RegisterTaskDefinition"), {}});
  const model::Shape* s = compiler->view.find(name);
  if (!s) throw std::out_of_range("no shape " + std::string(name));
  return *compiler->get(*s);
}

}  // namespace ecsctl::taskdef
