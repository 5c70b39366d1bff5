// XML responses of Query-protocol services (ELBv2, STS, ...): parse_output
// and parse_error, then rendering the result. Input: "Operation [status]\n" then the body.
#include "tests/fuzz/fuzz_response_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto ops = ecsctl::fuzz::operations_of({"query", "ec2", "rest-xml"});
  return ecsctl::fuzz::run_response(ops, data, size);
}
