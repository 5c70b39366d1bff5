// The engine's own images as the local plane's ECR sees them (issue 18): an
// image the engine has under `localhost/REPO:TAG` is the image
// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` of repository REPO, so an
// image built or imported locally needs no push to be "in ECR" for `ecsctl
// verify`, and a task naming the ECR URI runs the local image.
#pragma once
#include <string>

#include "core/json.hpp"
#include "local/engine_api.hpp"

namespace ecsctl::local {

// "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1" -> "localhost/team/app:1"
// (":latest" added when no tag; a digest reference is kept); "" when `image` is
// not an ECR repository URI.
std::string local_name_of_ecr_image(const std::string& image);

// The engine's images named localhost/`repo`:TAG as ECR image details
// (registryId, repositoryName, imageDigest, imageTags, imageSizeInBytes,
// imagePushedAt, imageManifestMediaType), each with a Docker v2 manifest made
// from the image (config digest = the engine's image id, its layers) under
// "_"."manifest"; imageDigest is that manifest's sha256. [] when the engine
// has none or does not answer (within a few seconds).
Json engine_ecr_images(const EngineApi& api, const std::string& repo, const std::string& registry_id);

}  // namespace ecsctl::local
