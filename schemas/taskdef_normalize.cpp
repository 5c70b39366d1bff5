#include "schemas/taskdef_normalize.hpp"

#include <algorithm>

#include "schemas/taskdef_size.hpp"

namespace ecsctl::taskdef {

namespace {

Json drop_nulls(const Json& v) {
  if (v.is_object()) {
    Json o = Json::object();
    for (const auto& [k, x] : v.items())
      if (!x.is_null()) o[k] = drop_nulls(x);
    return o;
  }
  if (v.is_array()) {
    Json a = Json::array();
    for (const auto& x : v) a.push_back(drop_nulls(x));
    return a;
  }
  return v;
}

// Removes empty containers and false booleans (except essential), sorts keys.
Json prune(const Json& v, std::string_view key) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, x] : v.items()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    Json o = Json::object();
    for (const auto& k : keys) {
      Json x = prune(v.at(k), k);
      bool empty = x.is_null() || ((x.is_array() || x.is_object()) && x.empty()) ||
                   (x.is_boolean() && !x.get<bool>() && k != "essential");
      if (!empty) o[k] = std::move(x);
    }
    return o;
  }
  if (v.is_array()) {
    Json a = Json::array();
    for (const auto& x : v) a.push_back(prune(x, key));
    return a;
  }
  return v;
}

void sort_by(Json& list, const char* field) {
  if (!list.is_array()) return;
  std::stable_sort(list.begin(), list.end(), [&](const Json& a, const Json& b) {
    std::string x = a.is_object() ? a.value(field, "") : "", y = b.is_object() ? b.value(field, "") : "";
    return x < y;
  });
}

void erase_if_equal(Json& obj, const char* key, const Json& value) {
  if (obj.is_object() && obj.contains(key) && obj[key] == value) obj.erase(key);
}

void normalize_container(Json& c, const std::string& network_mode) {
  if (!c.is_object()) return;
  erase_if_equal(c, "essential", true);
  erase_if_equal(c, "cpu", 0);
  if (c.contains("portMappings") && c["portMappings"].is_array())
    for (auto& pm : c["portMappings"]) {
      erase_if_equal(pm, "protocol", "tcp");
      if ((network_mode == "awsvpc" || network_mode == "host") && pm.is_object() && pm.contains("hostPort") &&
          pm.contains("containerPort") && pm["hostPort"] == pm["containerPort"])
        pm.erase("hostPort");
    }
  if (c.contains("healthCheck")) {
    Json& hc = c["healthCheck"];
    erase_if_equal(hc, "interval", 30);
    erase_if_equal(hc, "timeout", 5);
    erase_if_equal(hc, "retries", 3);
  }
  if (c.contains("environment")) sort_by(c["environment"], "name");
  if (c.contains("secrets")) sort_by(c["secrets"], "name");
}

}  // namespace

Json normalize_for_render(const Json& def) {
  Json out = drop_nulls(def);
  if (!out.is_object()) return out;
  if (out.contains("cpu") && out["cpu"].is_string())
    if (auto v = parse_task_cpu(out["cpu"].get<std::string>())) out["cpu"] = std::to_string(*v);
  if (out.contains("memory") && out["memory"].is_string())
    if (auto v = parse_task_memory(out["memory"].get<std::string>())) out["memory"] = std::to_string(*v);
  return out;
}

Json normalize_for_diff(const Json& def) {
  Json out = normalize_for_render(def);
  if (!out.is_object()) return out;
  std::string nm = out.value("networkMode", "bridge");
  erase_if_equal(out, "networkMode", "bridge");
  if (out.contains("containerDefinitions") && out["containerDefinitions"].is_array())
    for (auto& c : out["containerDefinitions"]) normalize_container(c, nm);
  if (out.contains("tags")) sort_by(out["tags"], "key");
  return prune(out, "");
}

Json registration_from_describe(const Json& described) {
  static const char* const read_only[] = {"taskDefinitionArn", "revision", "status", "requiresAttributes",
                                          "compatibilities", "registeredAt", "registeredBy", "deregisteredAt",
                                          "deleteRequestedAt"};
  Json td = described.contains("taskDefinition") ? described["taskDefinition"] : described;
  if (!td.is_object()) return Json::object();
  for (const char* k : read_only) td.erase(k);
  if (described.contains("tags") && described["tags"].is_array() && !described["tags"].empty())
    td["tags"] = described["tags"];
  return td;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

namespace {

enum class Op { keep, del, ins };

// Myers' greedy algorithm with the V arrays saved per d for backtracking.
std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size()), max = n + m;
  const long off = max + 1;
  std::vector<long> v(static_cast<std::size_t>(2 * max + 3), 0);
  std::vector<std::vector<long>> trace;
  long found_d = 0;
  for (long d = 0; d <= max; ++d) {
    trace.push_back(v);
    bool done = false;
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && a[x] == b[y]) { ++x; ++y; }
      v[off + k] = x;
      if (x >= n && y >= m) { done = true; break; }
    }
    if (done) { found_d = d; break; }
  }
  std::vector<Op> ops;
  long x = n, y = m;
  for (long d = found_d; d > 0; --d) {
    const std::vector<long>& pv = trace[static_cast<std::size_t>(d)];
    long k = x - y;
    long pk = (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
    long px = pv[off + pk], py = px - pk;
    while (x > px && y > py) { ops.push_back(Op::keep); --x; --y; }
    ops.push_back(pk == k + 1 ? Op::ins : Op::del);
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) { ops.push_back(Op::keep); --x; --y; }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

}  // namespace

std::vector<std::string> unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                      std::string_view a_name, std::string_view b_name, std::size_t context) {
  std::vector<Op> ops = edit_script(a, b);
  std::vector<std::string> out;
  if (std::all_of(ops.begin(), ops.end(), [](Op o) { return o == Op::keep; })) return out;
  out.push_back("--- " + std::string(a_name));
  out.push_back("+++ " + std::string(b_name));
  // Positions in a and b before each op.
  std::vector<std::size_t> ai(ops.size() + 1), bi(ops.size() + 1);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    ai[i + 1] = ai[i] + (ops[i] != Op::ins ? 1 : 0);
    bi[i + 1] = bi[i] + (ops[i] != Op::del ? 1 : 0);
  }
  std::size_t i = 0;
  while (i < ops.size()) {
    if (ops[i] == Op::keep) { ++i; continue; }
    std::size_t start = i >= context ? i - context : 0;
    // Extend the hunk while the next change is within 2*context keeps.
    std::size_t end = i;
    for (;;) {
      while (end < ops.size() && ops[end] != Op::keep) ++end;
      std::size_t keeps = 0, j = end;
      while (j < ops.size() && ops[j] == Op::keep) { ++j; ++keeps; }
      if (j < ops.size() && keeps <= 2 * context) { end = j; continue; }
      end = std::min(ops.size(), end + context);
      break;
    }
    std::size_t a_len = ai[end] - ai[start], b_len = bi[end] - bi[start];
    out.push_back("@@ -" + std::to_string(a_len ? ai[start] + 1 : ai[start]) + "," + std::to_string(a_len) + " +" +
                  std::to_string(b_len ? bi[start] + 1 : bi[start]) + "," + std::to_string(b_len) + " @@");
    for (std::size_t j = start; j < end; ++j) {
      if (ops[j] == Op::keep) out.push_back(" " + a[ai[j]]);
      else if (ops[j] == Op::del) out.push_back("-" + a[ai[j]]);
      else out.push_back("+" + b[bi[j]]);
    }
    i = end;
  }
  return out;
}

}  // namespace ecsctl::taskdef
