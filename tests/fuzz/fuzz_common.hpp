// Shared helpers of the fuzz targets (tests/fuzz/README.md). Each target feeds
// one parser of outside input and catches only the exceptions that parser
// documents; anything else escaping (and every ASan/UBSan report) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ecsctl::fuzz {

// Splits off the first byte as a selector (0 when the input is empty).
inline std::uint8_t take_selector(const std::uint8_t*& data, std::size_t& size) {
  if (size == 0) return 0;
  std::uint8_t s = data[0];
  ++data;
  --size;
  return s;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// "a<sep>b" -> {"a", "b"}; without `sep`, {text, ""}.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text, char sep) {
  std::size_t at = text.find(sep);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

}  // namespace ecsctl::fuzz
