// Section 4 of task-definition-rules.md: names, references and limits.
#include <cstdint>
#include <map>
#include <set>

#include "schemas/taskdef_check.hpp"

namespace ecsctl::taskdef {

namespace {

bool name_chars(const std::string& s, std::size_t max = 255) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

bool image_chars(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.' || c == '/' || c == '#'))
      return false;
  return true;
}

bool valid_image(const std::string& img) {
  std::size_t at = img.find('@');
  if (at == std::string::npos) return image_chars(img);
  std::string_view digest = std::string_view(img).substr(at + 1);
  if (!image_chars(std::string_view(img).substr(0, at)) || digest.substr(0, 7) != "sha256:") return false;
  digest.remove_prefix(7);
  if (digest.size() != 64) return false;
  for (char c : digest)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Characters of TagKey/TagValue: letters, spaces, numbers (any script), _ . : / = + - @.
std::optional<std::size_t> tag_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    ++n;
    if (c >= 0x80) continue;           // non-ASCII letters/numbers/spaces: accepted
    if (!(std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' ||
          c == '-' || c == '@'))
      return std::nullopt;
  }
  return n;
}

bool starts_with_aws(const std::string& s) {
  return s.size() >= 4 && std::tolower(static_cast<unsigned char>(s[0])) == 'a' &&
         std::tolower(static_cast<unsigned char>(s[1])) == 'w' && std::tolower(static_cast<unsigned char>(s[2])) == 's' &&
         s[3] == ':';
}

}  // namespace

// ^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$
bool valid_role_arn(const std::string& s) {
  if (s.rfind("arn:aws", 0) != 0) return false;
  std::size_t i = 7;
  while (i < s.size() && (std::islower(static_cast<unsigned char>(s[i])) || s[i] == '-')) ++i;
  if (s.compare(i, 6, ":iam::") != 0) return false;
  i += 6;
  for (int d = 0; d < 12; ++d, ++i)
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s.compare(i, 6, ":role/") != 0) return false;
  i += 6;
  std::size_t n = s.size() - i;
  if (n < 1 || n > 512) return false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' ||
          c == '@' || c == '/' || c == '-'))
      return false;
  }
  return true;
}

static void check_containers_names(Checker& k) {
  const Json* cs = list_at(k.td, "containerDefinitions");
  if (cs && cs->empty()) k.add("container-count-min", "containerDefinitions", "containerDefinitions is empty");
  if (cs && cs->size() > 10)
    k.add("container-count-max", "containerDefinitions", std::to_string(cs->size()) + " containers; ECS allows at most 10");
  std::set<std::string> names;
  for (std::size_t i = 0; i < k.containers.size(); ++i) {
    const Json& c = *k.containers[i].first;
    const std::string& p = k.containers[i].second;
    auto name = string_at(c, "name");
    if (!name || name->empty()) {
      if (!member(c, "name") || (name && name->empty()))
        k.add("container-name-required", p + ".name", "container #" + std::to_string(i) + " has no name");
    } else {
      if (!name_chars(*name))
        k.add("container-name-format", p + ".name", "container name '" + *name + "' is not 1..255 letters, digits, - and _");
      if (!names.insert(*name).second) k.add("container-name-unique", p + ".name", "container name " + *name + " is used twice");
    }
    auto image = string_at(c, "image");
    if (!image || image->empty()) {
      if (!member(c, "image") || (image && image->empty()))
        k.add("container-image-required", p + ".image", "container " + container_label(c, i) + " has no image");
    } else if (!valid_image(*image)) {
      k.add("image-format", p + ".image", "image '" + *image + "' is not repository[:tag] or repository@sha256:<64 hex>");
    }
  }
}

static void check_tags(Checker& k) {
  const Json* tags = list_at(k.td, "tags");
  if (!tags) return;
  std::size_t counted = 0;
  std::set<std::string> keys;
  for (std::size_t i = 0; i < tags->size(); ++i) {
    const Json& t = (*tags)[i];
    std::string p = path_index("tags", i);
    auto key = string_at(t, "key");
    auto value = string_at(t, "value");
    if (key && !starts_with_aws(*key)) ++counted;
    if (key) {
      auto len = tag_length(*key);
      if (!len || *len < 1 || *len > 128) k.add("tag-key-format", p + ".key", "tag key '" + *key + "' is not 1..128 allowed characters");
      if (!keys.insert(*key).second) k.add("tag-key-unique", p + ".key", "tag key " + *key + " appears twice");
      if (starts_with_aws(*key)) k.add("tag-aws-prefix", p + ".key", "tag key '" + *key + "' starts with the reserved aws: prefix");
    }
    if (value) {
      auto len = tag_length(*value);
      if (!len || *len > 256) k.add("tag-key-format", p + ".value", "tag value is not up to 256 allowed characters");
      if (starts_with_aws(*value)) k.add("tag-aws-prefix", p + ".value", "tag value starts with the reserved aws: prefix");
    }
  }
  if (counted > 50) k.add("tags-max", "tags", std::to_string(counted) + " tags; at most 50 are allowed");
}

