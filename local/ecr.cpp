// ECR of the local control plane (JSON 1.1): repositories and image manifests.
// CreateRepository, DescribeRepositories, DeleteRepository; PutImage stores a
// manifest (the local way to add an image: no layers are uploaded), and
// DescribeImages and BatchGetImage read them back.
#include <algorithm>
#include <set>

#include "client/sigv4.hpp"
#include "local/account.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_repos = "ecr_repositories";
constexpr const char* k_images = "ecr_images";
constexpr const char* k_prefix = "AmazonEC2ContainerRegistry_V20150921";

const Json& require_repo(AccountContext& ctx, const std::string& name) {
  const Json* r = ctx.store.get(k_repos, name);
  if (!r)
    throw ApiError("RepositoryNotFoundException", "The repository with name '" + name +
                                                      "' does not exist in the registry with id '" + ctx.account + "'");
  return *r;
}

// The engine's images of `repo` (localhost/REPO:TAG), when the engine runtime is on.
std::vector<Json> engine_images_of(AccountContext& ctx, const std::string& repo) {
  std::vector<Json> out;
  if (!ctx.engine_images) return out;
  for (const auto& img : ctx.engine_images(repo)) out.push_back(img);
  return out;
}

// A repository: a stored one, or, with the engine runtime, one the engine has
// local images of (then it exists as far as DescribeImages and BatchGetImage go).
bool repo_exists(AccountContext& ctx, const std::string& name, const std::vector<Json>& engine) {
  return ctx.store.get(k_repos, name) || !engine.empty();
}

[[noreturn]] void repo_not_found(AccountContext& ctx, const std::string& name) {
  throw ApiError("RepositoryNotFoundException",
                 "The repository with name '" + name + "' does not exist in the registry with id '" + ctx.account + "'");
}

std::vector<Json> images_of(AccountContext& ctx, const std::string& repo, const std::vector<Json>* engine = nullptr) {
  std::vector<Json> out;
  const auto& t = ctx.store.table(k_images);
  for (auto it = t.lower_bound(repo + "@"); it != t.end() && it->first.rfind(repo + "@", 0) == 0; ++it)
    out.push_back(it->second);
  if (engine) {
    // A tag pushed to the plane's ECR wins over the engine's image of the same tag.
    std::set<std::string> pushed;
    for (const auto& img : out)
      for (const auto& tag : img.value("imageTags", Json::array())) pushed.insert(tag.get<std::string>());
    for (Json img : *engine) {
      Json tags = Json::array();
      for (const auto& tag : img["imageTags"])
        if (!pushed.count(tag.get<std::string>())) tags.push_back(tag);
      if (tags.empty()) continue;
      img["imageTags"] = tags;
      out.push_back(img);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a.value("imagePushedAt", 0.0) < b.value("imagePushedAt", 0.0);
  });
  return out;
}

std::string id_text(const Json& id) {
  auto part = [&](const char* k) { return id.contains(k) ? id[k].get<std::string>() : std::string("null"); };
  return "{imageDigest:'" + part("imageDigest") + "', imageTag:'" + part("imageTag") + "'}";
}

// The stored image `id` ({imageDigest?, imageTag?}) names in `repo`, or nullopt.
std::optional<Json> find_image(AccountContext& ctx, const std::string& repo, const Json& id,
                               const std::vector<Json>* engine = nullptr) {
  for (auto& img : images_of(ctx, repo, engine)) {
    if (id.contains("imageDigest") && img["imageDigest"] != id["imageDigest"]) continue;
    if (id.contains("imageTag")) {
      const Json tags = img.value("imageTags", Json::array());
      if (std::find(tags.begin(), tags.end(), id["imageTag"]) == tags.end()) continue;
    }
    if (!id.contains("imageDigest") && !id.contains("imageTag")) continue;
    return img;
  }
  return std::nullopt;
}

Json detail(const Json& img) {
  Json out = img;
  out.erase("_");
  if (out.value("imageTags", Json::array()).empty()) out.erase("imageTags");
  return out;
}

