// A test-only HTTP server on 127.0.0.1 for the client's integration tests. It
// recomputes and checks the SigV4 signature of every request (with
// ecsctl::sigv4::verify), answers with canned json-1.1 / query responses, and
// injects faults queued through an unsigned control endpoint:
//   POST /__control/faults   body "throttle,500,503,reset,slow:2,ok" (one per request)
//   GET  /__control/log      one JSON line per request received
// Usage: sigv4_test_server --port-file FILE [--key AKID:SECRET]...
#include <httplib.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "core/json.hpp"
#include "client/sigv4.hpp"

namespace {

using ecsctl::Json;

std::mutex g_mutex;
std::deque<std::string> g_faults;
std::vector<std::string> g_log;
std::map<std::string, std::string, std::less<>> g_keys{{"AKIDTEST", "test/secret+key"}};

const char* k_role_key = "ASIAROLEKEY";
const char* k_role_secret = "role/secret+from+sts";

std::string next_fault() {
  std::lock_guard lock(g_mutex);
  if (g_faults.empty()) return "ok";
  auto f = g_faults.front();
  g_faults.pop_front();
  return f;
}

ecsctl::sigv4::Request to_sigv4(const httplib::Request& req) {
  ecsctl::sigv4::Request r;
  r.method = req.method;
  auto q = req.target.find('?');
  r.path = req.target.substr(0, q);  // raw, as sent
  // From the target itself: httplib also puts form-encoded bodies into req.params.
  if (q != std::string::npos) {
    httplib::Params params;
    httplib::detail::parse_query_text(req.target.substr(q + 1), params);
    for (auto& [k, v] : params) r.query.emplace_back(k, v);
  }
  for (auto& [k, v] : req.headers) {
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
    r.headers.emplace_back(k, v);
  }
  r.body = req.body;
  return r;
}

bool is_query(const httplib::Request& req) { return !req.has_header("X-Amz-Target"); }

std::string form_value(const std::string& body, const std::string& key) {
  httplib::Params p;
  httplib::detail::parse_query_text(body, p);
  auto it = p.find(key);
  return it == p.end() ? "" : it->second;
}

void send_error(httplib::Response& res, bool query, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_header("x-amzn-RequestId", "test-request-id");
  if (query) {
    res.set_content("<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
                        "</Message></Error><RequestId>test-request-id</RequestId></ErrorResponse>",
                    "text/xml");
  } else {
    res.set_content(Json{{"__type", code}, {"message", message}}.dump(), "application/x-amz-json-1.1");
  }
}

void canned(const httplib::Request& req, httplib::Response& res, const std::string& access_key) {
  if (!is_query(req)) {
    std::string target = req.get_header_value("X-Amz-Target");
    std::string op = target.substr(target.find('.') + 1);
    Json in = Json::parse(req.body, nullptr, false);
    Json out = Json::object();
    if (op == "ListClusters") {
      std::string token = in.is_object() ? in.value("nextToken", std::string()) : "";
      out["clusterArns"] = token.empty() ? Json{"arn:aws:ecs:us-east-1:123456789012:cluster/a"}
                                         : Json{"arn:aws:ecs:us-east-1:123456789012:cluster/b"};
      if (token.empty()) out["nextToken"] = "page2";
    } else if (op == "DescribeServices") {
      return send_error(res, false, 400, "ClusterNotFoundException", "Cluster not found.");
    } else if (op == "DescribeTasks") {
      out = Json{{"tasks", {{{"taskArn", "arn:t"}, {"createdAt", 1714564800.5}}}}, {"failures", Json::array()}};
    } else if (op == "WhoAmI" || op == "ListTagsForResource") {
      out["accessKey"] = access_key;
    }
    res.set_content(out.dump(), "application/x-amz-json-1.1");
    return;
  }
  std::string action = form_value(req.body, "Action");
  std::string body;
  if (action == "GetCallerIdentity") {
    body = "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/" + access_key +
           "</Arn><UserId>" + access_key + "</UserId><Account>123456789012</Account></GetCallerIdentityResult>";
  } else if (action == "AssumeRole") {
    body = std::string("<AssumeRoleResult><Credentials><AccessKeyId>") + k_role_key + "</AccessKeyId><SecretAccessKey>" +
           k_role_secret + "</SecretAccessKey><SessionToken>role-session-token-value</SessionToken>"
           "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>";
  } else if (action == "DescribeTargetGroups") {
    body = "<DescribeTargetGroupsResult><TargetGroups><member><TargetGroupName>web</TargetGroupName><Port>80</Port>"
           "<HealthCheckEnabled>true</HealthCheckEnabled></member></TargetGroups></DescribeTargetGroupsResult>";
  }
  res.set_content("<" + action + "Response>" + body + "<ResponseMetadata><RequestId>test-request-id</RequestId>"
                  "</ResponseMetadata></" + action + "Response>", "text/xml");
}

void handle(const httplib::Request& req, httplib::Response& res) {
  auto verification = ecsctl::sigv4::verify(
      to_sigv4(req),
      [](std::string_view key) -> std::optional<std::string> {
        std::lock_guard lock(g_mutex);
        auto it = g_keys.find(key);
        if (it == g_keys.end()) return std::nullopt;
        return it->second;
      },
      std::chrono::system_clock::now());
  std::string fault = verification.ok ? next_fault() : "ok";
  {
    std::lock_guard lock(g_mutex);
    std::string op = is_query(req) ? form_value(req.body, "Action") : req.get_header_value("X-Amz-Target");
    g_log.push_back(Json{{"op", op},
                         {"signed", verification.ok},
                         {"error", verification.error_code},
                         {"key", verification.access_key_id},
                         {"fault", fault},
                         {"clientToken", Json::parse(req.body, nullptr, false).is_object()
                                             ? Json::parse(req.body).value("clientToken", std::string())
                                             : std::string()}}
                        .dump());
  }
  if (!verification.ok)
    return send_error(res, is_query(req), verification.http_status, verification.error_code, verification.message);
  if (fault == "throttle")
    return send_error(res, is_query(req), 400, is_query(req) ? "Throttling" : "ThrottlingException", "Rate exceeded");
  if (fault == "500") return send_error(res, is_query(req), 500, "InternalFailure", "internal failure");
  if (fault == "503") {
    res.status = 503;
    res.set_content("<html>Service Unavailable</html>", "text/html");
    return;
  }
  if (fault == "reset") {
    // Headers promise a body that never comes: the client sees a broken connection.
    res.set_content_provider(1000, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; });
    return;
  }
  if (fault.starts_with("slow:")) std::this_thread::sleep_for(std::chrono::milliseconds(
      static_cast<long>(std::stod(fault.substr(5)) * 1000)));
  canned(req, res, verification.access_key_id);
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port-file" && i + 1 < argc) port_file = argv[++i];
    else if (a == "--key" && i + 1 < argc) {
      std::string kv = argv[++i];
      auto colon = kv.find(':');
      g_keys[kv.substr(0, colon)] = kv.substr(colon + 1);
    }
  }
  g_keys[k_role_key] = k_role_secret;
  httplib::Server server;
  server.Post("/__control/faults", [](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(g_mutex);
    g_faults.clear();
    size_t pos = 0;
    while (pos <= req.body.size()) {
      auto comma = req.body.find(',', pos);
      auto f = req.body.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!f.empty()) g_faults.push_back(f);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    res.set_content("ok\n", "text/plain");
  });
  server.Get("/__control/log", [](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(g_mutex);
    std::string out;
    for (auto& l : g_log) out += l + "\n";
    res.set_content(out, "text/plain");
  });
  server.Post("/__control/clear", [](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(g_mutex);
    g_log.clear();
    g_faults.clear();
    res.set_content("ok\n", "text/plain");
  });
  server.Post(R"(/.*)", handle);
  server.Get(R"(/.*)", handle);
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::cerr << "sigv4_test_server: cannot bind 127.0.0.1\n";
    return 1;
  }
  if (!port_file.empty()) std::ofstream(port_file) << port << "\n";
  std::cout << port << std::endl;
  server.listen_after_bind();
  return 0;
}
