// "Did you mean" suggestions by edit distance.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecsctl {

// Levenshtein distance between a and b (insert, delete, substitute each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace ecsctl
