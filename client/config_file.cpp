#include "client/config_file.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace ecsctl::client {

const ConfigValue* ConfigSection::find(std::string_view key) const {
  auto it = values.find(std::string(key));
  return it == values.end() ? nullptr : &it->second;
}

std::optional<std::string> ConfigSection::get(std::string_view key) const {
  if (auto* v = find(key)) return v->value;
  return std::nullopt;
}

const ConfigSection* AwsConfig::profile(std::string_view name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void malformed(const std::string& file, int line, const std::string& what) {
  throw Error(Exit::config, "unable to parse config file: " + what, file + ":" + std::to_string(line),
              "fix or remove the line (sections are [name], settings are key = value)");
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

IniFile parse_ini(std::string_view text, const std::string& file) {
  IniFile out;
  ConfigSection* section = nullptr;
  ConfigValue* last = nullptr;
  int lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    auto line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && last) {
      // A continuation: either a nested "key = value" under an empty value, or more of the value.
      auto eq = line.find('=');
      if (last->value.empty() && eq != std::string_view::npos) {
        last->nested[std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
      } else {
        last->value += (last->value.empty() ? "" : "\n") + std::string(line);
      }
      continue;
    }
    if (line.front() == '[') {
      if (line.back() != ']') malformed(file, lineno, "section header without a closing ']'");
      auto name = std::string(trim(line.substr(1, line.size() - 2)));
      if (name.empty()) malformed(file, lineno, "empty section name");
      auto [it, fresh] = out.try_emplace(name);
      section = &it->second;
      if (fresh) section->name = name, section->file = file, section->line = lineno;
      last = nullptr;
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) malformed(file, lineno, "expected 'key = value', got '" + std::string(line.substr(0, 40)) + "'");
    if (!section) malformed(file, lineno, "setting before any [section] header");
    auto key = std::string(trim(line.substr(0, eq)));
    if (key.empty()) malformed(file, lineno, "setting without a name");
    ConfigValue v;
    v.value = std::string(trim(line.substr(eq + 1)));
    v.file = file;
    v.line = lineno;
    last = &(section->values[key] = std::move(v));
  }
  return out;
}

std::string expand_home(const Environment& env, std::string_view path) {
  if (path.starts_with("~")) return env.get("HOME").value_or("") + std::string(path.substr(1));
  return std::string(path);
}

AwsConfig load_aws_config(const Environment& env) {
  AwsConfig cfg;
  cfg.config_path = expand_home(env, env.get_nonempty("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  cfg.credentials_path =
      expand_home(env, env.get_nonempty("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  if (auto text = read_file(cfg.config_path)) {
    for (auto& [header, section] : parse_ini(*text, cfg.config_path)) {
      std::string name = header;
      if (header.starts_with("profile ")) {
        name = std::string(trim(std::string_view(header).substr(8)));
      } else if (header.starts_with("sso-session ")) {
        auto& s = cfg.sso_sessions[std::string(trim(std::string_view(header).substr(12)))] = section;
        s.name = std::string(trim(std::string_view(header).substr(12)));
        continue;
      } else if (header.starts_with("services ")) {
        cfg.services[std::string(trim(std::string_view(header).substr(9)))] = section;
        continue;
      } else if (header != "default") {
        continue;  // botocore ignores "[name]" without "profile " in the config file
      }
      auto& p = cfg.profiles[name];
      if (p.name.empty()) p.name = name, p.file = section.file, p.line = section.line;
      for (auto& [k, v] : section.values) p.values[k] = v;
    }
  }
  if (auto text = read_file(cfg.credentials_path)) {
    for (auto& [header, section] : parse_ini(*text, cfg.credentials_path)) {
      auto& p = cfg.profiles[header];
      if (p.name.empty()) p.name = header, p.file = section.file, p.line = section.line;
      for (auto& [k, v] : section.values) p.values[k] = v;
    }
  }
  return cfg;
}

}  // namespace ecsctl::client
