// JSON responses of awsJson1.0/1.1 and rest-json services (ECS, EventBridge,
// Scheduler, ...): parse_output and parse_error, then rendering the result.
// Input: "Operation [status]\n" then the body.
#include "tests/fuzz/fuzz_response_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto ops = ecsctl::fuzz::operations_of({"json", "rest-json"});
  return ecsctl::fuzz::run_response(ops, data, size);
}
