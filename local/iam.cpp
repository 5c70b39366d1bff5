// IAM of the local control plane (Query protocol): CreateRole, GetRole and
// DeleteRole, with the role's trust policy (AssumeRolePolicyDocument). IAM is
// global: the plane keeps one set of roles whatever region a request is signed
// for (server.cpp accepts IAM requests signed for us-east-1, as IAM's global
// endpoint is, or for the plane's own region).
#include <cctype>
#include <cstdio>

#include "local/account.hpp"
#include "local/elbv2_query.hpp"
#include "schemas/model.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_table = "iam_roles";

// The policy document as IAM returns it: URL-encoded (RFC 3986).
std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Json role_view(const Json& stored) {
  Json out = stored;
  out["AssumeRolePolicyDocument"] = url_encode(stored.value("AssumeRolePolicyDocument", ""));
  return out;
}

[[noreturn]] void no_such_role(const std::string& name) {
  throw ApiError("NoSuchEntity", "The role with name " + name + " cannot be found.", 404);
}

Json create_role(AccountContext& ctx, const Json& in) {
  std::string name = in.value("RoleName", "");
  std::string path = in.value("Path", "/");
  if (path.empty() || path.front() != '/' || path.back() != '/')
    throw ApiError("ValidationError", "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.");
  std::string doc = in.value("AssumeRolePolicyDocument", "");
  Json parsed = Json::parse(doc, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) throw ApiError("MalformedPolicyDocument", "This policy contains invalid Json");
  if (!parsed.contains("Statement"))
    throw ApiError("MalformedPolicyDocument", "Syntax errors in policy.");
  for (const auto& [key, role] : ctx.store.table(k_table)) {
    std::string a = key, b = name;
    for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (a == b) throw ApiError("EntityAlreadyExists", "Role with name " + name + " already exists.", 409);
  }
  Json role = {{"Path", path},
               {"RoleName", name},
               {"RoleId", "AROA" + ctx.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)},
               {"Arn", ctx.arn("iam", "role" + path + name, false)},
               {"CreateDate", ctx.now()},
               {"AssumeRolePolicyDocument", doc},
               {"MaxSessionDuration", in.value("MaxSessionDuration", 3600L)}};
  if (in.contains("Description")) role["Description"] = in["Description"];
  if (in.contains("Tags")) role["Tags"] = in["Tags"];
  ctx.store.put(k_table, name, role);
  return {{"Role", role_view(role)}};
}

Json get_role(AccountContext& ctx, const Json& in) {
  std::string name = in.value("RoleName", "");
  const Json* r = ctx.store.get(k_table, name);
  if (!r) no_such_role(name);
  return {{"Role", role_view(*r)}};
}

Json delete_role(AccountContext& ctx, const Json& in) {
  std::string name = in.value("RoleName", "");
  if (!ctx.store.get(k_table, name)) no_such_role(name);
  ctx.store.erase(k_table, name);
  return Json::object();
}

}  // namespace

void register_iam(AccountContext& ctx, Router& router) {
  const Json& model = model::service("iam");
  std::string version = model["metadata"]["apiVersion"];
  using Fn = Json (*)(AccountContext&, const Json&);
  const std::pair<const char*, Fn> ops[] = {{"CreateRole", create_role}, {"GetRole", get_role}, {"DeleteRole", delete_role}};
  for (const auto& [op, fn] : ops) {
    std::string operation = op;
    router.add_query(operation, version, [&ctx, &model, operation, fn = fn](const HttpRequest& r) {
      HttpResponse out;
      out.content_type = "text/xml";
      std::string request_id = ctx.uuid();
      try {
        Json input = query::decode_input(model, operation, query::parse_form(r.body, r.query));
        out.body = query::encode_response(model, operation, fn(ctx, input), request_id);
      } catch (const ApiError& e) {
        out.status = e.status;
        out.body = query::encode_error(model, e.code, e.what(), request_id, e.status < 500);
      }
      return out;
    });
  }
}

}  // namespace ecsctl::local
