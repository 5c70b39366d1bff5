// The ECS API model's shapes for the generic checks of task definitions
// (types, unknown members, enums, required members, bounds): the shapes of
// the model view (schemas/model_view.hpp) of RegisterTaskDefinition, used as
// they are, with the few lookups the checks need.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "schemas/model_view.hpp"

namespace ecsctl::taskdef {

// The shape `name` of the ECS model (e.g. "RegisterTaskDefinitionRequest"),
// as RegisterTaskDefinition reaches it. Throws std::out_of_range.
const model::Shape& ecs_shape(std::string_view name);

// The shape of member `name` of a structure, or nullptr.
const model::Shape* member_shape(const model::Shape& s, std::string_view name);
// The element of a list, or the value of a map.
const model::Shape& element_shape(const model::Shape& s);
// A structure's member names, in model order.
std::vector<std::string> member_names(const model::Shape& s);

// "string", "integer", "list", ... as written in messages.
std::string_view type_name(model::Type t);

}  // namespace ecsctl::taskdef