Json create_repository(AccountContext& ctx, const Json& in) {
  std::string name = in.value("repositoryName", "");
  if (ctx.store.get(k_repos, name))
    throw ApiError("RepositoryAlreadyExistsException", "The repository with name '" + name +
                                                           "' already exists in the registry with id '" + ctx.account + "'");
  Json repo = {{"repositoryArn", ctx.arn("ecr", "repository/" + name)},
               {"registryId", ctx.account},
               {"repositoryName", name},
               {"repositoryUri", ctx.account + ".dkr.ecr." + ctx.region + ".amazonaws.com/" + name},
               {"createdAt", ctx.now()},
               {"imageTagMutability", in.value("imageTagMutability", "MUTABLE")},
               {"imageScanningConfiguration", in.value("imageScanningConfiguration", Json{{"scanOnPush", false}})},
               {"encryptionConfiguration", in.value("encryptionConfiguration", Json{{"encryptionType", "AES256"}})}};
  ctx.store.put(k_repos, name, repo);
  return {{"repository", repo}};
}

Json describe_repositories(AccountContext& ctx, const Json& in) {
  Json out = {{"repositories", Json::array()}};
  if (in.contains("repositoryNames")) {
    for (const auto& n : in["repositoryNames"]) {
      std::string name = n.get<std::string>();
      if (!ctx.store.get(k_repos, name)) {
        // With the engine runtime, a repository of the engine's localhost/NAME images.
        std::vector<Json> engine = engine_images_of(ctx, name);
        if (!engine.empty()) {
          double created = engine.front().value("imagePushedAt", ctx.now());
          for (const auto& img : engine) created = std::min(created, img.value("imagePushedAt", created));
          out["repositories"].push_back(
              {{"repositoryArn", ctx.arn("ecr", "repository/" + name)},
               {"registryId", ctx.account},
               {"repositoryName", name},
               {"repositoryUri", ctx.account + ".dkr.ecr." + ctx.region + ".amazonaws.com/" + name},
               {"createdAt", created},
               {"imageTagMutability", "MUTABLE"},
               {"imageScanningConfiguration", {{"scanOnPush", false}}},
               {"encryptionConfiguration", {{"encryptionType", "AES256"}}}});
          continue;
        }
      }
      out["repositories"].push_back(require_repo(ctx, name));
    }
    return out;
  }
  for (const auto& [name, r] : ctx.store.table(k_repos)) out["repositories"].push_back(r);
  return out;
}

Json delete_repository(AccountContext& ctx, const Json& in) {
  std::string name = in.value("repositoryName", "");
  Json repo = require_repo(ctx, name);
  auto images = images_of(ctx, name);
  if (!images.empty() && !in.value("force", false))
    throw ApiError("RepositoryNotEmptyException", "The repository with name '" + name + "' in registry with id '" +
                                                      ctx.account + "' cannot be deleted because it still contains images");
  for (const auto& img : images) ctx.store.erase(k_images, name + "@" + img["imageDigest"].get<std::string>());
  ctx.store.erase(k_repos, name);
  return {{"repository", repo}};
}

