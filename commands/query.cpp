// `ecsctl query EXPR [FILE]`: applies a JMESPath expression to a JSON document
// from FILE or standard input and prints the result like any other command
// (--output applies; --query, if also given, runs on the result), as `jp` does.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "core/error.hpp"
#include "output/jmespath.hpp"
#include "output/render.hpp"
#include "commands/param_input.hpp"

namespace ecsctl::commands {
namespace {

// Deeper documents are refused rather than risking the stack when printed.
constexpr std::size_t k_max_nesting = 2000;

// "NAME:LINE:COLUMN" for a byte offset into `text` (1-based, as editors count).
std::string text_position(const std::string& name, const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Json parse_document(const std::string& text, const std::string& name) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(Exit::other, name + " is empty: expected a JSON document", name);
  if (param::json_nesting_depth(text) > k_max_nesting)
    throw Error(Exit::other, name + " nests arrays and objects more than " + std::to_string(k_max_nesting) +
                                 " levels deep", name);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string why = e.what();
    if (auto p = why.find("parse error"); p != std::string::npos) why = why.substr(p);
    throw Error(Exit::other, name + " is not valid JSON: " + why,
                text_position(name, text, e.byte > 0 ? e.byte - 1 : 0));
  } catch (const Json::out_of_range& e) {  // a number beyond double, e.g. 1e999
    std::string why = e.what();
    if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
    throw Error(Exit::other, name + " is not valid JSON: " + why, name);
  }
}

std::string read_input(const std::string& file) {
  std::ostringstream buf;
  if (file.empty() || file == "-") {
    buf << std::cin.rdbuf();
    return buf.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(Exit::usage, "cannot open " + file + ": " + std::strerror(errno), file);
  buf << in.rdbuf();
  if (in.bad()) throw Error(Exit::other, "cannot read " + file, file);
  return buf.str();
}

// Compiles `expression`, mapping a JMESPath error to a usage error that names
// the kind and points at the position.
jmespath::Expression compile(const std::string& expression) {
  try {
    return jmespath::Expression(expression);
  } catch (const jmespath::Error& e) {
    std::string where = expression;
    if (expression.find('\n') == std::string::npos)
      where += "\n" + std::string(6 + e.position(), ' ') + "^";  // under "  at: "
    throw Error(Exit::usage,
                std::string("invalid JMESPath expression (") + e.kind_name() + " error at position " +
                    std::to_string(e.position()) + "): " + e.what(),
                where, "see https://jmespath.org/specification.html");
  }
}

int query_command(Context& ctx, Args& args) {
  const std::string expression = *args.positional(0);
  const std::string file = args.positional(1).value_or("");
  jmespath::Expression compiled = compile(expression);
  const std::string name = file.empty() || file == "-" ? "<stdin>" : file;
  Json document = parse_document(read_input(file), name);
  Json result;
  try {
    result = compiled.search(document);
  } catch (const jmespath::Error& e) {
    throw Error(Exit::usage, std::string("JMESPath ") + e.kind_name() + " error: " + e.what(), name);
  }
  // print_result omits an empty object (an AWS CLI rule for empty responses);
  // a query's {} is data, so it is printed.
  if (result.is_object() && result.empty() && !ctx.opts.query && ctx.opts.output != OutputFormat::table &&
      ctx.opts.output != OutputFormat::off) {
    ctx.out << ecsctl::render(result, ctx.opts.output, "Query");
    return 0;
  }
  print_result(ctx, result, "Query");
  return 0;
}


}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec query{
    .group = "",
    .name = "query",
    .summary = "apply a JMESPath expression to JSON from a file or stdin (like jp)",
    .description =
        "Applies a JMESPath expression (https://jmespath.org) to one JSON document read from\n"
        "FILE, or from standard input when FILE is '-' or missing, and prints the result as any\n"
        "command prints its output: --output json|yaml|yaml-stream|text|table|off applies, and\n"
        "a --query given as well runs on the result.\n\n"
        "Example: ecsctl describe-services --cluster web --services api | ecsctl query 'services[0].events[:3]'\n\n"
        "Exit codes: 0 printed, 252 a bad expression or an unreadable FILE, 255 the input is not JSON.\n",
    .positionals = {{.name = "EXPRESSION", .help = "the JMESPath expression, e.g. 'services[?status==`ACTIVE`].serviceName'"},
                    {.name = "FILE", .help = "the JSON file to read; '-' or nothing reads standard input",
                     .complete = Completer::file, .required = false}},
    .run = query_command,
};

}  // namespace ecsctl::commands
