#include <string>

#include "cli/completion.hpp"

// Defined in the build's generated/embedded_text.cpp (cmake/embed_text.cmake),
// from the files under completions/, so the printed and installed scripts are one.
const char* ecsctl_embedded_text(const char* name);

namespace ecsctl::completion {

const char* script(const std::string& shell) {
  if (shell == "bash") return ecsctl_embedded_text("bash");
  if (shell == "zsh") return ecsctl_embedded_text("zsh");
  if (shell == "fish") return ecsctl_embedded_text("fish");
  return nullptr;
}

}  // namespace ecsctl::completion
