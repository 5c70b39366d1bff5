// The engine's images as ECR images (local/engine_images.hpp).
#include "local/engine_images.hpp"

#include <cctype>

#include "client/sigv4.hpp"

namespace ecsctl::local {

std::string local_name_of_ecr_image(const std::string& image) {
  size_t slash = image.find('/');
  if (slash == std::string::npos || slash < 13) return {};
  std::string host = image.substr(0, slash), rest = image.substr(slash + 1);
  for (size_t i = 0; i < 12; ++i)
    if (!std::isdigit(static_cast<unsigned char>(host[i]))) return {};
  if (host.compare(12, 9, ".dkr.ecr.") != 0) return {};
  if (!(host.size() > 14 && (host.compare(host.size() - 14, 14, ".amazonaws.com") == 0 ||
                             (host.size() > 17 && host.compare(host.size() - 17, 17, ".amazonaws.com.cn") == 0))))
    return {};
  if (rest.empty()) return {};
  size_t last_slash = rest.rfind('/');
  bool tagged = rest.find('@') != std::string::npos ||
                rest.find(':', last_slash == std::string::npos ? 0 : last_slash) != std::string::npos;
  return "localhost/" + rest + (tagged ? "" : ":latest");
}

Json engine_ecr_images(const EngineApi& api, const std::string& repo, const std::string& registry_id) {
  Json out = Json::array();
  if (repo.empty()) return out;
  std::string prefix = "localhost/" + repo + ":";
  Json filters = {{"reference", Json::array({"localhost/" + repo})}};
  EngineReply list = api.call("GET", "/images/json?filters=" + url_encode(filters.dump()), Json(), 5);
  if (!list.ok() || !list.body.is_array()) return out;
  for (const auto& img : list.body) {
    Json tags = Json::array();
    for (const auto& t : img.value("RepoTags", Json::array()))
      if (t.is_string() && t.get<std::string>().rfind(prefix, 0) == 0) tags.push_back(t.get<std::string>().substr(prefix.size()));
    if (tags.empty()) continue;  // the filter matched another name
    std::string id = img.value("Id", "");
    if (id.rfind("sha256:", 0) != 0) id = "sha256:" + id;
    // A manifest for the image: its config is the image id; its layers are the engine's.
    Json layers = Json::array();
    EngineReply in = api.call("GET", "/images/" + url_encode(img.value("Id", "")) + "/json", Json(), 5);
    if (in.ok() && in.body.is_object())
      for (const auto& l : in.body.value("RootFS", Json::object()).value("Layers", Json::array()))
        layers.push_back({{"mediaType", "application/vnd.docker.image.rootfs.diff.tar"}, {"size", 0}, {"digest", l}});
    long size = img.value("Size", 0L);
    Json manifest = {{"schemaVersion", 2},
                     {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                     {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"}, {"size", 0}, {"digest", id}}},
                     {"layers", layers}};
    std::string text = manifest.dump();
    out.push_back({{"registryId", registry_id},
                   {"repositoryName", repo},
                   {"imageDigest", "sha256:" + sigv4::sha256_hex(text)},
                   {"imageTags", tags},
                   {"imageSizeInBytes", size},
                   {"imagePushedAt", static_cast<double>(img.value("Created", 0L))},
                   {"imageManifestMediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                   {"_", {{"manifest", text}, {"engine", true}}}});
  }
  return out;
}

}  // namespace ecsctl::local
