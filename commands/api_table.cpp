// The operation and flag tables, built from the API models on first use.
#include <algorithm>
#include <map>
#include <mutex>

#include "commands/api.hpp"
#include "schemas/model.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::commands::api {
namespace {

// kebab-case command -> model operation name, per service, built once.
const std::map<std::string, std::string, std::less<>>& command_map(const std::string& service) {
  static std::mutex mu;
  static std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(service);
  if (it != cache.end()) return it->second;
  std::map<std::string, std::string, std::less<>> table;
  for (const auto& name : model::operation_names(service)) table.emplace(model::kebab_case(name), name);
  return cache.emplace(service, std::move(table)).first->second;
}

void add_paging_args(Operation& op, const Json& pag) {
  std::vector<std::string> tokens;
  const Json& in = pag.at("input_token");
  if (in.is_array()) {
    for (auto& t : in) tokens.push_back(t.get<std::string>());
  } else {
    tokens.push_back(in.get<std::string>());
  }
  if (pag.contains("limit_key")) tokens.push_back(pag["limit_key"].get<std::string>());
  for (auto& a : op.args)
    if (std::find(tokens.begin(), tokens.end(), a.member) != tokens.end()) a.undocumented = true;
  std::string limit_type = "integer";
  if (pag.contains("limit_key")) {
    for (auto& a : op.args)
      if (a.member == pag["limit_key"].get<std::string>()) limit_type = a.type;
  }
  op.args.push_back({"--starting-token", "", "", "string"});
  if (pag.contains("limit_key")) op.args.push_back({"--page-size", "", "", limit_type});
  op.args.push_back({"--max-items", "", "", limit_type});
}

}  // namespace

std::optional<std::string> service_for_group(std::string_view group) {
  if (group.empty()) return std::string("ecs");
  if (group == "elbv2" || group == "events" || group == "scheduler" || group == "logs") return std::string(group);
  return std::nullopt;
}

std::vector<std::string> operation_names(std::string_view service) {
  std::vector<std::string> names;
  for (auto& [k, _] : command_map(std::string(service))) names.push_back(k);
  return names;
}

std::optional<Operation> find_operation(std::string_view service, std::string_view command) {
  const auto& table = command_map(std::string(service));
  auto it = table.find(command);
  if (it == table.end()) return std::nullopt;
  const model::OperationView& view = model::view(service, it->second);
  const Json& model = *view.model;
  Operation op;
  op.service = std::string(service);
  op.name = it->second;
  op.command = it->first;
  op.model = &model;
  if (view.input) op.input_shape = view.input->name;
  if (view.output) op.output_shape = view.output->name;
  if (view.input) {
    for (const model::Member& m : view.input->members) {
      ArgSpec a;
      a.member = m.name;
      a.shape = m.shape_name;
      a.type = m.target().type_name;
      a.cli_name = "--" + model::kebab_case(m.name);
      a.required = m.required;
      op.args.push_back(a);
      if (a.type == "boolean") {
        // The AWS CLI renames ECS's --no-enable-execute-command (argrename.py).
        std::string neg = "--no-" + a.cli_name.substr(2);
        if (service == "ecs" && neg == "--no-enable-execute-command") neg = "--disable-execute-command";
        ArgSpec n = a;
        n.cli_name = neg;
        n.negative = true;
        op.args.push_back(n);
      }
    }
  }
  auto pags = model.find("paginators");
  if (pags != model.end() && pags->contains(op.name)) {
    op.paginator = &(*pags)[op.name];
    add_paging_args(op, *op.paginator);
  }
  return op;
}

}  // namespace ecsctl::commands::api
