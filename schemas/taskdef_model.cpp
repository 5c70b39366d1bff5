#include "schemas/taskdef_model.hpp"

#include <stdexcept>

namespace ecsctl::taskdef {

const model::Shape& ecs_shape(std::string_view name) {
  return model::view("ecs", "RegisterTaskDefinition").shape(name);
}

const model::Shape* member_shape(const model::Shape& s, std::string_view name) {
  const model::Member* m = s.member(name);
  return m ? &m->target() : nullptr;
}

const model::Shape& element_shape(const model::Shape& s) {
  return s.type == model::Type::map ? s.map_value.target() : s.list_member.target();
}

std::vector<std::string> member_names(const model::Shape& s) {
  std::vector<std::string> names;
  names.reserve(s.members.size());
  for (const auto& m : s.members) names.push_back(m.name);
  return names;
}

std::string_view type_name(model::Type t) {
  switch (t) {
    case model::Type::structure: return "object";
    case model::Type::list: return "list";
    case model::Type::map: return "map";
    case model::Type::string: return "string";
    case model::Type::integer:
    case model::Type::long_: return "integer";
    case model::Type::double_:
    case model::Type::float_: return "number";
    case model::Type::boolean: return "boolean";
    case model::Type::timestamp: return "timestamp";
    case model::Type::blob: return "blob";
  }
  return "value";
}

}  // namespace ecsctl::taskdef
