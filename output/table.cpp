// `--output table`, drawn as the AWS CLI draws it (awscli/formatter.py's
// TableFormatter over awscli/table.py's MultiTable): one titled section per
// object or list of objects, scalar keys as sorted column headers, nested
// values as indented sub-sections, a single-row section turned vertical when
// the table is wider than the terminal, and columns scaled to the widest
// section. With colour, every write the AWS CLI makes to stdout is followed by
// a reset sequence (colorama's autoreset), and that is reproduced here too.
#include <cmath>
#include <optional>
#include <vector>

#include "output/render.hpp"
#include "core/pyformat.hpp"
#include "output/table_width.hpp"

namespace ecsctl {
namespace {

constexpr const char* k_reset = "\033[0m";

int text_length(const std::string& text) {
  int n = 0;
  for (std::size_t i = 0; i < text.size();) n += table_char_width(pyfmt::next_code_point(text, i));
  return n;
}

int floor_div(int a, int b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

std::string spaces(int n) { return n > 0 ? std::string(static_cast<std::size_t>(n), ' ') : ""; }

struct Section {
  std::optional<std::string> title;  // nullopt: Python's None (a nested list's section)
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  int indent_level = 0;
  std::vector<int> max_widths;

  void update_max_widths(const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      int w = text_length(row[i]);
      if (i >= max_widths.size()) max_widths.push_back(w);
      else max_widths[i] = std::max(max_widths[i], w);
    }
  }
  void add_header(std::vector<std::string> h) {
    update_max_widths(h);
    headers = std::move(h);
  }
  void add_row(std::vector<std::string> row) {
    update_max_widths(row);
    rows.push_back(std::move(row));
  }

  // Column widths with `padding`, scaled so that they add up to max_width.
  std::vector<int> column_widths(int padding, std::optional<int> max_width) const {
    std::vector<int> widths;
    for (int w : max_widths) widths.push_back(w + padding);
    if (!max_width || widths.empty()) return widths;
    int sum = 0;
    for (int w : widths) sum += w;
    const double scale = static_cast<double>(*max_width) / static_cast<double>(sum);
    int total = 0;
    for (int& w : widths) {
      w = static_cast<int>(std::nearbyint(scale * w));  // Python's round(): ties to even
      total += w;
    }
    int off_by = total - *max_width;
    const int n = static_cast<int>(widths.size());
    while (off_by != 0) {
      for (int k = 0; k < n && off_by != 0; ++k) {
        int i = off_by > 0 ? k : n - 1 - k;
        widths[static_cast<std::size_t>(i)] += off_by > 0 ? -1 : 1;
        off_by += off_by > 0 ? -1 : 1;
      }
    }
    return widths;
  }

  int total_width(int padding, int outer) const {
    int total = 2 + 2 * outer;
    for (int w : column_widths(0, std::nullopt)) total += w + padding;
    int title_len = title ? text_length(*title) : 4;  // len(str(None))
    return std::max(title_len + 2 + 2 * outer, total);
  }
};

// Builds the sections the way TableFormatter._build_table walks a response.
class TableBuilder {
 public:
  std::vector<Section> m_sections;

  bool build(const std::optional<std::string>& title, const Json& current, int indent) {
    if (falsy(current)) return false;
    if (title) new_section(title, indent);
    if (current.is_array()) {
      if (current[0].is_object()) {
        from_list(current, indent, title);
        return true;
      }
      for (const auto& item : current) {
        if (!item.is_array() && !item.is_object()) add_row({pyfmt::str(item)});
        else if (item.is_object()) add_row(keys_of(item));  // iterating a dict yields its keys
        else if (all_scalar(item)) add_row(cells(item));
        else build(std::nullopt, item, 0);
      }
    }
    if (current.is_object()) from_dict(current, indent);
    return true;
  }

