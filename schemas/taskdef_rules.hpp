// The table of validation rules: stable id, severity, whether the constraint is
// verified against the model/docs, and the generic hint printed with a finding.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "schemas/taskdef.hpp"

namespace ecsctl::taskdef {

struct Rule {
  std::string_view id;
  Severity severity;
  bool verified;          // false: never the only reason validation fails (without --strict)
  std::string_view hint;  // what to do about it
};

// Every rule ecsctl checks, in the order of task-definition-rules.md.
const std::vector<Rule>& rules();
// The rule `id`, or nullptr.
const Rule* find_rule(std::string_view id);

// Whether an environment variable's name says it holds a secret (PASSWORD,
// SECRET, TOKEN, API_KEY, ...): the env-plaintext-secret rule, and what
// --debug masks in request and response bodies.
bool sensitive_name(const std::string& name);

}  // namespace ecsctl::taskdef
