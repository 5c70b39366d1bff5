// Placeholder YAML renderer (replaced by the full implementation).
#include "cli/output.hpp"
namespace ecsctl {
std::string render_yaml(const Json& v) { return v.dump(2) + "\n"; }
std::string render_yaml_stream(const Json& v) { return render_yaml(v); }
}
