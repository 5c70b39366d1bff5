#include "cli/output.hpp"

#include <algorithm>
#include <ostream>
#include <set>

#include "cli/error.hpp"
#include "cli/jmespath.hpp"

namespace ecsctl {

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "json") return OutputFormat::json;
  if (name == "yaml") return OutputFormat::yaml;
  if (name == "yaml-stream") return OutputFormat::yaml_stream;
  if (name == "text") return OutputFormat::text;
  if (name == "table") return OutputFormat::table;
  if (name == "off") return OutputFormat::off;
  return std::nullopt;
}

std::string render_json(const Json& value) {
  // Python's json.dump(indent=4, ensure_ascii=False): 4 spaces, UTF-8 kept.
  return value.dump(4, ' ', false, Json::error_handler_t::replace) + "\n";
}

// ---- text: the AWS CLI's tab-separated format -------------------------------

static std::string text_scalar(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

static bool is_container(const Json& v) { return v.is_object() || v.is_array(); }

static std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

static void text_value(const Json& item, std::string& out, const std::string* identifier,
                       const std::vector<std::string>* scalar_keys);

static void text_scalar_list(const std::vector<const Json*>& elements, const std::string* identifier,
                             std::string& out) {
  if (identifier) {
    for (const Json* e : elements) out += upper(*identifier) + "\t" + text_scalar(*e) + "\n";
    return;
  }
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i) out += '\t';
    out += text_scalar(*elements[i]);
  }
  out += '\n';
}

static void text_list(const Json& list, std::string& out, const std::string* identifier) {
  if (list.empty()) return;
  bool any_dict = std::any_of(list.begin(), list.end(), [](const Json& e) { return e.is_object(); });
  bool any_list = std::any_of(list.begin(), list.end(), [](const Json& e) { return e.is_array(); });
  if (any_dict) {
    // Every object of the list prints the union of the scalar keys, sorted.
    std::set<std::string> keys;
    for (const auto& e : list)
      if (e.is_object())
        for (auto it = e.begin(); it != e.end(); ++it)
          if (!is_container(it.value())) keys.insert(it.key());
    std::vector<std::string> all(keys.begin(), keys.end());
    for (const auto& e : list) text_value(e, out, identifier, &all);
  } else if (any_list) {
    std::vector<const Json*> scalars, others;
    for (const auto& e : list) (is_container(e) ? others : scalars).push_back(&e);
    if (!scalars.empty()) text_scalar_list(scalars, identifier, out);
    for (const Json* e : others) text_value(*e, out, identifier, nullptr);
  } else {
    std::vector<const Json*> all;
    for (const auto& e : list) all.push_back(&e);
    text_scalar_list(all, identifier, out);
  }
}

static void text_dict(const Json& dict, std::string& out, const std::string* identifier,
                      const std::vector<std::string>* scalar_keys) {
  std::vector<std::string> scalars;
  std::vector<std::pair<std::string, const Json*>> non_scalars;
  if (!scalar_keys) {
    std::vector<std::string> keys;
    for (auto it = dict.begin(); it != dict.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      const Json& v = dict.at(k);
      if (is_container(v)) non_scalars.emplace_back(k, &v);
      else scalars.push_back(text_scalar(v));
    }
  } else {
    for (const auto& k : *scalar_keys) {
      auto it = dict.find(k);
      scalars.push_back(it == dict.end() ? std::string() : text_scalar(*it));
    }
    std::vector<std::string> rest;
    for (auto it = dict.begin(); it != dict.end(); ++it)
      if (!std::binary_search(scalar_keys->begin(), scalar_keys->end(), it.key())) rest.push_back(it.key());
    std::sort(rest.begin(), rest.end());
    for (const auto& k : rest) non_scalars.emplace_back(k, &dict.at(k));
  }
  if (!scalars.empty()) {
    if (identifier) scalars.insert(scalars.begin(), upper(*identifier));
    for (std::size_t i = 0; i < scalars.size(); ++i) {
      if (i) out += '\t';
      out += scalars[i];
    }
    out += '\n';
  }
  for (const auto& [k, v] : non_scalars) text_value(*v, out, &k, nullptr);
}

static void text_value(const Json& item, std::string& out, const std::string* identifier,
                       const std::vector<std::string>* scalar_keys) {
  if (item.is_object()) text_dict(item, out, identifier, scalar_keys);
  else if (item.is_array()) text_list(item, out, identifier);
  else out += text_scalar(item) + "\n";
}

std::string render_text(const Json& value) {
  std::string out;
  text_value(value, out, nullptr, nullptr);
  return out;
}

std::string render(const Json& value, OutputFormat format, std::string_view title) {
  switch (format) {
    case OutputFormat::json: return render_json(value);
    case OutputFormat::yaml: return render_yaml(value);
    case OutputFormat::yaml_stream: return render_yaml_stream(value);
    case OutputFormat::text: return render_text(value);
    case OutputFormat::table: return render_table(value, title);
    case OutputFormat::off: return {};
  }
  return {};
}

void print_result(Context& ctx, const Json& result, std::string_view title) {
  const Json* value = &result;
  Json queried;
  if (ctx.opts.query) {
    try {
      queried = jmespath::search(*ctx.opts.query, result);
    } catch (const jmespath::Error& e) {
      throw Error(Exit::usage, std::string("invalid --query: ") + e.what(),
                  "--query, position " + std::to_string(e.position()));
    }
    value = &queried;
  }
  // Like the AWS CLI, an operation with an empty response ({}) prints nothing.
  if (value->is_object() && value->empty() && ctx.opts.output != OutputFormat::table) return;
  if (ctx.opts.output == OutputFormat::table)
    ctx.out << render_table(*value, title, ctx.color_stdout());
  else
    ctx.out << render(*value, ctx.opts.output, title);
  ctx.out.flush();
}

}  // namespace ecsctl
