// Printing findings: text with source line and caret, GitHub annotations, JSON.
#include <ostream>

#include <fmt/format.h>

#include "core/pyformat.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::taskdef {

static std::string location(const Document& doc, const Finding& f) {
  if (f.pos.line > 0) return fmt::format("{}:{}:{}", doc.file, f.pos.line, f.pos.col);
  return doc.file;
}

// The source line with plain-text secret values masked, expanded tabs kept.
static std::string safe_line(const Document& doc, int line) {
  std::string s(source_line(*doc.text, line));
  for (const auto& secret : doc.redact) {
    if (secret.empty()) continue;
    for (std::size_t at = s.find(secret); at != std::string::npos; at = s.find(secret, at + 4))
      s.replace(at, secret.size(), "****");
  }
  if (s.size() > 200) {
    s.resize(200);
    s.append("...");
  }
  return s;
}

void print_findings(std::ostream& out, const Document& doc, bool color) {
  // file:line:col: error[rule]: message (at path), then the line with a caret
  // under the column (tabs copied so it lines up), then the hint.
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string text;
  auto to = std::back_inserter(text);
  for (const auto& f : doc.findings) {
    const bool err = f.severity == Severity::error;
    const char* tint = color ? (err ? "\033[1;31m" : "\033[1;33m") : "";
    fmt::format_to(to, "{}{}:{} {}{}[{}]{}: {}", bold, location(doc, f), reset, tint, err ? "error" : "warning",
                   f.rule, reset, f.message);
    if (!f.path.empty()) fmt::format_to(to, " (at {})", f.path);
    text += '\n';
    if (f.pos.line > 0) {
      std::string line = safe_line(doc, f.pos.line);
      if (!line.empty()) {
        std::string pad;
        int col = 1;
        for (std::size_t i = 0; i < line.size() && col < f.pos.col; ++i) {
          unsigned char c = static_cast<unsigned char>(line[i]);
          if ((c & 0xC0) == 0x80) continue;
          pad += c == '\t' ? '\t' : ' ';
          ++col;
        }
        fmt::format_to(to, "    {}\n    {}{}^{}\n", line, pad, color ? "\033[1;32m" : "", reset);
      }
    }
    if (!f.hint.empty()) fmt::format_to(to, "  hint: {}\n", f.hint);
  }
  out << text;
}

static std::string escape_data(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '%') o += "%25";
    else if (c == '\r') o += "%0D";
    else if (c == '\n') o += "%0A";
    else o += c;
  }
  return o;
}

static std::string escape_property(const std::string& s) {
  std::string o;
  for (char c : escape_data(s)) {
    if (c == ':') o += "%3A";
    else if (c == ',') o += "%2C";
    else o += c;
  }
  return o;
}

void print_github(std::ostream& out, const Document& doc) {
  for (const auto& f : doc.findings) {
    out << (f.severity == Severity::error ? "::error " : "::warning ") << "file=" << escape_property(doc.file);
    if (f.pos.line > 0) out << ",line=" << f.pos.line << ",col=" << f.pos.col;
    out << ",title=" << escape_property(f.rule) << "::" << escape_data(f.message);
    if (!f.hint.empty()) out << escape_data(" (hint: " + f.hint + ")");
    out << "\n";
  }
}

Json findings_json(const Document& doc) {
  Json arr = Json::array();
  for (const auto& f : doc.findings) {
    Json j;
    // Messages quote pieces of the input, which may cut a UTF-8 sequence short;
    // JSON output must stay valid UTF-8 (found by fuzz_taskdef).
    j["file"] = pyfmt::sanitize_utf8(doc.file);
    j["line"] = f.pos.line;
    j["column"] = f.pos.col;
    j["severity"] = f.severity == Severity::error ? "error" : "warning";
    j["rule"] = f.rule;
    j["path"] = pyfmt::sanitize_utf8(f.path);
    j["message"] = pyfmt::sanitize_utf8(f.message);
    j["hint"] = pyfmt::sanitize_utf8(f.hint);
    arr.push_back(std::move(j));
  }
  return arr;
}

}  // namespace ecsctl::taskdef
