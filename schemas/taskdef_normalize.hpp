// Normal forms of a task definition, so that a file and the live revision can be
// compared (diff) and a file can be printed as what will be sent (render).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::taskdef {

// What will be sent: nulls dropped, task cpu/memory string forms ("1 vCPU",
// "2 GB") converted to the API's numbers ("1024", "2048"). Key order is kept.
Json normalize_for_render(const Json& def);

// For comparison: render's normal form, plus server-filled defaults and empty
// values removed (empty lists/maps, false booleans, essential true, container
// cpu 0, protocol tcp, health-check defaults, networkMode bridge, hostPort equal
// to containerPort), environment/secrets/tags sorted by name, keys sorted.
Json normalize_for_diff(const Json& def);

// The RegisterTaskDefinition input inside a DescribeTaskDefinition output
// ({taskDefinition, tags}): read-only members dropped, tags moved in.
Json registration_from_describe(const Json& described);

// The lines of a unified diff (---/+++ headers, @@ hunks, `context` lines of
// context) turning `a` into `b`; empty when equal. Myers' O(ND) algorithm.
std::vector<std::string> unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                      std::string_view a_name, std::string_view b_name, std::size_t context = 3);

// Splits text into lines (without newline characters).
std::vector<std::string> split_lines(std::string_view text);

}  // namespace ecsctl::taskdef
