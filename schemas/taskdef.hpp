// Task definitions as files: load (JSON/YAML, either accepted shape), template,
// and validate offline with stable rule ids and exact source locations.
#pragma once
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "schemas/taskdef_source.hpp"
#include "schemas/template.hpp"

namespace ecsctl::taskdef {

enum class Severity { error, warning };

// One problem: rule id, severity, JSON path (relative to the task definition),
// message, hint, and the source location (line 0 when unknown).
struct Finding {
  std::string rule;
  Severity severity = Severity::error;
  std::string path;
  std::string message;
  std::string hint;
  Pos pos;
};

// A loaded task definition: the RegisterTaskDefinition input as JSON, plus the
// source text and the positioned tree it came from, which gives the position
// of every value and key by JSON path.
struct Document {
  std::string file;
  std::shared_ptr<const std::string> text;
  Json def = Json::object();
  // The source tree of `def` (keys as templated; scalar texts not kept).
  // Positions are looked up in it only when a finding needs one, instead of
  // indexing every path of every file up front.
  PNode tree;
  std::vector<Finding> findings;  // input-parse and template problems, then validation
  std::vector<std::string> redact;  // plain-text secret values: never printed with a source line
  bool parsed = false;            // false when the file could not be read as an object

  // Position of `path`, or of its closest ancestor that has one.
  Pos locate(std::string_view path, bool key = false) const;
  // Position of the value, or of the key, at exactly `path`. When templating
  // makes two keys equal, the first one's.
  std::optional<Pos> value_position(std::string_view path) const;
  std::optional<Pos> key_position(std::string_view path) const;
};

// Loads `text` (named `file` in diagnostics). Never throws for bad content:
// problems become findings (input-parse, template-unset).
Document load_text(std::string file, std::string text, const TemplateVars* vars);
// Reads and loads a file; a missing/unreadable or too large file is an
// input-parse finding too.
Document load_file(const std::string& path, const TemplateVars* vars);

// What the validator assumes beyond the file.
struct ValidateOptions {
  std::optional<std::string> launch_type;       // --launch-type EC2|FARGATE|EXTERNAL|MANAGED_INSTANCES
  std::optional<std::string> platform_version;  // --platform-version
  bool load_balanced = false;                   // --load-balanced
  // Containers whose image a command replaces (run-task/deploy --image): the
  // file's image of these is not checked (no :latest warning for it).
  std::set<std::string> images_replaced;
};

// Runs every rule on doc.def and appends findings (with positions) to doc.findings.
void validate(Document& doc, const ValidateOptions& opts);

// Whether the findings fail validation: an error from a verified rule, or with
// `strict` any finding at all.
bool fails(const std::vector<Finding>& findings, bool strict);

// Diagnostics as text to stderr: `file:line:col: error[rule]: message`, the
// source line with a caret, and `  hint: ...`.
void print_findings(std::ostream& out, const Document& doc, bool color);
// GitHub Actions annotations: `::error file=F,line=L,col=C,title=rule::message`.
void print_github(std::ostream& out, const Document& doc);
// The findings as JSON objects (file, line, column, severity, rule, path, message, hint).
Json findings_json(const Document& doc);

// "a.b[0].c", `["key"]` for keys that are not identifiers.
std::string path_join(std::string_view parent, std::string_view key);
std::string path_index(std::string_view parent, std::size_t index);

}  // namespace ecsctl::taskdef
