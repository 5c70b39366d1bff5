// A client of the Docker Engine API (Docker, or Podman's compatible API
// service) over a Unix socket, through the libcurl transport of client/.
// Safe to use from several threads: each call makes its own connection.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace ecsctl::local {

struct EngineReply {
  int status = 0;  // HTTP status; 0 when the engine did not answer
  Json body;       // the JSON answer (null when none or not JSON)
  std::string text;
  bool ok() const { return status >= 200 && status < 300; }
  // The engine's error message ("message" member), or the status.
  std::string message() const;
};

class EngineApi {
 public:
  explicit EngineApi(std::string socket_path) : m_socket(std::move(socket_path)) {}
  const std::string& socket() const { return m_socket; }
  // One request; `path` starts with "/" and is given without the API version
  // prefix ("/containers/json"). Never throws for an engine that does not answer.
  EngineReply call(const std::string& method, const std::string& path, const Json& body = Json(),
                   double timeout_seconds = 60) const;
  // GET or POST `path`, handing the body to `on_data` as it comes; ends when the
  // engine closes it or `on_data` returns false (it is also called with an empty
  // chunk about once a second). Returns the HTTP status (0: no answer).
  // `headers` go with the request (X-Registry-Auth on a pull).
  int stream(const std::string& method, const std::string& path,
             const std::function<bool(std::string_view)>& on_data,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  // Whether an engine answers /_ping on the socket (within `timeout_seconds`).
  bool ping(double timeout_seconds = 2) const;
  // The `libpod` API of Podman (a path "/libpod/..." with its own version prefix).
  EngineReply libpod(const std::string& method, const std::string& path, double timeout_seconds = 60) const;

 private:
  std::string m_socket;
};

// The X-Registry-Auth header of a pull (Docker Engine API): base64url of the JSON
// {"username", "password", "serveraddress"}. The value is a credential: never log it.
std::string registry_auth_header(const std::string& username, const std::string& password,
                                 const std::string& server_address);

// The registry host of an image reference ("docker.io" when it names none).
std::string registry_of(const std::string& image);

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view s);

}  // namespace ecsctl::local
