#include "commands/journal.hpp"

namespace ecsctl::commands::workflow {

std::string Journal::summary(const std::vector<std::string>& not_done) const {
  std::string s = "done: ";
  if (m_done.empty()) s += "nothing";
  for (std::size_t i = 0; i < m_done.size(); ++i) s += (i ? "; " : "") + m_done[i];
  s += ". Not done: ";
  if (not_done.empty()) s += "nothing";
  for (std::size_t i = 0; i < not_done.size(); ++i) s += (i ? "; " : "") + not_done[i];
  return s + ".";
}

void Journal::fail(const Error& e, const std::vector<std::string>& not_done, const std::string& location) const {
  std::string hint = e.hint().empty() ? summary(not_done) : e.hint() + "\n  " + summary(not_done);
  throw Error(e.code(), e.what(), e.location().empty() ? location : e.location(), hint);
}

}  // namespace ecsctl::commands::workflow
