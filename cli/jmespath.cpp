// Placeholder until the JMESPath implementation lands.
#include "cli/jmespath.hpp"
namespace ecsctl::jmespath {
const char* Error::kind_name() const { return "syntax"; }
Json search(std::string_view, const Json&) { throw Error(ErrorKind::syntax, "JMESPath is not implemented yet"); }
}
