// What a multi-step command did and has still to do, for the message when it
// stops half-way.
#pragma once
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ecsctl::commands::workflow {

// What a multi-step command did and has still to do, for the message when it
// stops half-way ("done: ...; not done: ...").
class Journal {
 public:
  void done(std::string step) { m_done.push_back(std::move(step)); }
  std::string summary(const std::vector<std::string>& not_done) const;
  // Rethrows `e` (a failed step: its message, exit code and location, or
  // `location` when it has none) with summary(not_done) as the hint, after any
  // hint of its own, so a command that stops half-way says where it stopped.
  [[noreturn]] void fail(const Error& e, const std::vector<std::string>& not_done, const std::string& location = {}) const;

 private:
  std::vector<std::string> m_done;
};

}  // namespace ecsctl::commands::workflow
