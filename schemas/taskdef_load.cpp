// Loading: parse, unwrap the describe-task-definition shape, template, and
// convert the positioned tree to JSON plus path -> position maps.
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schemas/taskdef.hpp"
#include "schemas/taskdef_rules.hpp"

namespace ecsctl::taskdef {

static bool is_identifier(std::string_view k) {
  if (k.empty() || std::isdigit(static_cast<unsigned char>(k[0]))) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string path_join(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (is_identifier(key)) {
    if (!out.empty()) out += '.';
    out += key;
    return out;
  }
  out += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"]";
  return out;
}

std::string path_index(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

// The parent of a path: strips the last .key, [n] or ["key"].
static std::string_view parent_path(std::string_view p) {
  if (p.empty()) return p;
  if (p.back() == ']') {
    std::size_t open = p.size() - 1;
    if (p.size() >= 2 && p[p.size() - 2] == '"') {
      // ["key"]: search backwards for [" not preceded by a backslash escape.
      open = p.rfind("[\"");
    } else {
      open = p.rfind('[');
    }
    return open == std::string_view::npos ? std::string_view{} : p.substr(0, open);
  }
  std::size_t dot = p.find_last_of(".]");
  if (dot == std::string_view::npos) return {};
  return p[dot] == '.' ? p.substr(0, dot) : p.substr(0, dot + 1);
}

// The path segment of member `key`: what path_join appends to its parent.
static std::string member_segment(std::string_view key, bool at_root) {
  std::string seg = path_join(at_root ? std::string_view{} : std::string_view{"x"}, key);
  if (!at_root) seg.erase(0, 1);
  return seg;
}

// The first node, in document order, whose path (relative to `n`) is `rest`,
// and the position of its key when it is a member. Paths are built by
// path_join and path_index, so segments are `.key`, `["key"]` and `[n]`.
static const PNode* find_path(const PNode& n, std::string_view rest, bool at_root, Pos* key) {
  if (rest.empty()) return &n;
  if (n.kind == PNode::Kind::array) {
    if (rest[0] != '[') return nullptr;
    std::size_t index = 0;
    auto r = std::from_chars(rest.data() + 1, rest.data() + rest.size(), index);
    if (r.ec != std::errc{} || r.ptr == rest.data() + 1 || r.ptr == rest.data() + rest.size() || *r.ptr != ']')
      return nullptr;
    std::size_t len = static_cast<std::size_t>(r.ptr - rest.data()) + 1;
    // path_index writes no leading zeros: "[01]" names nothing.
    if (std::to_string(index).size() != len - 2 || index >= n.items.size()) return nullptr;
    return find_path(n.items[index], rest.substr(len), false, key);
  }
  if (n.kind != PNode::Kind::object) return nullptr;
  for (std::size_t i = 0; i < n.keys.size(); ++i) {
    std::string seg = member_segment(n.keys[i].first, at_root);
    if (rest.substr(0, seg.size()) != seg) continue;
    std::string_view after = rest.substr(seg.size());
    if (!after.empty() && after[0] != '.' && after[0] != '[') continue;
    if (const PNode* found = find_path(n.items[i], after, false, key)) {
      if (after.empty() && key) *key = n.keys[i].second;
      return found;
    }
  }
  return nullptr;
}

std::optional<Pos> Document::value_position(std::string_view path) const {
  if (!parsed) return std::nullopt;
  const PNode* n = find_path(tree, path, true, nullptr);
  if (!n) return std::nullopt;
  return n->pos;
}

std::optional<Pos> Document::key_position(std::string_view path) const {
  if (!parsed || path.empty()) return std::nullopt;
  Pos key;
  if (!find_path(tree, path, true, &key)) return std::nullopt;
  return key;
}

Pos Document::locate(std::string_view path, bool key) const {
  std::string_view p = path;
  if (key) {
    if (auto k = key_position(p)) return *k;
  }
  for (;;) {
    if (auto v = value_position(p)) return *v;
    if (p.empty()) return {};
    p = parent_path(p);
  }
}

namespace {

const char* const k_read_only[] = {"taskDefinitionArn", "revision",      "status",
                                   "requiresAttributes", "compatibilities", "registeredAt",
                                   "registeredBy",       "deregisteredAt",  "deleteRequestedAt"};

struct Converter {
  Document& doc;
  const TemplateVars* vars;

  void template_problem(const PNode& n, const TemplateProblem& p) {
    Pos at = n.pos;
    // Point at the ${ in the source line when it can be found there.
    std::string_view line = source_line(*doc.text, at.line);
    std::string needle = p.variable.empty() ? "${" : "${" + p.variable;
    std::size_t from = at.col > 0 ? static_cast<std::size_t>(at.col - 1) : 0;
    if (std::size_t f = line.find(needle, from < line.size() ? from : 0); f != std::string_view::npos)
      at.col = static_cast<int>(f) + 1;
    Finding f;
    f.rule = "template-unset";
    f.severity = Severity::error;
    f.message = p.message;
    f.hint = std::string(find_rule("template-unset")->hint);
    f.pos = at;
    doc.findings.push_back(std::move(f));
  }

  void expand(PNode& n, std::string& text) {
    if (!vars || text.find('$') == std::string::npos) return;
    std::vector<TemplateProblem> problems;
    text = expand_template(text, *vars, problems);
    for (const auto& p : problems) template_problem(n, p);
  }

  Json scalar(PNode& n) {
    if (n.plain || n.kind == PNode::Kind::string) expand(n, n.text);
    resolve_plain(n);
    switch (n.kind) {
      case PNode::Kind::null: return nullptr;
      case PNode::Kind::boolean: return n.text == "true";
      case PNode::Kind::integer: {
        long long v = 0;
        auto r = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
        if (r.ec == std::errc{}) return v;
        return std::strtod(n.text.c_str(), nullptr);
      }
      case PNode::Kind::number: return std::strtod(n.text.c_str(), nullptr);
      default: return std::move(n.text);
    }
  }

  // Converts `n` to JSON. Keys are templated in place, so that the tree kept
  // for positions has the paths the JSON has; scalar texts are moved out.
  Json convert(PNode& n) {
    if (n.kind == PNode::Kind::array) {
      Json a = Json::array();
      a.get_ref<Json::array_t&>().reserve(n.items.size());
      for (auto& item : n.items) a.push_back(convert(item));
      return a;
    }
    if (n.kind == PNode::Kind::object) {
      Json o = Json::object();
      o.get_ref<Json::object_t&>().reserve(n.items.size());
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        std::string& key = n.keys[i].first;
        if (vars && key.find('$') != std::string::npos) {
          PNode kn;
          kn.pos = n.keys[i].second;
          expand(kn, key);
        }
        o[key] = convert(n.items[i]);
      }
      return o;
    }
    return scalar(n);
  }
};

void parse_problem(Document& doc, std::string message, Pos pos, std::string hint = {}) {
  Finding f;
  f.rule = "input-parse";
  f.severity = Severity::error;
  f.message = std::move(message);
  f.hint = hint.empty() ? std::string(find_rule("input-parse")->hint) : std::move(hint);
  f.pos = pos;
  doc.findings.push_back(std::move(f));
}

}  // namespace

Document load_text(std::string file, std::string text, const TemplateVars* vars) {
  Document doc;
  doc.file = std::move(file);
  doc.text = std::make_shared<const std::string>(std::move(text));
  PNode root;
  try {
    root = parse_document(*doc.text);
  } catch (const ParseError& e) {
    // Errors that come with their own hint say what was found themselves.
    if (e.hint.empty()) parse_problem(doc, std::string("not a JSON/YAML object: ") + e.what(), e.pos);
    else parse_problem(doc, e.what(), e.pos, e.hint);
    return doc;
  }
  if (root.kind != PNode::Kind::object) {
    parse_problem(doc, "not a JSON/YAML object: the document is a " +
                           std::string(root.kind == PNode::Kind::array ? "list" : "scalar"),
                  root.pos);
    return doc;
  }
  // describe-task-definition output: {"taskDefinition": {...}, "tags": [...]}.
  if (const PNode* inner = root.find("taskDefinition"); inner && inner->kind == PNode::Kind::object &&
                                                        !root.find("containerDefinitions")) {
    PNode td = *inner;
    if (const PNode* tags = root.find("tags"); tags && !td.find("tags")) {
      for (std::size_t i = 0; i < root.keys.size(); ++i)
        if (root.keys[i].first == "tags") {
          td.keys.push_back(root.keys[i]);
          td.items.push_back(*tags);
        }
    }
    root = std::move(td);
  }
  for (std::size_t i = root.keys.size(); i-- > 0;) {
    for (const char* ro : k_read_only)
      if (root.keys[i].first == ro) {
        root.keys.erase(root.keys.begin() + static_cast<long>(i));
        root.items.erase(root.items.begin() + static_cast<long>(i));
        break;
      }
  }
  Converter c{doc, vars};
  doc.def = c.convert(root);
  doc.tree = std::move(root);
  doc.parsed = true;
  return doc;
}

Document load_file(const std::string& path, const TemplateVars* vars) {
  struct stat st {};
  Document doc;
  doc.file = path;
  doc.text = std::make_shared<const std::string>();
  constexpr const char* read_hint = "check the path and the file's permissions";
  if (::stat(path.c_str(), &st) != 0) {
    parse_problem(doc, std::string("cannot read the file: ") + std::strerror(errno), Pos{}, read_hint);
    return doc;
  }
  if (!S_ISREG(st.st_mode)) {
    parse_problem(doc, S_ISDIR(st.st_mode) ? "cannot read the file: it is a directory" : "cannot read the file: it is not a regular file",
                  Pos{}, read_hint);
    return doc;
  }
  if (static_cast<std::size_t>(st.st_size) > k_max_file_bytes) {
    parse_problem(doc, "the file is " + std::to_string(st.st_size >> 20) + " MiB; task definition files are limited to " +
                           std::to_string(k_max_file_bytes >> 20) + " MiB",
                  Pos{1, 1});
    return doc;
  }
  // open/read rather than stdio: no FILE buffer to allocate and no second
  // fstat per file, which shows when validating thousands of files.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    parse_problem(doc, std::string("cannot read the file: ") + std::strerror(errno), Pos{}, read_hint);
    return doc;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    ssize_t r = ::read(fd, text.data() + got, text.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      ::close(fd);
      parse_problem(doc, std::string("cannot read the file: ") + std::strerror(err), Pos{}, read_hint);
      return doc;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  text.resize(got);
  return load_text(path, std::move(text), vars);
}

}  // namespace ecsctl::taskdef
