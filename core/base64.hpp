// Base64 (RFC 4648) encoding with padding: the standard alphabet, or the
// URL-safe one ("-" and "_") that Docker's X-Registry-Auth header uses.
#pragma once
#include <string>
#include <string_view>

namespace ecsctl {

enum class Base64Alphabet { standard, url };

std::string base64_encode(std::string_view in, Base64Alphabet alphabet = Base64Alphabet::standard);

}  // namespace ecsctl
