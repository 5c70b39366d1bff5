// Secrets Manager of the local control plane (JSON 1.1): CreateSecret,
// GetSecretValue, DescribeSecret, DeleteSecret, ListSecrets. A secret's values
// are kept in the store, never in the log or in an error message.
#include <algorithm>

#include "local/account.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_table = "secretsmanager_secrets";
constexpr const char* k_prefix = "secretsmanager";

[[noreturn]] void not_found() {
  throw ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}

// The stored secret `id` names: its name, full ARN or partial ARN (without
// the random suffix); nullptr when none.
const Json* find(AccountContext& ctx, const std::string& id) {
  if (const Json* s = ctx.store.get(k_table, id)) return s;
  for (const auto& [name, s] : ctx.store.table(k_table)) {
    std::string arn = s.value("ARN", "");
    if (arn == id || (arn.size() > 7 && arn.substr(0, arn.size() - 7) == id)) return &s;
  }
  return nullptr;
}

Json describe(const Json& s) {
  Json out = s;
  out.erase("_");
  Json stages = Json::object();
  for (const auto& [vid, v] : s["_"]["versions"].items()) stages[vid] = v.value("stages", Json::array());
  out["VersionIdsToStages"] = stages;
  return out;
}

void require_live(const Json& s) {
  if (s.contains("DeletedDate"))
    throw ApiError("InvalidRequestException",
                   "You can't perform this operation on the secret because it was marked for deletion.");
}

Json create_secret(AccountContext& ctx, const Json& in) {
  std::string name = in.value("Name", "");
  if (find(ctx, name)) throw ApiError("ResourceExistsException", "The operation failed because the secret " + name + " already exists.");
  if (in.contains("SecretString") && in.contains("SecretBinary"))
    throw ApiError("InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.");
  double now = ctx.now();
  std::string version = in.value("ClientRequestToken", ctx.uuid());
  Json s = {{"ARN", ctx.arn("secretsmanager", "secret:" + name + "-" + ctx.chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 6))},
            {"Name", name},
            {"CreatedDate", now},
            {"LastChangedDate", now},
            {"_", {{"versions", Json::object()}}}};
  for (const char* k : {"Description", "KmsKeyId", "Tags"})
    if (in.contains(k)) s[k] = in[k];
  Json out = {{"ARN", s["ARN"]}, {"Name", name}};
  if (in.contains("SecretString") || in.contains("SecretBinary")) {
    Json v = {{"CreatedDate", now}, {"stages", {"AWSCURRENT"}}};
    if (in.contains("SecretString")) v["SecretString"] = in["SecretString"];
    if (in.contains("SecretBinary")) v["SecretBinary"] = in["SecretBinary"];
    s["_"]["versions"][version] = v;
    out["VersionId"] = version;
  }
  ctx.store.put(k_table, name, s);
  return out;
}

Json get_secret_value(AccountContext& ctx, const Json& in) {
  const Json* s = find(ctx, in.value("SecretId", ""));
  if (!s) not_found();
  require_live(*s);
  std::string want_version = in.value("VersionId", ""), want_stage = in.value("VersionStage", "");
  if (want_version.empty() && want_stage.empty()) want_stage = "AWSCURRENT";
  for (const auto& [vid, v] : (*s)["_"]["versions"].items()) {
    const Json stages = v.value("stages", Json::array());
    bool stage_ok = want_stage.empty() || std::find(stages.begin(), stages.end(), Json(want_stage)) != stages.end();
    if ((!want_version.empty() && vid != want_version) || !stage_ok) continue;
    Json out = {{"ARN", (*s)["ARN"]}, {"Name", (*s)["Name"]}, {"VersionId", vid}, {"VersionStages", stages},
                {"CreatedDate", v["CreatedDate"]}};
    for (const char* k : {"SecretString", "SecretBinary"})
      if (v.contains(k)) out[k] = v[k];
    return out;
  }
  throw ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for " +
                                                  std::string(want_version.empty() ? "staging label: " + want_stage
                                                                                   : "VersionId: " + want_version));
}

Json describe_secret(AccountContext& ctx, const Json& in) {
  const Json* s = find(ctx, in.value("SecretId", ""));
  if (!s) not_found();
  return describe(*s);
}

