// Shared by fuzz_xml_response and fuzz_json_response: a response body parsed
// for one operation of the services that speak the target's protocols.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "output/render.hpp"
#include "client/protocols.hpp"
#include "schemas/model.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace ecsctl::fuzz {

struct Op {
  const Json* model;
  std::string name;
};

inline std::vector<Op> operations_of(const std::vector<std::string>& protocols) {
  std::vector<Op> ops;
  for (const auto& s : model::service_names()) {
    const Json& m = model::service(s);
    std::string p = m["metadata"].value("protocol", std::string("json"));
    bool wanted = false;
    for (const auto& q : protocols) wanted = wanted || p == q;
    if (!wanted) continue;
    for (const auto& [name, op] : m["operations"].items()) ops.push_back({&m, name});
  }
  return ops;
}

// Input: a first line "OPERATION [STATUS]" (an operation of one of the services
// in `ops`; anything else picks one by a hash of the line), then the body.
// STATUS >= 300 parses the body as an error response.
inline int run_response(const std::vector<Op>& ops, const std::uint8_t* data, std::size_t size) {
  if (ops.empty()) return 0;
  auto [head, body] = split_once(as_text(data, size), '\n');
  auto [name, status_text] = split_once(head, ' ');
  const Op* op = nullptr;
  for (const auto& o : ops)
    if (o.name == name) op = &o;
  if (!op) op = &ops[std::hash<std::string_view>{}(head) % ops.size()];
  client::HttpResponse resp;
  resp.status = 200;
  if (!status_text.empty() && status_text.size() <= 3 && status_text.find_first_not_of("0123456789") == std::string_view::npos)
    resp.status = std::stoi(std::string(status_text));
  resp.headers = {{"x-amzn-RequestId", "fuzz-request"}, {"Content-Type", "application/octet-stream"}};
  resp.body = std::string(body);
  if (resp.status >= 300) {
    client::ErrorInfo e = client::parse_error(*op->model, resp);
    (void)ServiceError(e.code, e.message, op->name, e.status, e.request_id).what();
    return 0;
  }
  try {
    Json out = client::parse_output(*op->model, op->name, resp);
    (void)render_json(out);
    (void)render_text(out);
    (void)render_table(out, op->name);
  } catch (const ecsctl::Error&) {
  }
  return 0;
}

}  // namespace ecsctl::fuzz
