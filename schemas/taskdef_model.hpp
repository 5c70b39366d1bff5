// The ECS API model's shapes (from the model view, schemas/model_view.hpp),
// compiled once into a fast lookup form for the generic checks of task
// definitions (types, unknown members, enums, required members, bounds).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ecsctl::taskdef {

struct ShapeInfo {
  enum class Type { structure, list, map, string, integer, long_, double_, boolean, timestamp, blob };
  std::string name;
  Type type = Type::string;
  std::vector<std::string> member_names;  // model order
  std::unordered_map<std::string, const ShapeInfo*> members;
  std::vector<std::string> required;
  std::vector<std::string> enums;
  const ShapeInfo* element = nullptr;  // list member / map value
  std::optional<double> min, max;

  const ShapeInfo* member(std::string_view n) const;
};

// The compiled shape `name` of the ECS model (e.g. "RegisterTaskDefinitionRequest").
const ShapeInfo& ecs_shape(std::string_view name);

// "string", "integer", "list", ... as written in messages.
std::string_view type_name(ShapeInfo::Type t);

}  // namespace ecsctl::taskdef
