// The embedded, CBOR-encoded trimmed models (generated at build time).
#pragma once
#include <cstddef>

namespace ecsctl::model {

struct EmbeddedModel {
  const char* name;            // "ecs", "elbv2", ..., "partitions", "retry"
  const unsigned char* data;   // CBOR
  std::size_t size;
};
// Terminated by an entry whose name is nullptr.
extern const EmbeddedModel k_embedded_models[];

}  // namespace ecsctl::model
