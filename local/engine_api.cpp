// The Docker Engine API over a Unix socket (local/engine_api.hpp).
#include "local/engine_api.hpp"

#include "client/transport.hpp"
#include "core/base64.hpp"

namespace ecsctl::local {

namespace {

// The API version every call is made at: Docker 20.10+ and Podman 4 serve it.
constexpr const char* k_version = "/v1.41";

client::HttpRequest make_request(const std::string& method, const std::string& url, const Json& body) {
  client::HttpRequest r;
  r.method = method;
  r.url = url;
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/json");
  }
  return r;
}

std::unique_ptr<client::Transport> transport(const std::string& socket) {
  client::TransportOptions o;
  o.unix_socket = socket;
  o.connect_timeout = 5;
  o.read_timeout = 0;
  return client::make_curl_transport(o);
}

EngineReply send(const std::string& socket, const std::string& method, const std::string& url, const Json& body,
                 double timeout) {
  EngineReply out;
  try {
    auto t = transport(socket);
    client::HttpRequest r = make_request(method, url, body);
    r.timeout = timeout;
    client::HttpResponse resp = t->send(r);
    out.status = resp.status;
    out.text = std::move(resp.body);
    if (!out.text.empty()) {
      out.body = Json::parse(out.text, nullptr, false);
      if (out.body.is_discarded()) out.body = Json();
    }
  } catch (const std::exception& e) {
    out.status = 0;
    out.text = e.what();
  }
  return out;
}

}  // namespace

std::string EngineReply::message() const {
  if (body.is_object() && body.contains("message") && body["message"].is_string()) return body["message"];
  if (status == 0) return "the container engine does not answer" + (text.empty() ? std::string() : ": " + text);
  return "HTTP " + std::to_string(status) + (text.empty() ? std::string() : ": " + text.substr(0, 300));
}

std::string registry_auth_header(const std::string& username, const std::string& password,
                                 const std::string& server_address) {
  std::string in = Json{{"username", username}, {"password", password}, {"serveraddress", server_address}}.dump();
  return base64_encode(in, Base64Alphabet::url);
}

std::string registry_of(const std::string& image) {
  size_t slash = image.find('/');
  if (slash == std::string::npos) return "docker.io";
  std::string first = image.substr(0, slash);
  // A registry host has a dot or a port, or is localhost; otherwise it is a Docker Hub namespace.
  if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") return first;
  return "docker.io";
}

std::string url_encode(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

EngineReply EngineApi::call(const std::string& method, const std::string& path, const Json& body, double timeout) const {
  return send(m_socket, method, std::string("http://engine") + k_version + path, body, timeout);
}

EngineReply EngineApi::libpod(const std::string& method, const std::string& path, double timeout) const {
  return send(m_socket, method, "http://engine/v4.0.0" + path, Json(), timeout);
}

int EngineApi::stream(const std::string& method, const std::string& path,
                      const std::function<bool(std::string_view)>& on_data,
                      const std::vector<std::pair<std::string, std::string>>& headers) const {
  try {
    auto t = transport(m_socket);
    client::HttpRequest r = make_request(method, std::string("http://engine") + k_version + path, Json());
    for (const auto& h : headers) r.headers.push_back(h);
    r.on_data = on_data;
    return t->send(r).status;
  } catch (const std::exception&) {
    return 0;
  }
}

bool EngineApi::ping(double timeout) const {
  EngineReply r = send(m_socket, "GET", std::string("http://engine") + k_version + "/_ping", Json(), timeout);
  return r.status == 200;
}

}  // namespace ecsctl::local