 private:
  static bool falsy(const Json& v) {
    if (v.is_null()) return true;
    if (v.is_boolean()) return !v.get<bool>();
    if (v.is_number_float()) return v.get<double>() == 0.0;
    if (v.is_number()) return v.get<std::int64_t>() == 0;
    return v.empty();  // "", [], {}
  }
  static bool is_scalar(const Json& v) { return !v.is_array() && !v.is_object(); }
  static bool all_scalar(const Json& list) {
    for (const auto& e : list)
      if (!is_scalar(e)) return false;
    return true;
  }
  static std::vector<std::string> cells(const Json& list) {
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(pyfmt::str(e));
    return out;
  }
  static std::vector<std::string> keys_of(const Json& obj) {
    std::vector<std::string> out;
    for (auto it = obj.begin(); it != obj.end(); ++it) out.push_back(pyfmt::sanitize_utf8(it.key()));
    return out;
  }
  Section& current() {
    if (m_sections.empty()) m_sections.emplace_back();
    return m_sections.back();
  }
  void new_section(const std::optional<std::string>& title, int indent) {
    Section s;
    if (title) s.title = pyfmt::sanitize_utf8(*title);
    s.indent_level = indent;
    m_sections.push_back(std::move(s));
  }
  void add_row(std::vector<std::string> row) { current().add_row(std::move(row)); }

  // Scalar keys and the others, each sorted (as Python sorts str).
  static void group_keys(const Json& obj, std::vector<std::string>& scalars, std::vector<std::string>& more) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      (is_scalar(it.value()) ? scalars : more).push_back(it.key());
    std::sort(scalars.begin(), scalars.end());
    std::sort(more.begin(), more.end());
  }

  void from_dict(const Json& obj, int indent) {
    std::vector<std::string> headers, more;
    group_keys(obj, headers, more);
    if (headers.size() == 1) {
      add_row({pyfmt::sanitize_utf8(headers[0]), pyfmt::str(obj.at(headers[0]))});
    } else if (!headers.empty()) {
      std::vector<std::string> row;
      for (const auto& h : headers) row.push_back(pyfmt::str(obj.at(h)));
      current().add_header(sanitized(headers));
      add_row(std::move(row));
    }
    for (const auto& k : more) build(k, obj.at(k), indent + 1);
  }

  static std::vector<std::string> sanitized(std::vector<std::string> v) {
    for (auto& s : v) s = pyfmt::sanitize_utf8(s);
    return v;
  }

  void from_list(const Json& list, int indent, const std::optional<std::string>& title) {
    std::vector<std::string> headers, more;
    for (const auto& e : list) {
      if (!e.is_object()) continue;
      std::vector<std::string> h, m;
      group_keys(e, h, m);
      headers.insert(headers.end(), h.begin(), h.end());
      more.insert(more.end(), m.begin(), m.end());
    }
    for (auto* v : {&headers, &more}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    current().add_header(sanitized(headers));
    bool first = true;
    for (const auto& e : list) {
      if (!e.is_object()) continue;
      if (!first && !more.empty()) {
        new_section(title, indent);
        current().add_header(sanitized(headers));
      }
      first = false;
      std::vector<std::string> row;
      for (const auto& h : headers) {
        auto it = e.find(h);
        row.push_back(it == e.end() ? std::string() : pyfmt::str(*it));
      }
      add_row(std::move(row));
      for (const auto& k : more)
        if (e.contains(k)) build(k, e.at(k), indent + 1);
    }
  }
};

std::string center_text(const std::string& text, int length, const std::string& left, const std::string& right,
                        int text_len) {
  const int char_start = floor_div(length, 2) - floor_div(text_len, 2) - 1;
  const int so_far = text_length(left) + char_start + text_len;
  return left + spaces(char_start) + text + spaces(length - text_length(right) - so_far) + right;
}

std::string align_left(const std::string& text, int length, const std::string& left, const std::string& right,
                       int text_len) {
  const int computed = text_len + 2 + text_length(left) + text_length(right);
  const int padding = length - computed >= 0 ? 2 : 0;
  const int so_far = static_cast<int>(left.size()) + padding + text_len;
  return left + spaces(padding) + text + spaces(length - so_far - static_cast<int>(right.size())) + right;
}

// Renders sections to text, writing through the same calls as MultiTable so
// that colour mode can add colorama's reset after each of them.
class TableRenderer {
 public:
  TableRenderer(bool color, int terminal_width) : m_color(color), m_terminal_width(terminal_width) {}

