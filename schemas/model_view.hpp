// A typed, read-only view of one operation of an API model: its shapes with
// their type, members in model order, list member, map key and value, enum
// values, bounds, pattern and the serialisation traits the protocols need.
// Everything above schemas/ reads the model through this view instead of
// walking the raw JSON of model.hpp.
//
// A view is built once per operation, from model::operation() (which decodes
// only that operation and the shapes it reaches), and kept until exit.
#pragma once
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::model {

enum class Type { structure, list, map, string, integer, long_, boolean, double_, float_, timestamp, blob };

struct Shape;

// A use of a shape: a structure member, a list member, a map key or value.
struct Ref {
  const Shape* shape = nullptr;
  std::string shape_name;
  std::string location;       // "uri", "querystring", "header", "headers", or "" (the body)
  std::string location_name;  // the wire name when it differs; see wire_name()
  std::string query_name;     // EC2 protocol: the input parameter name when set (queryName)
  bool xml_attribute = false;
  bool xml_flattened = false;
  bool idempotency_token = false;
  bool host_label = false;
  std::string timestamp_format;

  const Shape& target() const { return *shape; }
  // `location_name`, or `fallback` (the member name; "member", "key", "value").
  const std::string& wire_name(const std::string& fallback) const {
    return location_name.empty() ? fallback : location_name;
  }
};

struct Member : Ref {
  std::string name;
  bool required = false;
};

struct Shape {
  std::string name;
  Type type = Type::string;
  std::string type_name;            // as the model spells it: "structure", "long", ...
  std::vector<Member> members;      // structures, in model order
  std::vector<std::string> required;// structures, in model order
  Ref list_member;                  // lists
  Ref map_key, map_value;           // maps
  std::vector<std::string> enum_values;
  std::optional<double> min, max;   // length (strings, lists, maps, blobs) or value (numbers)
  std::string pattern;
  std::string timestamp_format;
  bool document = false;
  bool flattened = false;
  bool exception = false;
  bool sensitive = false;

  const Member* member(std::string_view member_name) const;
  bool is_scalar() const { return type != Type::structure && type != Type::list && type != Type::map; }
  bool is_number() const {
    return type == Type::integer || type == Type::long_ || type == Type::double_ || type == Type::float_;
  }
  bool has_enum() const { return !enum_values.empty(); }
  bool allows(std::string_view value) const;  // true without an enum
};

// One operation of one service, with the shapes it reaches.
struct OperationView {
  OperationView() = default;
  OperationView(const OperationView&) = delete;  // shapes point at each other
  OperationView(OperationView&&) = default;       // std::deque keeps its elements in place
  OperationView& operator=(const OperationView&) = delete;

  std::string service;      // "ecs"
  std::string name;         // "RunTask"
  const Json* model = nullptr;       // model::operation(service, name)
  const Json* definition = nullptr;  // the operation object ("http", "input", ...)
  const Json* metadata = nullptr;
  std::string protocol;     // "json", "query", "rest-json", "ec2"
  const Shape* input = nullptr;   // nullptr when the operation takes no input
  const Shape* output = nullptr;
  std::string result_wrapper;     // Query: the output's resultWrapper

  // The shape named `shape_name`, or nullptr.
  const Shape* find(std::string_view shape_name) const;
  // The shape named `shape_name`; throws std::out_of_range.
  const Shape& shape(std::string_view shape_name) const;

  std::deque<Shape> shapes;  // stable addresses
  std::map<std::string, const Shape*, std::less<>> by_name;
};

// The view of `operation` of `service`, built on first use and kept. Throws
// std::out_of_range for an unknown service or operation.
const OperationView& view(std::string_view service, std::string_view operation);

// The view of `operation` in `model_document` (in the layout of
// model::service() or model::operation()), built on first use and kept while
// the process runs; the document must outlive it (the embedded models do).
const OperationView& document_view(const Json& model_document, std::string_view operation);

// A view over any model document, not cached: the caller keeps it. With an
// empty `operation`, every shape of the document (input and output unset).
OperationView build_view(const Json& model_document, std::string_view operation);

Type parse_type(std::string_view type_name);

}  // namespace ecsctl::model
