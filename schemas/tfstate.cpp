#include "schemas/tfstate.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace ecsctl::tfstate {
namespace {

// One step of an address: a name (after a dot, or the first) or an index
// ([0], ["key"], ['key']).
struct Step {
  bool index = false;
  bool number = false;
  std::string text;
};

std::optional<std::vector<Step>> split(std::string_view a, std::string& error) {
  std::vector<Step> out;
  std::size_t i = 0;
  bool expect_name = true;
  while (i < a.size()) {
    if (a[i] == '[') {
      std::size_t close = a.find(']', i);
      if (close == std::string_view::npos) return error = "an unclosed [ in '" + std::string(a) + "'", std::nullopt;
      std::string_view in = a.substr(i + 1, close - i - 1);
      Step s{true, false, {}};
      if (in.size() >= 2 && (in[0] == '"' || in[0] == '\'') && in.back() == in[0]) {
        s.text = std::string(in.substr(1, in.size() - 2));
      } else if (!in.empty() && std::all_of(in.begin(), in.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        s.number = true;
        s.text = std::string(in);
      } else {
        return error = "the index [" + std::string(in) + "] is neither a number nor a quoted key", std::nullopt;
      }
      out.push_back(std::move(s));
      i = close + 1;
      expect_name = false;
      continue;
    }
    if (a[i] == '.') {
      if (expect_name) return error = "an empty name in '" + std::string(a) + "'", std::nullopt;
      ++i;
      expect_name = true;
      continue;
    }
    std::size_t end = a.find_first_of(".[", i);
    if (end == std::string_view::npos) end = a.size();
    if (!expect_name) return error = "a '.' is missing before '" + std::string(a.substr(i, end - i)) + "'", std::nullopt;
    out.push_back({false, false, std::string(a.substr(i, end - i))});
    i = end;
    expect_name = false;
  }
  if (expect_name) return error = "the address '" + std::string(a) + "' ends without a name", std::nullopt;
  return out;
}

// Follows `steps` from `from` into a value.
std::optional<Json> walk(Json v, const std::vector<Step>& steps, std::size_t from, std::string_view what,
                         std::string& error) {
  std::string at(what);
  for (std::size_t i = from; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.index && s.number) {
      if (!v.is_array()) return error = at + " is not a list", std::nullopt;
      std::size_t n = std::stoul(s.text);
      if (n >= v.size()) return error = at + " has " + std::to_string(v.size()) + " element(s), no [" + s.text + "]", std::nullopt;
      v = v[n];
      at += "[" + s.text + "]";
      continue;
    }
    if (!v.is_object() || !v.contains(s.text)) return error = at + " has no " + s.text, std::nullopt;
    v = v[s.text];
    at += (s.index ? "[\"" + s.text + "\"]" : "." + s.text);
  }
  return v;
}

bool same_index(const Json& key, const Step& s) {
  if (s.number) return key.is_number_integer() && std::to_string(key.get<long long>()) == s.text;
  return key.is_string() && key.get<std::string>() == s.text;
}

}  // namespace

std::optional<Json> lookup(const Json& state, std::string_view address, std::string& error) {
  auto steps = split(address, error);
  if (!steps) return std::nullopt;
  const auto& st = *steps;
  if (st[0].text == "output" && !st[0].index) {
    if (st.size() < 2 || st[1].index) return error = "give an output as output.NAME", std::nullopt;
    const Json* outputs = state.contains("outputs") && state["outputs"].is_object() ? &state["outputs"] : nullptr;
    if (!outputs || !outputs->contains(st[1].text))
      return error = "the state has no output " + st[1].text, std::nullopt;
    const Json& o = (*outputs)[st[1].text];
    return walk(o.is_object() && o.contains("value") ? o["value"] : o, st, 2, "output." + st[1].text, error);
  }
  std::size_t i = 0;
  std::string module;
  while (i + 1 < st.size() && st[i].text == "module" && !st[i].index) {
    module += (module.empty() ? "" : ".") + std::string("module.") + st[i + 1].text;
    i += 2;
    if (i < st.size() && st[i].index) {
      module += st[i].number ? "[" + st[i].text + "]" : "[\"" + st[i].text + "\"]";
      ++i;
    }
  }
  std::string mode = "managed";
  if (i < st.size() && st[i].text == "data" && !st[i].index) mode = "data", ++i;
  if (i + 1 >= st.size() || st[i].index || st[i + 1].index)
    return error = "give a resource as TYPE.NAME.ATTRIBUTE or an output as output.NAME", std::nullopt;
  const std::string type = st[i].text, name = st[i + 1].text;
  i += 2;
  const Step* index = i < st.size() && st[i].index ? &st[i++] : nullptr;
  std::string what = (module.empty() ? "" : module + ".") + (mode == "data" ? "data." : "") + type + "." + name;
  if (!state.contains("resources") || !state["resources"].is_array())
    return error = "the state has no resources (is it a Terraform state file, version 4?)", std::nullopt;
  for (const auto& r : state["resources"]) {
    if (r.value("module", "") != module || r.value("mode", "managed") != mode || r.value("type", "") != type ||
        r.value("name", "") != name)
      continue;
    for (const auto& inst : r.value("instances", Json::array())) {
      bool keyed = inst.contains("index_key");
      if (index ? !keyed || !same_index(inst["index_key"], *index) : keyed) continue;
      if (index) what += index->number ? "[" + index->text + "]" : "[\"" + index->text + "\"]";
      if (i >= st.size()) return error = "name an attribute of " + what + " (" + what + ".id, .arn, ...)", std::nullopt;
      return walk(inst.value("attributes", Json::object()), st, i, what, error);
    }
    return error = what + (index ? " has no such instance" : " has several instances; add [INDEX]"), std::nullopt;
  }
  return error = "the state has no resource " + what, std::nullopt;
}

std::optional<std::string> lookup_text(const Json& state, std::string_view address, std::string& error) {
  auto v = lookup(state, address, error);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number() || v->is_boolean()) return v->dump();
  error = std::string(address) + " is " + (v->is_array() ? "a list" : v->is_object() ? "a map" : "null") +
          "; index into it ([0], .key) for one value";
  return std::nullopt;
}

}  // namespace ecsctl::tfstate
