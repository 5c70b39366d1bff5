// Placeholder until SigV4 lands.
#include "client/sigv4.hpp"
#include <stdexcept>
namespace ecsctl::sigv4 {
void sign(Request&, const Credentials&, std::string_view, std::string_view, std::chrono::system_clock::time_point, bool) { throw std::logic_error("sigv4 not implemented"); }
std::string canonical_request(const Request&, const std::vector<std::string>&, std::string_view) { return {}; }
std::string string_to_sign(std::string_view, std::string_view, std::string_view) { return {}; }
std::string signature(std::string_view, std::string_view, std::string_view, std::string_view, std::string_view) { return {}; }
std::string sha256_hex(std::string_view) { return {}; }
std::string hmac_sha256(std::string_view, std::string_view) { return {}; }
Verification verify(const Request&, const std::function<std::optional<std::string>(std::string_view)>&, std::chrono::system_clock::time_point, std::chrono::seconds) { return {}; }
}
