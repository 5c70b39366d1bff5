// Schedule expressions (rate/cron/at) of EventBridge rules and Scheduler, and
// the computation of the next fire times in UTC and in a time zone.
#include <stdexcept>

#include "schemas/schedule_expression.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sel = fuzz::take_selector(data, size);
  std::string_view text = fuzz::as_text(data, size);
  schedule::Expression e;
  try {
    e = schedule::parse(text, (sel & 1) ? schedule::Flavor::scheduler : schedule::Flavor::events);
  } catch (const schedule::ExpressionError&) {
    return 0;
  }
  static const char* zones[] = {"", "UTC", "Europe/Berlin", "America/St_Johns"};
  schedule::FireOptions opts;
  opts.timezone = zones[(sel >> 1) & 3];
  opts.anchor = 1700000000 + (sel >> 3) * 86400;
  const std::int64_t afters[] = {0, 1735689599, 1709251200, 4102444800};
  try {
    for (auto t : schedule::next_times(e, afters[(sel >> 5) & 3], 5, opts)) (void)schedule::format_utc(t);
  } catch (const std::invalid_argument&) {  // an unknown time zone only
  }
  return 0;
}
