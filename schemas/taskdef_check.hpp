// Internal to the validator: the state every rule group reads (derived facts of
// task-definition-rules.md 0.2) and typed, tolerant accessors. Wrong types are
// reported by the generic model check; rules just skip what they can't read.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/taskdef.hpp"

namespace ecsctl::taskdef {

struct Checker {
  Checker(const Json& def, const ValidateOptions& o, std::vector<Finding>& findings)
      : td(def), opts(o), out(findings) {}
  const Json& td;
  const ValidateOptions& opts;
  std::vector<Finding>& out;

  bool fg = false;       // Fargate
  bool ec2like = false;  // EC2, EXTERNAL, MANAGED_INSTANCES or nothing
  bool managed = false;  // MANAGED_INSTANCES listed
  bool external = false; // EXTERNAL listed
  bool windows = false;
  std::string nm;        // effective network mode
  std::optional<long long> task_cpu, task_mem;
  std::vector<std::pair<const Json*, std::string>> containers;  // object + path
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::string> redact;  // secret values never to be printed

  // Adds a finding of `rule` at `path` (once per rule and path), with the
  // rule's hint or, when given, `hint`.
  void add(std::string_view rule, const std::string& path, std::string message, std::string hint = {});
};

// v.dump().size(), computed without building the string (taskdef-size).
std::size_t serialized_size(const Json& v);

// Accessors returning nullopt/nullptr when absent or of another type.
const Json* member(const Json& obj, std::string_view key);
const Json* list_at(const Json& obj, std::string_view key);
const Json* object_at(const Json& obj, std::string_view key);
std::optional<std::string> string_at(const Json& obj, std::string_view key);
std::optional<long long> int_at(const Json& obj, std::string_view key);
std::optional<bool> bool_at(const Json& obj, std::string_view key);
// "Set" in the sense of rules 0.3: true, a non-empty string/list/map, any number.
bool is_set(const Json* v);
bool is_set(const Json& obj, std::string_view key);
// Whether `c` (a container object) is essential (absent = true).
bool essential(const Json& c);
std::string container_label(const Json& c, std::size_t index);

void check_model(Checker& k);          // types, unknown members, enums, required, bounds
void check_task_size(Checker& k);      // sections 1 and 2
void check_network(Checker& k);        // section 3
void check_names(Checker& k);          // section 4
void check_containers(Checker& k);     // sections 5.1 to 5.5
void check_linux(Checker& k);          // sections 5.6 and 5.7
void check_task_members(Checker& k);   // sections 6 and 7

}  // namespace ecsctl::taskdef
