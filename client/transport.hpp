// The HTTP seam of the client: a Transport sends one request and returns the
// response. The real one is the built-in client (plain HTTP to loopback, HTTPS
// through libssl) or libcurl (proxies, the rest), each loaded on first use;
// tests inject a FakeTransport through Session::set_transport.
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
  // libcurl transport only: the body is handed to `on_data` as it arrives
  // (not kept in the response), and with an empty chunk about once a second
  // while none comes; returning false ends the exchange. No read timeout then.
  std::function<bool(std::string_view)> on_data;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// A request that got no HTTP response (refused, reset, timed out, DNS, TLS).
// `retryable` is false for failures another attempt cannot fix (a certificate
// that fails verification, a CA bundle that cannot be read); `hint` says what to do.
class TransportError : public std::runtime_error {
 public:
  TransportError(std::string message, bool timeout, std::string hint = {}, bool retryable = true)
      : std::runtime_error(std::move(message)), m_timeout(timeout), m_retryable(retryable), m_hint(std::move(hint)) {}
  bool timeout() const { return m_timeout; }
  bool retryable() const { return m_retryable; }
  const std::string& hint() const { return m_hint; }

 private:
  bool m_timeout;
  bool m_retryable;
  std::string m_hint;
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
  // Plain http:// to a loopback address and https:// to any host over the
  // built-in client (client/loopback_transport.cpp) rather than libcurl. Off
  // with ECSCTL_HTTP_CLIENT=curl.
  bool builtin_client = true;
  // The proxy variables of the environment (lower case first, as curl and
  // Python read them): a request they send through a proxy goes to libcurl.
  std::string http_proxy, https_proxy, all_proxy, no_proxy;
  // libcurl transport only: connect to this Unix socket rather than the URL's
  // host (the Docker Engine API of a container engine).
  std::string unix_socket;
};

// Whether `options`' proxy variables send `url` through a proxy: the scheme's
// variable (or all_proxy) is set and no_proxy ("*", or comma-separated names
// matching the host or a domain suffix of it, optionally with :port) does
// not exclude the host.
bool uses_proxy(const TransportOptions& options, std::string_view url);

// The transport ecsctl uses: plain-HTTP requests to a loopback address
// (ecsctl local, test servers) and HTTPS requests (TLS through libssl) over a
// small built-in HTTP/1.1 client, which spares loading libcurl and its
// libraries; requests through a proxy and everything else over libcurl.
// Connections are kept alive across the calls of one command.
std::unique_ptr<Transport> make_transport(const TransportOptions& options);

// The built-in HTTP/1.1 client for plain HTTP alone; it refuses any URL that
// is not http:// to a loopback address (127.0.0.0/8, ::1, localhost).
std::unique_ptr<Transport> make_loopback_transport(const TransportOptions& options);
bool is_loopback_http(std::string_view url);
// The built-in client with TLS: also https:// to any host.
std::unique_ptr<Transport> make_builtin_transport(const TransportOptions& options);

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
