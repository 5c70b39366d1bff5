// SSM Parameter Store of the local control plane (JSON 1.1): PutParameter,
// GetParameter, GetParameters, DeleteParameter. Values (SecureString ones
// included) are kept in the store apart from the public fields; a SecureString
// read without WithDecryption returns an opaque stand-in for the ciphertext.
#include "core/base64.hpp"
#include "local/account.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_table = "ssm_parameters";


std::string parameter_arn(AccountContext& ctx, const std::string& name) {
  return ctx.arn("ssm", "parameter" + std::string(name.rfind('/', 0) == 0 ? "" : "/") + name);
}

// A parameter is named by its name or ARN.
std::string name_of(const std::string& ref) {
  auto p = ref.find(":parameter");
  if (ref.rfind("arn:", 0) != 0 || p == std::string::npos) return ref;
  std::string name = ref.substr(p + 10);
  if (name.size() > 1 && name[0] == '/' && name.find('/', 1) == std::string::npos) name = name.substr(1);
  return name;
}

Json view(const Json& stored, bool decrypt) {
  Json out = stored;
  out.erase("_");
  out.erase("Description");
  std::string value = stored["_"].value("value", "");
  if (stored.value("Type", "") == "SecureString" && !decrypt)
    value = base64_encode("ecsctl-local:kms:" + stored.value("ARN", "") + ":" + std::to_string(stored.value("Version", 0L)));
  out["Value"] = value;
  return out;
}

Json put_parameter(AccountContext& ctx, const Json& in) {
  std::string name = in.value("Name", "");
  const Json* old = ctx.store.get(k_table, name);
  if (old && !in.value("Overwrite", false))
    throw ApiError("ParameterAlreadyExists",
                   "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  if (!old && !in.contains("Type"))
    throw ApiError("ValidationException", "A parameter type is required when you create a parameter.");
  std::string type = in.value("Type", old ? old->value("Type", "String") : "String");
  long version = old ? old->value("Version", 0L) + 1 : 1;
  Json p = {{"Name", name},
            {"Type", type},
            {"Version", version},
            {"LastModifiedDate", ctx.now()},
            {"ARN", parameter_arn(ctx, name)},
            {"DataType", in.value("DataType", "text")},
            {"_", {{"value", in.value("Value", "")}}}};
  if (in.contains("Description")) p["Description"] = in["Description"];
  else if (old && old->contains("Description")) p["Description"] = (*old)["Description"];
  ctx.store.put(k_table, name, p);
  return {{"Version", version}, {"Tier", in.value("Tier", "Standard")}};
}

Json get_parameter(AccountContext& ctx, const Json& in) {
  const Json* p = ctx.store.get(k_table, name_of(in.value("Name", "")));
  if (!p) throw ApiError("ParameterNotFound", "");
  return {{"Parameter", view(*p, in.value("WithDecryption", false))}};
}

Json get_parameters(AccountContext& ctx, const Json& in) {
  Json out = {{"Parameters", Json::array()}, {"InvalidParameters", Json::array()}};
  for (const auto& n : in.value("Names", Json::array())) {
    std::string ref = n.get<std::string>();
    if (const Json* p = ctx.store.get(k_table, name_of(ref)))
      out["Parameters"].push_back(view(*p, in.value("WithDecryption", false)));
    else
      out["InvalidParameters"].push_back(ref);
  }
  return out;
}

Json delete_parameter(AccountContext& ctx, const Json& in) {
  std::string name = name_of(in.value("Name", ""));
  if (!ctx.store.get(k_table, name)) throw ApiError("ParameterNotFound", "");
  ctx.store.erase(k_table, name);
  return Json::object();
}

}  // namespace

void register_ssm(AccountContext& ctx, Router& router) {
  using Fn = Json (*)(AccountContext&, const Json&);
  const std::pair<const char*, Fn> ops[] = {{"PutParameter", put_parameter},
                                            {"GetParameter", get_parameter},
                                            {"GetParameters", get_parameters},
                                            {"DeleteParameter", delete_parameter}};
  for (const auto& [op, fn] : ops)
    router.add_json("AmazonSSM", op, [&ctx, fn = fn](const Json& in) { return fn(ctx, in); }, "ssm");
}

}  // namespace ecsctl::local
