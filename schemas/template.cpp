#include "schemas/template.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace ecsctl::taskdef {

std::optional<std::string> TemplateVars::get(std::string_view name) const {
  if (auto it = m_vars.find(name); it != m_vars.end()) return it->second;
  if (m_env) return m_env->get(name);
  return std::nullopt;
}

static bool valid_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

void TemplateVars::add_assignment(std::string_view a) {
  std::size_t eq = a.find('=');
  if (eq == std::string_view::npos || !valid_name(a.substr(0, eq)))
    throw_usage("--var takes NAME=VALUE, got '" + std::string(a.substr(0, a.find('='))) + "'",
                "e.g. --var IMAGE_TAG=1.4.2");
  set(std::string(a.substr(0, eq)), std::string(a.substr(eq + 1)));
}

static std::string read_text(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_usage(std::string(flag) + ": cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void TemplateVars::add_env_file(const std::string& path) {
  int bad = 0;
  auto pairs = parse_dotenv(read_text(path, "--env-file"), bad);
  if (bad) throw_usage("--env-file " + path + ":" + std::to_string(bad) + ": not NAME=VALUE");
  for (auto& [k, v] : pairs) set(k, v);
}

void TemplateVars::add_var_file(const std::string& path) {
  std::string text = read_text(path, "--var-file");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw_usage("--var-file " + path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw_usage("--var-file " + path + ": expected a mapping of NAME: value");
  for (const auto& kv : root) {
    if (!kv.second.IsScalar() && !kv.second.IsNull())
      throw_usage("--var-file " + path + ": value of '" + kv.first.Scalar() + "' is not a scalar");
    set(kv.first.Scalar(), kv.second.IsNull() ? "" : kv.second.Scalar());
  }
}

std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text, int& bad_line) {
  std::vector<std::pair<std::string, std::string>> out;
  bad_line = 0;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    auto trim = [](std::string_view s) {
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
      return s;
    };
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || !valid_name(trim(line.substr(0, eq)))) {
      bad_line = line_no;
      return out;
    }
    std::string name(trim(line.substr(0, eq)));
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && (raw[0] == '"' || raw[0] == '\'')) {
      char q = raw[0];
      std::size_t close = raw.rfind(q);
      if (close == 0) { bad_line = line_no; return out; }
      std::string_view body = raw.substr(1, close - 1);
      for (std::size_t i = 0; i < body.size(); ++i) {
        if (q == '"' && body[i] == '\\' && i + 1 < body.size()) {
          char e = body[++i];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          value += body[i];
        }
      }
    } else {
      std::size_t hash = raw.find(" #");
      value = std::string(trim(raw.substr(0, hash)));
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

// Finds the '}' closing the ${ at `open` (which points at '$'), allowing nested ${}.
static std::size_t closing_brace(std::string_view in, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open + 1; i < in.size(); ++i) {
    if (in[i] == '{') ++depth;
    else if (in[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

bool is_lookup_kind(std::string_view kind) { return kind == "ssm" || kind == "tfstate"; }

std::string expand_template(std::string_view in, const TemplateVars& vars,
                            std::vector<TemplateProblem>& problems) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t d = in.find('$', i);
    if (d == std::string_view::npos || d + 1 >= in.size()) {
      out.append(in.substr(i));
      break;
    }
    out.append(in.substr(i, d - i));
    if (in[d + 1] == '$') { out += '$'; i = d + 2; continue; }
    if (in[d + 1] != '{') { out += '$'; i = d + 1; continue; }
    std::size_t close = closing_brace(in, d);
    if (close == std::string_view::npos) {
      problems.push_back({d, "", "unterminated ${ (write $$ for a literal $)"});
      break;
    }
    std::string_view body = in.substr(d + 2, close - d - 2);
    i = close + 1;
    if (std::size_t c = body.find(':'); c != std::string_view::npos && is_lookup_kind(body.substr(0, c))) {
      std::string_view kind = body.substr(0, c), arg = body.substr(c + 1);
      std::string error;
      std::optional<std::string> value;
      if (!vars.lookup()) error = "${" + std::string(kind) + ":...} lookups are resolved only by deploy and diff of a service as code (ecsctl.yaml)";
      else if (arg.empty()) error = "${" + std::string(kind) + ":} needs a name";
      else value = vars.lookup()(kind, arg, error);
      if (value) out += *value;
      else problems.push_back({d, "", "${" + std::string(body) + "}: " + error});
      continue;
    }
    std::size_t op = body.find_first_of(":-?");
    std::string_view name = body.substr(0, op);
    if (!valid_name(name)) {
      problems.push_back({d, std::string(name), "invalid variable reference ${" + std::string(body) + "}"});
      continue;
    }
    std::optional<std::string> value = vars.get(name);
    std::string_view rest = op == std::string_view::npos ? std::string_view{} : body.substr(op);
    bool colon = !rest.empty() && rest[0] == ':';
    if (colon) rest.remove_prefix(1);
    bool missing = !value || (colon && value->empty());
    if (!rest.empty() && rest[0] == '-') {
      if (missing) {
        std::vector<TemplateProblem> inner;
        out += expand_template(rest.substr(1), vars, inner);
        for (auto& p : inner) problems.push_back({d, p.variable, p.message});
      } else {
        out += *value;
      }
    } else if (!rest.empty() && rest[0] == '?') {
      if (missing) {
        std::string msg = std::string(rest.substr(1));
        problems.push_back({d, std::string(name),
                            "required variable " + std::string(name) + " is not set" +
                                (msg.empty() ? "" : ": " + msg)});
      } else {
        out += *value;
      }
    } else if (!rest.empty() || (op != std::string_view::npos && !colon)) {
      problems.push_back({d, std::string(name), "invalid variable reference ${" + std::string(body) + "}"});
    } else if (!value) {
      problems.push_back({d, std::string(name),
                          "variable " + std::string(name) + " is not set (use ${" + std::string(name) +
                              ":-default} for a default)"});
    } else {
      out += *value;
    }
  }
  return out;
}

}  // namespace ecsctl::taskdef