Json delete_secret(AccountContext& ctx, const Json& in) {
  const Json* found = find(ctx, in.value("SecretId", ""));
  if (!found) not_found();
  bool force = in.value("ForceDeleteWithoutRecovery", false);
  if (force && in.contains("RecoveryWindowInDays"))
    throw ApiError("InvalidParameterException",
                   "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  long days = in.value("RecoveryWindowInDays", 30L);
  if (days < 7 || days > 30)
    throw ApiError("InvalidParameterException",
                   "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  Json s = *found;
  std::string name = s["Name"];
  double now = ctx.now();
  Json out = {{"ARN", s["ARN"]}, {"Name", name}};
  if (force) {
    ctx.store.erase(k_table, name);
    out["DeletionDate"] = now;
    return out;
  }
  if (!s.contains("DeletedDate")) s["DeletedDate"] = now;
  out["DeletionDate"] = s["DeletedDate"].get<double>() + static_cast<double>(days) * 86400.0;
  ctx.store.put(k_table, name, s);
  return out;
}

Json list_secrets(AccountContext& ctx, const Json& in) {
  bool deleted = in.value("IncludePlannedDeletion", false);
  std::vector<Json> all;
  for (const auto& [name, s] : ctx.store.table(k_table)) {
    if (s.contains("DeletedDate") && !deleted) continue;
    Json e = describe(s);
    e["SecretVersionsToStages"] = e["VersionIdsToStages"];
    e.erase("VersionIdsToStages");
    all.push_back(std::move(e));
  }
  long max = in.value("MaxResults", 100L);
  size_t start = 0;
  if (in.contains("NextToken")) {
    std::string t = in.value("NextToken", "");
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9)
      throw ApiError("InvalidNextTokenException", "The NextToken value is invalid.");
    start = std::stoul(t);
  }
  Json out = {{"SecretList", Json::array()}};
  size_t i = start;
  for (; i < all.size() && static_cast<long>(out["SecretList"].size()) < max; ++i) out["SecretList"].push_back(all[i]);
  if (i < all.size()) out["NextToken"] = std::to_string(i);
  return out;
}

}  // namespace

void register_secrets_manager(AccountContext& ctx, Router& router) {
  using Fn = Json (*)(AccountContext&, const Json&);
  const std::pair<const char*, Fn> ops[] = {{"CreateSecret", create_secret},     {"GetSecretValue", get_secret_value},
                                            {"DescribeSecret", describe_secret}, {"DeleteSecret", delete_secret},
                                            {"ListSecrets", list_secrets}};
  for (const auto& [op, fn] : ops)
    router.add_json(k_prefix, op, [&ctx, fn = fn](const Json& in) { return fn(ctx, in); }, "secretsmanager");
}

std::optional<std::string> resolve_secret_value(AccountContext& ctx, const std::string& value_from) {
  // Secrets Manager: arn:aws:secretsmanager:R:A:secret:NAME-xxxxxx[:json-key:version-stage:version-id]
  if (value_from.rfind("arn:aws:secretsmanager:", 0) == 0) {
    // The secret's ARN is the first seven colon-separated fields.
    size_t pos = 0;
    for (int i = 0; i < 7 && pos != std::string::npos; ++i) pos = value_from.find(':', pos + 1);
    std::string arn = value_from.substr(0, pos);
    std::string rest = pos == std::string::npos ? "" : value_from.substr(pos + 1);
    const Json* s = find(ctx, arn);
    if (!s || s->contains("DeletedDate")) return std::nullopt;
    // json-key:version-stage:version-id, each part optional (default: the whole
    // SecretString of the version staged AWSCURRENT).
    std::string parts[3];
    for (size_t i = 0, from = 0; i < 3 && from <= rest.size(); ++i) {
      size_t colon = rest.find(':', from);
      parts[i] = rest.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
      if (colon == std::string::npos) break;
      from = colon + 1;
    }
    const std::string& key = parts[0];
    std::string stage = parts[1].empty() ? "AWSCURRENT" : parts[1];
    for (const auto& [vid, v] : (*s)["_"]["versions"].items()) {
      const Json stages = v.value("stages", Json::array());
      if (!parts[2].empty() ? vid != parts[2] : std::find(stages.begin(), stages.end(), Json(stage)) == stages.end()) continue;
      std::string text = v.value("SecretString", "");
      if (key.empty()) return text;
      Json doc = Json::parse(text, nullptr, false);
      if (!doc.is_object() || !doc.contains(key)) return std::nullopt;
      return doc[key].is_string() ? doc[key].get<std::string>() : doc[key].dump();
    }
    return std::nullopt;
  }
  // SSM: a parameter name or arn:aws:ssm:R:A:parameter/NAME.
  std::string name = value_from;
  if (auto p = name.find(":parameter"); name.rfind("arn:", 0) == 0 && p != std::string::npos) {
    name = name.substr(p + 10);
    if (name.size() > 1 && name[0] == '/' && name.find('/', 1) == std::string::npos) name = name.substr(1);
  }
  if (const Json* p = ctx.store.get("ssm_parameters", name)) return (*p)["_"].value("value", "");
  return std::nullopt;
}

}  // namespace ecsctl::local
