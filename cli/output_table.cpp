// Placeholder table renderer (replaced by the full implementation).
#include "cli/output.hpp"
namespace ecsctl {
std::string render_table(const Json& v, std::string_view, bool) { return render_text(v); }
}