Json put_image(AccountContext& ctx, const Json& in) {
  std::string repo_name = in.value("repositoryName", "");
  const Json repo = require_repo(ctx, repo_name);
  std::string manifest = in.value("imageManifest", "");
  Json doc = Json::parse(manifest, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw ApiError("InvalidParameterException", "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  std::string digest = "sha256:" + sigv4::sha256_hex(manifest);
  if (in.contains("imageDigest") && in["imageDigest"] != digest)
    throw ApiError("ImageDigestDoesNotMatchException", "Provided digest does not match the digest of the manifest");
  std::string media = in.value("imageManifestMediaType", doc.value("mediaType", "application/vnd.docker.distribution.manifest.v2+json"));
  std::string tag = in.value("imageTag", "");
  std::string key = repo_name + "@" + digest;
  const Json* existing = ctx.store.get(k_images, key);
  if (existing) {
    const Json tags = existing->value("imageTags", Json::array());
    if (tag.empty() || std::find(tags.begin(), tags.end(), Json(tag)) != tags.end())
      throw ApiError("ImageAlreadyExistsException", "Image with digest '" + digest + "'" +
                                                        (tag.empty() ? "" : " and tag '" + tag + "'") +
                                                        " already exists in the repository with name '" + repo_name +
                                                        "' in registry with id '" + ctx.account + "'");
  }
  if (!tag.empty()) {
    for (auto img : images_of(ctx, repo_name)) {
      if (img["imageDigest"] == digest) continue;
      Json tags = img.value("imageTags", Json::array());
      auto it = std::find(tags.begin(), tags.end(), Json(tag));
      if (it == tags.end()) continue;
      if (repo.value("imageTagMutability", "MUTABLE").rfind("IMMUTABLE", 0) == 0)
        throw ApiError("ImageTagAlreadyExistsException", "The image tag '" + tag + "' already exists in the '" + repo_name +
                                                             "' repository and cannot be overwritten because the repository is immutable.");
      tags.erase(it);
      img["imageTags"] = tags;
      ctx.store.put(k_images, repo_name + "@" + img["imageDigest"].get<std::string>(), img);
    }
  }
  long size = 0;
  for (const auto& l : doc.value("layers", Json::array())) size += l.value("size", 0L);
  if (doc.contains("config") && doc["config"].is_object()) size += doc["config"].value("size", 0L);
  Json img = existing ? *existing
                      : Json{{"registryId", ctx.account},
                             {"repositoryName", repo_name},
                             {"imageDigest", digest},
                             {"imageTags", Json::array()},
                             {"imageSizeInBytes", size ? size : static_cast<long>(manifest.size())},
                             {"imagePushedAt", ctx.now()},
                             {"imageManifestMediaType", media},
                             {"_", {{"manifest", manifest}}}};
  if (!tag.empty()) img["imageTags"].push_back(tag);
  ctx.store.put(k_images, key, img);
  Json id = {{"imageDigest", digest}};
  if (!tag.empty()) id["imageTag"] = tag;
  return {{"image",
           {{"registryId", ctx.account}, {"repositoryName", repo_name}, {"imageId", id}, {"imageManifest", manifest},
            {"imageManifestMediaType", media}}}};
}

Json describe_images(AccountContext& ctx, const Json& in) {
  std::string repo = in.value("repositoryName", "");
  const std::vector<Json> engine = engine_images_of(ctx, repo);
  if (!repo_exists(ctx, repo, engine)) repo_not_found(ctx, repo);
  Json out = {{"imageDetails", Json::array()}};
  if (in.contains("imageIds")) {
    for (const auto& id : in["imageIds"]) {
      auto img = find_image(ctx, repo, id, &engine);
      if (!img)
        throw ApiError("ImageNotFoundException", "The image with imageId " + id_text(id) +
                                                     " does not exist within the repository with name '" + repo +
                                                     "' in the registry with id '" + ctx.account + "'");
      out["imageDetails"].push_back(detail(*img));
    }
    return out;
  }
  std::string status = in.value("filter", Json::object()).value("tagStatus", "ANY");
  for (const auto& img : images_of(ctx, repo, &engine)) {
    bool tagged = !img.value("imageTags", Json::array()).empty();
    if ((status == "TAGGED" && !tagged) || (status == "UNTAGGED" && tagged)) continue;
    out["imageDetails"].push_back(detail(img));
  }
  return out;
}

Json batch_get_image(AccountContext& ctx, const Json& in) {
  std::string repo = in.value("repositoryName", "");
  const std::vector<Json> engine = engine_images_of(ctx, repo);
  if (!repo_exists(ctx, repo, engine)) repo_not_found(ctx, repo);
  Json out = {{"images", Json::array()}, {"failures", Json::array()}};
  for (const auto& id : in.value("imageIds", Json::array())) {
    auto img = find_image(ctx, repo, id, &engine);
    if (!img) {
      out["failures"].push_back({{"imageId", id},
                                 {"failureCode", id.contains("imageTag") || id.contains("imageDigest") ? "ImageNotFound" : "MissingDigestAndTag"},
                                 {"failureReason", "Requested image not found"}});
      continue;
    }
    Json image_id = {{"imageDigest", (*img)["imageDigest"]}};
    if (id.contains("imageTag")) image_id["imageTag"] = id["imageTag"];
    out["images"].push_back({{"registryId", ctx.account}, {"repositoryName", repo}, {"imageId", image_id},
                             {"imageManifest", (*img)["_"].value("manifest", "")},
                             {"imageManifestMediaType", (*img)["imageManifestMediaType"]}});
  }
  return out;
}

}  // namespace

void register_ecr(AccountContext& ctx, Router& router) {
  using Fn = Json (*)(AccountContext&, const Json&);
  const std::pair<const char*, Fn> ops[] = {{"CreateRepository", create_repository},
                                            {"DescribeRepositories", describe_repositories},
                                            {"DeleteRepository", delete_repository},
                                            {"PutImage", put_image},
                                            {"DescribeImages", describe_images},
                                            {"BatchGetImage", batch_get_image}};
  for (const auto& [op, fn] : ops)
    router.add_json(k_prefix, op, [&ctx, fn = fn](const Json& in) { return fn(ctx, in); }, "ecr");
}

}  // namespace ecsctl::local