static void check_env_names(Checker& k) {
  for (auto& [c, p] : k.containers) {
    std::map<std::string, bool> seen;
    if (const Json* env = list_at(*c, "environment")) {
      for (std::size_t i = 0; i < env->size(); ++i) {
        auto name = string_at((*env)[i], "name");
        if (!name) continue;
        std::string ep = path_index(p + ".environment", i) + ".name";
        bool ok = !name->empty() && (std::isalpha(static_cast<unsigned char>((*name)[0])) || (*name)[0] == '_');
        for (char ch : *name) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
        if (!ok) k.add("env-name-format", ep, "environment variable name '" + *name + "' is not letters, digits and _");
        if (!seen.emplace(*name, true).second) k.add("env-duplicate", ep, *name + " is set twice in environment");
      }
    }
    if (const Json* secrets = list_at(*c, "secrets")) {
      for (std::size_t i = 0; i < secrets->size(); ++i) {
        auto name = string_at((*secrets)[i], "name");
        if (name && seen.count(*name))
          k.add("env-duplicate", path_index(p + ".secrets", i) + ".name", *name + " is set in both environment and secrets");
      }
    }
  }
}

static void check_roles(Checker& k) {
  for (const char* role : {"taskRoleArn", "executionRoleArn"}) {
    auto v = string_at(k.td, role);
    if (!v || v->empty()) continue;
    if (v->rfind("arn:", 0) == 0) {
      if (!valid_role_arn(*v)) k.add("role-arn-format", role, std::string(role) + " '" + *v + "' is not an IAM role ARN");
    } else if (std::string_view(role) == "executionRoleArn") {
      k.add("execution-role-short-name", role, "executionRoleArn '" + *v + "' is not a full ARN");
    }
  }
}

// The length of v.dump() without building the string (for every file, the
// string was most of this check's time). Strings with non-ASCII bytes and
// floats are dumped on their own: the same bytes, and the same exception for
// invalid UTF-8.
static std::size_t escaped_size(const std::string& s) {
  std::size_t n = 2;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) return Json(s).dump().size();
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') n += 2;
    else if (c < 0x20) n += 6;  // \u00XX
    else n += 1;
  }
  return n;
}

std::size_t serialized_size(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return 4;
    case Json::value_t::boolean: return v.get<bool>() ? 4 : 5;
    case Json::value_t::number_integer: return std::to_string(v.get<std::int64_t>()).size();
    case Json::value_t::number_unsigned: return std::to_string(v.get<std::uint64_t>()).size();
    case Json::value_t::string: return escaped_size(v.get_ref<const std::string&>());
    case Json::value_t::array: {
      std::size_t n = 2 + (v.empty() ? 0 : v.size() - 1);
      for (const auto& x : v) n += serialized_size(x);
      return n;
    }
    case Json::value_t::object: {
      std::size_t n = 2 + (v.empty() ? 0 : v.size() - 1);
      for (const auto& [key, x] : v.get_ref<const Json::object_t&>()) n += escaped_size(key) + 1 + serialized_size(x);
      return n;
    }
    default: return v.dump().size();  // floats (shortest round-trip form), binary
  }
}

void check_names(Checker& k) {
  if (auto family = string_at(k.td, "family"); family && !name_chars(*family))
    k.add("family-format", "family", "family '" + *family + "' is not 1..255 letters, digits, - and _");
  check_containers_names(k);
  if (const Json* vols = list_at(k.td, "volumes")) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < vols->size(); ++i) {
      const Json& v = (*vols)[i];
      auto name = string_at(v, "name");
      std::string p = path_index("volumes", i) + ".name";
      if (!name) {
        if (is_set(v, "efsVolumeConfiguration") || is_set(v, "s3filesVolumeConfiguration") || is_set(v, "configuredAtLaunch"))
          k.add("volume-name-format", p, "this volume needs a name");
        continue;
      }
      if (!name_chars(*name)) k.add("volume-name-format", p, "volume name '" + *name + "' is not 1..255 letters, digits, - and _");
      if (!names.insert(*name).second) k.add("volume-name-unique", p, "volume " + *name + " is defined twice");
    }
  }
  check_tags(k);
  check_env_names(k);
  check_roles(k);
  std::size_t size = serialized_size(k.td);
  if (size > 65536)
    k.add("taskdef-size", "", "the task definition is " + std::to_string(size / 1024) + " KiB when serialized");
}

}  // namespace ecsctl::taskdef
