// JMESPath (--query, `ecsctl query`): the expression, then a newline, then a
// JSON document to search (a fixed one when it is not JSON). The rendered result
// goes through every output format, as --query's result does.
#include "output/jmespath.hpp"
#include "output/render.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [expr, doc_text] = fuzz::split_once(fuzz::as_text(data, size), '\n');
  static const Json fixed = Json::parse(R"({"clusters":[{"clusterName":"a","status":"ACTIVE","runningTasksCount":2,
    "tags":[{"key":"env","value":"prod"}]},{"clusterName":"b","status":"INACTIVE","runningTasksCount":0}],
    "failures":[],"n":-1.5,"s":"str","t":true,"z":null})");
  Json doc = Json::parse(doc_text, nullptr, false);
  if (doc.is_discarded()) doc = fixed;
  try {
    jmespath::Expression e(expr);
    Json result = e.search(doc);
    (void)render_json(result);
    (void)render_text(result);
    (void)render_yaml(result);
    (void)render_table(result, "Fuzz");
  } catch (const jmespath::Error&) {
  }
  return 0;
}
