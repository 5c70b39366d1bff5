// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials):
// INI sections, comments, continuation lines and nested sub-sections, with
// every value remembering its file and line for error messages.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/environment.hpp"

namespace ecsctl::client {

struct ConfigValue {
  std::string value;
  std::string file;
  int line = 0;
  std::map<std::string, std::string> nested;  // "key =" followed by indented "sub = value" lines
  std::string where() const { return file + ":" + std::to_string(line); }
};

struct ConfigSection {
  std::string name;  // "default", "dev" (without "profile "), "my-sso"
  std::string file;
  int line = 0;
  std::map<std::string, ConfigValue> values;
  // The value of `key`, or nullopt.
  std::optional<std::string> get(std::string_view key) const;
  const ConfigValue* find(std::string_view key) const;
};

// One parsed file: section header as written ("profile dev", "default", "sso-session x") -> section.
using IniFile = std::map<std::string, ConfigSection, std::less<>>;

// Parses INI text; throws Error(Exit::config) naming `file` and the line on a malformed line.
IniFile parse_ini(std::string_view text, const std::string& file);

// Both files merged the way the AWS CLI reads them.
struct AwsConfig {
  std::map<std::string, ConfigSection, std::less<>> profiles;      // config [profile x]/[default] + credentials [x]
  std::map<std::string, ConfigSection, std::less<>> sso_sessions;  // [sso-session x]
  std::map<std::string, ConfigSection, std::less<>> services;      // [services x]
  std::string config_path, credentials_path;
  const ConfigSection* profile(std::string_view name) const;
};

// Reads AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE
// (default ~/.aws/credentials); missing files are empty. Credentials-file keys win.
AwsConfig load_aws_config(const Environment& env);

// ~ expanded with HOME from `env`.
std::string expand_home(const Environment& env, std::string_view path);

}  // namespace ecsctl::client
