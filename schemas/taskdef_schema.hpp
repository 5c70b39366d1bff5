// The JSON Schema (draft 2020-12) of task-definition files, generated from the
// ECS model's shapes plus the validator's extra bounds and patterns. Committed
// as schemas/task-definition.schema.json (`ecsctl __task-definition-schema`).
#pragma once
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::taskdef {

// An extra numeric bound the validator enforces on `shape`.`member`, with the
// rule that reports a violation.
struct MemberBound {
  std::string_view shape, member;
  long long min, max;
  std::string_view rule;
};
const std::vector<MemberBound>& member_bounds();

// The whole schema document.
Json task_definition_schema();

}  // namespace ecsctl::taskdef
