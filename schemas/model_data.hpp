// The embedded, CBOR-encoded trimmed models (generated at build time by
// schemas/gen/embed_models). A service model is stored in pieces, so that a
// command decodes only the operation it runs and the shapes that operation
// reaches, not the whole model.
#pragma once
#include <cstddef>

namespace ecsctl::model {

struct EmbeddedSlice {
  const unsigned char* data;  // one CBOR value
  std::size_t size;
};

struct EmbeddedOperation {
  const char* name;             // "DescribeClusters"
  EmbeddedSlice definition;     // the operation object of service-2.json
  const unsigned short* shapes; // indices of the shapes its input, output and errors reach, ascending
  std::size_t shape_count;
};

struct EmbeddedService {
  const char* name;  // "ecs", "elbv2", ...
  EmbeddedSlice metadata;
  const EmbeddedOperation* operations;  // in the model's order
  std::size_t operation_count;
  const char* const* shape_names;       // in the model's order
  const EmbeddedSlice* shapes;
  std::size_t shape_count;
  EmbeddedSlice paginators;  // {} when the model has none
  EmbeddedSlice waiters;
};

struct EmbeddedDocument {
  const char* name;  // "partitions", "retry"
  EmbeddedSlice data;
};

// Each terminated by an entry whose name is nullptr.
extern const EmbeddedService k_embedded_services[];
extern const EmbeddedDocument k_embedded_documents[];

}  // namespace ecsctl::model
