// Rendering of command results to stdout, as the AWS CLI does it: --query is
// applied first, then json | yaml | yaml-stream | text | table | off.
#pragma once
#include <string>
#include <string_view>

#include "core/context.hpp"
#include "core/json.hpp"

namespace ecsctl {

// Applies ctx.opts.query (a syntax error is a usage error, exit 252; an error
// while evaluating it is exit 255, as the request was already sent) and
// writes `result` to ctx.out in ctx.opts.output. `title` is the operation name
// (e.g. "DescribeClusters"), used as the table title.
void print_result(Context& ctx, const Json& result, std::string_view title);

// The renderers, each producing exactly what the AWS CLI prints for `value`.
std::string render_json(const Json& value);
std::string render_yaml(const Json& value);
std::string render_yaml_stream(const Json& value);
std::string render_text(const Json& value);
// `terminal_width` decides, as in the AWS CLI, when one-row sections turn vertical.
std::string render_table(const Json& value, std::string_view title, bool color = false,
                         int terminal_width = 80);
std::string render(const Json& value, OutputFormat format, std::string_view title);

// Parses an --output value; nullopt when not one of the six names.
std::optional<OutputFormat> parse_output_format(std::string_view name);

}  // namespace ecsctl
