#include "core/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace ecsctl {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

static std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  std::string w = lower(word);
  std::optional<std::string> best;
  std::size_t best_d = static_cast<std::size_t>(-1);
  for (const auto& c : candidates) {
    std::string lc = lower(c);
    std::size_t d = edit_distance(w, lc);
    // A prefix of a long name ("describe-clu") is a good suggestion too.
    if (w.size() >= 4 && lc.rfind(w, 0) == 0) d = std::min<std::size_t>(d, 1);
    if (d < best_d) { best_d = d; best = c; }
  }
  std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
  if (best && best_d <= limit) return best;
  return std::nullopt;
}

}  // namespace ecsctl
