// Protocol dispatch and model-driven input checks (schemas/validate_input.hpp,
// in the service's wording).
#include "local/router.hpp"

#include <algorithm>
#include <cctype>
#include <random>

#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

namespace ecsctl::local {

std::string request_id() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static const char hex[] = "0123456789abcdef";
  std::string out = "xxxxxxxx-xxxx-4xxx-axxx-xxxxxxxxxxxx";
  for (auto& c : out)
    if (c == 'x') c = hex[rng() & 15];
  return out;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else out += s[i];
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> form_params(const HttpRequest& r) {
  std::vector<std::pair<std::string, std::string>> out = r.query;
  std::string_view body = r.body;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view part = body.substr(0, amp);
    size_t eq = part.find('=');
    try {
      out.emplace_back(url_decode(part.substr(0, eq)), eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1)));
    } catch (const std::exception&) {
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

std::string param(const std::vector<std::pair<std::string, std::string>>& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

HttpResponse json_error(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  // The message may quote request bytes that are not UTF-8 (an unknown Action=).
  r.body = Json{{"__type", code}, {"message", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  r.headers.emplace_back("x-amzn-ErrorType", code);
  return r;
}

void Router::add_json(const std::string& prefix, const std::string& op, JsonHandler h, const std::string& model_service) {
  m_json[prefix + "." + op] = JsonOp{std::move(h), model_service, op};
}

void Router::add_query(const std::string& action, const std::string& version, RawHandler h) {
  m_query[version + "|" + action] = std::move(h);
}

void Router::add_rest(const std::string& method, const std::string& prefix, RawHandler h) {
  m_rest.emplace_back(method, prefix, std::move(h));
}

std::string Router::operation_of(const HttpRequest& r) {
  std::string target = r.header("X-Amz-Target");
  if (!target.empty()) return target;
  std::string action = param(form_params(r), "Action");
  if (!action.empty()) return "Action=" + action;
  return r.method + " " + r.path;
}

void validate_input(const std::string& service, const std::string& operation, const Json& input) {
  const model::OperationView* view = nullptr;
  try {
    view = &model::view(service, operation);
  } catch (const std::out_of_range&) {
    return;  // an operation the model lacks: its handler checks what it reads
  }
  if (!view->input) return;
  if (auto r = model::service_rejection(model::check(*view->input, input, model::service_checks()), service))
    throw ApiError(r->code, r->message);
}

HttpResponse Router::transact(const RawHandler& handler, const HttpRequest& r) {
  HttpResponse out;
  long batch = 0;
  {
    std::lock_guard lock(m_mutex);
    try {
      out = handler(r);
      if (out.status < 300) batch = m_stage ? m_stage() : 0;
      else if (m_rollback) m_rollback();
    } catch (...) {
      if (m_rollback) m_rollback();
      throw;
    }
  }
  // Outside the lock: other requests proceed while this one's batch is written.
  if (out.status < 300 && m_flush) m_flush(batch);
  return out;
}

std::string Router::unknown_target(const std::string& target) const {
  std::string shown = target.substr(0, 200);
  std::string prefix = shown.substr(0, shown.find('.'));
  std::string op = shown.find('.') == std::string::npos ? "" : shown.substr(shown.find('.') + 1);
  std::string served;  // the target prefixes this plane serves
  for (const auto& [key, j] : m_json) {
    std::string p = key.substr(0, key.find('.'));
    if (served.find(p) == std::string::npos) served += (served.empty() ? "" : ", ") + p;
  }
  auto known = m_json.lower_bound(prefix + ".");
  if (!op.empty() && known != m_json.end() && known->first.compare(0, prefix.size() + 1, prefix + ".") == 0)
    return "ecsctl-local does not implement the operation " + op + " of " + prefix +
           " (the local control plane serves only the operations listed in its README)";
  return "ecsctl-local does not serve X-Amz-Target '" + shown + "' (the JSON APIs it serves: " + served + ")";
}

HttpResponse Router::dispatch(const HttpRequest& r) {
  try {
    std::string target = r.header("X-Amz-Target");
    if (!target.empty()) {
      auto it = m_json.find(target);
      if (it == m_json.end()) return json_error(400, "UnknownOperationException", unknown_target(target));
      Json input = r.body.empty() ? Json::object() : Json::parse(r.body, nullptr, false);
      if (input.is_discarded() || !input.is_object())
        return json_error(400, "SerializationException", "Start of structure or map found where not expected.");
      if (!it->second.model_service.empty()) validate_input(it->second.model_service, it->second.operation, input);
      const JsonHandler& handler = it->second.handler;
      return transact([&](const HttpRequest&) {
        HttpResponse out;
        out.body = handler(input).dump();
        return out;
      }, r);
    }
    auto params = form_params(r);
    std::string action = param(params, "Action");
    if (!action.empty()) {
      auto it = m_query.find(param(params, "Version") + "|" + action);
      if (it == m_query.end()) it = m_query.find("|" + action);
      if (it == m_query.end()) return json_error(400, "InvalidAction", "Could not find operation " + action);
      return transact(it->second, r);
    }
    for (const auto& [method, prefix, handler] : m_rest) {
      if (method == r.method && r.path.rfind(prefix, 0) == 0) {
        return transact(handler, r);
      }
    }
    return json_error(404, "UnknownOperationException",
                      "ecsctl-local does not implement " + r.method + " " + r.path.substr(0, 200) +
                          " (no service of the local control plane has this operation)");
  } catch (const ApiError& e) {
    return json_error(e.status, e.code, e.what());
  } catch (const std::exception& e) {
    return json_error(500, "ServerException", std::string("Internal error: ") + e.what());
  }
}

}  // namespace ecsctl::local
