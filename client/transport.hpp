// The HTTP seam of the client: a Transport sends one request and returns the
// response. The real one is libcurl, loaded with dlopen on first use; tests
// inject a FakeTransport through Session::set_transport.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsctl::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // scheme://host[:port]/path?query, already percent-encoded
  Headers headers;
  std::string body;
  std::optional<double> timeout;  // seconds for the whole exchange (metadata endpoints)
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// A request that got no HTTP response (refused, reset, timed out, DNS, TLS).
class TransportError : public std::runtime_error {
 public:
  TransportError(std::string message, bool timeout) : std::runtime_error(std::move(message)), m_timeout(timeout) {}
  bool timeout() const { return m_timeout; }

 private:
  bool m_timeout;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request`; throws TransportError when no response arrives.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  std::optional<double> connect_timeout;  // seconds; 0 = none
  std::optional<double> read_timeout;     // seconds without data; 0 = none
  bool verify_ssl = true;
  std::string ca_bundle;                  // AWS_CA_BUNDLE / ca_bundle, or ""
  // Plain http:// to a loopback address over the built-in client
  // (client/loopback_transport.cpp) rather than libcurl. Off when a proxy is
  // configured in the environment, or with ECSCTL_HTTP_CLIENT=curl.
  bool builtin_loopback_http = true;
};

// The transport ecsctl uses: plain-HTTP requests to a loopback address
// (ecsctl local, test servers) over a small built-in HTTP/1.1 client, which
// spares loading libcurl and its libraries; everything else over libcurl.
std::unique_ptr<Transport> make_transport(const TransportOptions& options);

// The built-in HTTP/1.1 client alone; it refuses any URL that is not http://
// to a loopback address (127.0.0.0/8, ::1, localhost).
std::unique_ptr<Transport> make_loopback_transport(const TransportOptions& options);
bool is_loopback_http(std::string_view url);

// The libcurl transport: one easy handle reused (keep-alive), HTTP/2 over TLS
// when offered. Throws Error(Exit::other) when libcurl.so.4 cannot be loaded.
std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options);

// A scripted transport for tests: records every request and answers with
// `handler` (which may throw TransportError to simulate a failed connection).
class FakeTransport : public Transport {
 public:
  explicit FakeTransport(std::function<HttpResponse(const HttpRequest&)> handler) : m_handler(std::move(handler)) {}
  HttpResponse send(const HttpRequest& request) override {
    sent.push_back(request);
    return m_handler(request);
  }
  std::vector<HttpRequest> sent;

 private:
  std::function<HttpResponse(const HttpRequest&)> m_handler;
};

// Splits "https://host:port/path?query" into its parts; path defaults to "/".
struct UrlParts {
  std::string scheme, host, path, query;  // host includes ":port" when given
};
UrlParts split_url(std::string_view url);

}  // namespace ecsctl::client