  std::string render(std::vector<Section>& sections) {
    int max_width = widest(sections);
    if (max_width > m_terminal_width) {
      to_vertical(sections);
      max_width = widest(sections);
    }
    raw_write(std::string(static_cast<std::size_t>(max_width), '-') + "\n");
    for (const auto& s : sections) render_section(s, max_width);
    return std::move(m_out);
  }

 private:
  bool m_color;
  int m_terminal_width;
  std::string m_out;
  int m_indent = 0;
  std::string m_indent_char;

  static int widest(const std::vector<Section>& sections) {
    int w = 0;
    for (const auto& s : sections) w = std::max(w, s.total_width(4, s.indent_level));
    return w;
  }

  // Sections of a single row become key/value pairs, one per line.
  static void to_vertical(std::vector<Section>& sections) {
    for (auto& s : sections) {
      if (s.rows.size() != 1 || s.headers.empty()) continue;
      Section v;
      v.title = s.title;
      v.indent_level = s.indent_level;
      for (std::size_t i = 0; i < s.headers.size() && i < s.rows[0].size(); ++i)
        v.add_row({s.headers[i], s.rows[0][i]});
      s = std::move(v);
    }
  }

  void raw_write(const std::string& text) {
    m_out += text;
    if (m_color) m_out += k_reset;
  }

  // IndentedStream.write: indentation bars on both sides of each line.
  void write(const std::string& text) {
    std::string bars;
    for (int i = 0; i < m_indent; ++i) bars += m_indent_char;
    raw_write(bars);
    if (!text.empty() && text.back() == '\n') {
      raw_write(text.substr(0, text.size() - 1));
      raw_write(bars);
      raw_write("\n");
    } else {
      raw_write(text);
    }
  }

  void line_break(const std::vector<int>& widths) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i)
      line += i == 0 ? "+" + std::string(static_cast<std::size_t>(std::max(widths[i] - 2, 0)), '-') + "+"
                     : std::string(static_cast<std::size_t>(std::max(widths[i] - 1, 0)), '-') + "+";
    write(line + "\n");
  }

  void render_section(const Section& s, int max_width) {
    m_indent = s.indent_level;
    m_indent_char = m_color ? std::string("\033[2m\033[33m|") + k_reset : "|";
    max_width -= s.indent_level * 2;
    if (s.title && !s.title->empty()) {
      write(center_text(*s.title, max_width, "|", "|", text_length(*s.title)) + "\n");
      if (s.headers.empty() && s.rows.empty())
        write("+" + std::string(static_cast<std::size_t>(std::max(max_width - 2, 0)), '-') + "+\n");
    }
    if (!s.headers.empty()) {
      auto widths = s.column_widths(4, max_width);
      std::string line;
      for (std::size_t i = 0; i < widths.size() && i < s.headers.size(); ++i)
        line += center_text(s.headers[i], widths[i], i == 0 ? "|" : "", "|", text_length(s.headers[i]));
      line_break(widths);
      write(line + "\n");
    }
    if (s.rows.empty()) return;
    auto widths = s.column_widths(4, max_width);
    if (widths.empty()) return;
    line_break(widths);
    for (const auto& row : s.rows) {
      std::string line;
      for (std::size_t i = 0; i < widths.size() && i < row.size(); ++i) {
        std::string cell = m_color ? "\033[1m\033[34m" + row[i] + k_reset : row[i];
        line += align_left(cell, widths[i], i == 0 ? "|" : "", "|", text_length(row[i]));
      }
      write(line + "\n");
    }
    line_break(widths);
  }
};

}  // namespace

std::string render_table(const Json& value, std::string_view title, bool color, int terminal_width) {
  TableBuilder builder;
  if (!builder.build(std::string(title), value, 0)) return {};
  TableRenderer renderer(color, terminal_width);
  return renderer.render(builder.m_sections);
}

}  // namespace ecsctl
