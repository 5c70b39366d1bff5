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
  // Ranked by edit distance; among equals, a name that starts with the word
  // first, then the one closest in length (the plural "describe-target-groups"
  // before "describe-target-group-attributes"), then the candidates' order.
  struct Rank {
    std::size_t distance, not_prefix, length_gap;
    bool operator<(const Rank& o) const {
      if (distance != o.distance) return distance < o.distance;
      if (not_prefix != o.not_prefix) return not_prefix < o.not_prefix;
      return length_gap < o.length_gap;
    }
  };
  std::optional<std::string> best;
  Rank best_rank{static_cast<std::size_t>(-1), 1, static_cast<std::size_t>(-1)};
  for (const auto& c : candidates) {
    std::string lc = lower(c);
    std::size_t d = edit_distance(w, lc);
    bool prefix = w.size() >= 4 && lc.rfind(w, 0) == 0;
    // A prefix of a long name ("describe-clu") is a good suggestion too.
    if (prefix) d = std::min<std::size_t>(d, 1);
    Rank r{d, prefix ? 0u : 1u, lc.size() > w.size() ? lc.size() - w.size() : w.size() - lc.size()};
    if (r < best_rank) {
      best_rank = r;
      best = c;
    }
  }
  std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
  if (best && best_rank.distance <= limit) return best;
  return std::nullopt;
}

}  // namespace ecsctl
