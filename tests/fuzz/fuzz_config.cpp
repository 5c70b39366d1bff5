// The AWS shared config and credentials files (INI with sub-sections), and
// credential_process command lines split into argv without a shell.
#include "core/error.hpp"
#include "client/config_file.hpp"
#include "client/credentials.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sel = fuzz::take_selector(data, size);
  std::string_view text = fuzz::as_text(data, size);
  try {
    if ((sel & 3) == 3) {
      (void)client::split_command_line(text);
      return 0;
    }
    client::IniFile ini = client::parse_ini(text, (sel & 1) ? "/fuzz/credentials" : "/fuzz/config");
    for (const auto& [header, section] : ini) {
      (void)section.get("region");
      for (const auto& [k, v] : section.values) (void)v.where();
    }
  } catch (const ecsctl::Error&) {
  }
  return 0;
}
