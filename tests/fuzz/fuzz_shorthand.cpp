// The AWS CLI's shorthand syntax (cli/shorthand.cpp), alone and typed by the
// ECS model through commands::param::parse_argument as a command-line value is.
#include "core/environment.hpp"
#include "core/error.hpp"
#include "commands/param_input.hpp"
#include "commands/shorthand.hpp"
#include "schemas/model.hpp"
#include "schemas/model_view.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sel = fuzz::take_selector(data, size);
  std::string text(fuzz::as_text(data, size));
  try {
    Json j = commands::shorthand::parse(text);
    // Bytes are kept as given; commands::param::parse_argument below rejects non-UTF-8.
    (void)j.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const commands::shorthand::ParseError& e) {
    (void)commands::shorthand::caret_excerpt(text, e.offset());
  }
  // file:// and fileb:// would read files named by the input.
  if (text.rfind("file", 0) == 0) return 0;
  static const char* shapes[] = {"NetworkConfiguration", "Tags", "CapacityProviderStrategy", "TaskOverride",
                                 "PlacementConstraints", "PlacementStrategies", "DeploymentConfiguration",
                                 "LoadBalancers"};
  static const Environment env = Environment::isolated({{"HOME", "/nonexistent"}});
  static const model::OperationView ecs = model::build_view(model::service("ecs"), "");
  try {
    std::vector<std::string> words{text};
    if (sel & 0x80) {  // several words, as after `--tags a b c`
      words.clear();
      for (auto rest = std::string_view(text);;) {
        auto [w, tail] = fuzz::split_once(rest, ' ');
        words.emplace_back(w);
        if (tail.data() == nullptr || tail.empty()) break;
        rest = tail;
      }
    }
    (void)commands::param::parse_argument(ecs.shape(shapes[sel & 7]), "--fuzz", words, env).dump();
  } catch (const ecsctl::Error&) {
  }
  return 0;
}
