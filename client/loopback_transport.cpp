// The built-in HTTP/1.1 client: plain HTTP to a loopback address (ecsctl
// local, test servers) and HTTPS to any host, spoken directly over a socket.
// Loading libcurl means loading some thirty shared libraries (HTTP/2, IDN,
// Kerberos, LDAP, SSH...), which costs more than a whole exchange with a
// nearby server. TLS comes from OpenSSL's libssl.so.3, loaded with dlopen on
// the first https:// request (client/tls.cpp); plain-HTTP requests never map
// it. Proxies and anything else go to libcurl: make_transport() chooses per
// request.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "client/tls.hpp"
#include "client/transport.hpp"

namespace ecsctl::client {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "127.0.0.1:4566" -> ("127.0.0.1", 4566); "[::1]:80" -> ("::1", 80).
struct HostPort {
  std::string host;
  int port = 80;
};
std::optional<HostPort> host_port(std::string_view authority, int default_port = 80) {
  HostPort hp;
  hp.port = default_port;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    hp.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.find(':');
    hp.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    if (port.size() > 5 || hp.host.empty()) return std::nullopt;
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return std::nullopt;
    hp.port = p;
  }
  return hp;
}

// The socket address of a loopback host, or nothing for any other host.
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};
std::optional<Address> loopback_address(const HostPort& hp) {
  Address a;
  std::string host = lower(hp.host);
  if (host == "localhost") host = "127.0.0.1";
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if ((ntohl(v4.s_addr) >> 24) != 127) return std::nullopt;
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(hp.port));
    sin->sin_addr = v4;
    a.length = sizeof(sockaddr_in);
    return a;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&v6)) return std::nullopt;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(hp.port));
    sin6->sin6_addr = v6;
    a.length = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

// The addresses of `hp`: an IP literal as it is, a name through the resolver.
std::vector<Address> resolve(const HostPort& hp, const std::string& url) {
  std::vector<Address> out;
  if (auto a = loopback_address(hp)) return {*a};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(hp.host.c_str(), std::to_string(hp.port).c_str(), &hints, &res);
  if (rc != 0)
    throw TransportError("could not connect to the endpoint URL \"" + url + "\": cannot resolve " + hp.host + ": " +
                             ::gai_strerror(rc),
                         false);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    out.push_back(a);
  }
  ::freeaddrinfo(res);
  return out;
}

class LoopbackTransport : public Transport {
 public:
  LoopbackTransport(TransportOptions options, bool tls) : m_options(std::move(options)), m_tls_allowed(tls) {}
  ~LoopbackTransport() override { disconnect(); }
  LoopbackTransport(const LoopbackTransport&) = delete;
  LoopbackTransport& operator=(const LoopbackTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override {
    UrlParts url = split_url(request.url);
    std::string scheme = lower(url.scheme);
    bool https = scheme == "https" && m_tls_allowed;
    auto hp = host_port(url.host, https ? 443 : 80);
    if (hp && hp->host.find('@') != std::string::npos) hp.reset();
    auto addr = hp ? loopback_address(*hp) : std::nullopt;
    if (!(https && hp) && (scheme != "http" || !addr))
      throw TransportError(std::string("not a ") + (m_tls_allowed ? "plain-HTTP loopback or HTTPS" : "plain-HTTP loopback") +
                               " endpoint: \"" + request.url + "\"",
                           false);
    m_url = request.url;
    m_deadline.reset();
    if (request.timeout) m_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                         std::chrono::duration<double>(*request.timeout));
    std::string wire = serialize(request, url);
    // A kept-alive connection may have been closed by the server while idle:
    // if nothing at all comes back on a reused one, connect again once.
    std::string authority = scheme + "://" + lower(url.host);
    bool reused = m_fd >= 0 && m_authority == authority;
    if (!reused) {
      disconnect();
      open(*hp, https);
      m_authority = authority;
    }
    for (int attempt = 0;; ++attempt) {
      try {
        write_all(wire);
        return read_response(request.method == "HEAD");
      } catch (const Stale&) {
        disconnect();
        if (!reused || attempt > 0)
          throw TransportError("could not connect to the endpoint URL \"" + m_url +
                                   "\": the server closed the connection without a response",
                               false);
        open(*hp, https);
        m_authority = authority;
      } catch (...) {
        disconnect();
        throw;
      }
    }
  }

 private:
  struct Stale {};  // the connection gave no byte of a response

  static std::string serialize(const HttpRequest& r, const UrlParts& url) {
    std::string target = url.path.empty() ? "/" : url.path;
    if (!url.query.empty()) target += "?" + url.query;
    std::string out = r.method + " " + target + " HTTP/1.1\r\n";
    bool host = false, accept = false;
    for (auto& [k, v] : r.headers) {
      std::string name = lower(k);
      if (name == "content-length" || name == "connection" || name == "transfer-encoding") continue;
      host = host || name == "host";
      accept = accept || name == "accept";
      out += k + ": " + v + "\r\n";
    }
    if (!host) out += "Host: " + url.host + "\r\n";
    if (!accept) out += "Accept: */*\r\n";
    if (r.method != "GET" && r.method != "HEAD") out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "\r\n";
    if (r.method != "GET" && r.method != "HEAD") out += r.body;
    return out;
  }

  void disconnect() {
    m_tls.reset();
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_buffer.clear();
    m_authority.clear();
  }

  [[noreturn]] void fail_connect(const std::string& why, bool timeout) {
    disconnect();
    throw TransportError("could not connect to the endpoint URL \"" + m_url + "\": " + why, timeout);
  }

  // Milliseconds to wait for the socket: the read (or connect) timeout, cut
  // to the request's deadline; -1 waits forever.
  int wait_ms(std::optional<double> limit) const {
    double ms = limit && *limit > 0 ? *limit * 1000 : -1;
    if (m_deadline) {
      double left = std::chrono::duration<double, std::milli>(*m_deadline - Clock::now()).count();
      if (left < 0) left = 0;
      if (ms < 0 || left < ms) ms = left;
    }
    return ms < 0 ? -1 : static_cast<int>(ms + 0.999);
  }

  // A TCP connection to `hp` (each of its addresses in turn), then the TLS
  // handshake for https.
  void open(const HostPort& hp, bool https) {
    std::vector<Address> addresses = resolve(hp, m_url);
    // "localhost" is tried as 127.0.0.1, then as ::1, as curl would.
    if (lower(hp.host) == "localhost") addresses.push_back(*loopback_address(HostPort{"::1", hp.port}));
    for (std::size_t i = 0;; ++i) {
      try {
        connect_one(addresses.at(i));
        break;
      } catch (const TransportError& e) {
        if (e.timeout() || i + 1 >= addresses.size()) throw;
      }
    }
    if (!https) return;
    if (!m_tls_config) m_tls_config = make_tls_config(m_options.verify_ssl, m_options.ca_bundle);
    int fd = m_fd;
    auto wait = [&](short events) {
      pollfd p{fd, events, 0};
      int n;
      do n = ::poll(&p, 1, wait_ms(m_options.connect_timeout.value_or(60)));
      while (n < 0 && errno == EINTR);
      return n != 0;
    };
    try {
      m_tls = std::make_unique<TlsStream>(m_tls_config, m_fd, hp.host, m_url, wait);
    } catch (...) {
      disconnect();
      throw;
    }
  }

  void connect_one(const Address& a) {
    m_fd = ::socket(a.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_fd < 0) fail_connect(std::strerror(errno), false);
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&a.storage), a.length) != 0) {
      if (errno != EINPROGRESS) fail_connect(std::strerror(errno), false);
      pollfd p{m_fd, POLLOUT, 0};
      int n = ::poll(&p, 1, wait_ms(m_options.connect_timeout.value_or(60)));
      if (n == 0) fail_connect("connection timed out", true);
      int err = 0;
      socklen_t len = sizeof err;
      if (n < 0 || ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) fail_connect(std::strerror(err), false);
    }
  }

  void write_all(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      short want = POLLOUT;
      ssize_t n;
      if (m_tls) {
        n = m_tls->write(data.data() + done, data.size() - done, want);
        if (n == -1) errno = EAGAIN;
      } else {
        n = ::send(m_fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      }
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{m_fd, want, 0};
        int r = ::poll(&p, 1, wait_ms(m_options.read_timeout.value_or(60)));
        if (r == 0) throw_timeout();
        continue;
      }
      if (done == 0 && (errno == EPIPE || errno == ECONNRESET)) throw Stale{};
      throw TransportError("connection to the endpoint URL \"" + m_url + "\" failed: " + std::strerror(errno), false);
    }
  }

  [[noreturn]] void throw_timeout() {
    std::string limit = m_deadline ? "the request's time limit passed"
                                   : "no data for " +
                                         std::to_string(static_cast<long>(m_options.read_timeout.value_or(60))) + " s";
    throw TransportError("read timeout on endpoint URL \"" + m_url + "\": " + limit, true);
  }

  // Appends what the socket has to m_buffer; false at end of stream.
  bool fill() {
    char chunk[16384];
    // TLS may hold decrypted bytes the socket no longer shows: read first,
    // wait only when a read would block.
    short want = 0;
    for (;;) {
      if (want) {
        pollfd p{m_fd, want, 0};
        int r = ::poll(&p, 1, wait_ms(m_options.read_timeout.value_or(60)));
        if (r == 0) throw_timeout();
        if (r < 0) {
          if (errno == EINTR) continue;
          throw TransportError("connection to the endpoint URL \"" + m_url + "\" failed: " + std::strerror(errno),
                               false);
        }
      }
      want = POLLIN;
      ssize_t n;
      if (m_tls) {
        n = m_tls->read(chunk, sizeof chunk, want);
        if (n == -1) continue;
      } else {
        n = ::recv(m_fd, chunk, sizeof chunk, 0);
      }
      if (n > 0) {
        m_buffer.append(chunk, static_cast<std::size_t>(n));
        m_received += static_cast<std::size_t>(n);
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (errno == ECONNRESET && m_received == 0) throw Stale{};
      throw TransportError("connection to the endpoint URL \"" + m_url + "\" failed: " + std::strerror(errno),
                           false);
    }
  }

  [[noreturn]] void truncated(const std::string& what) {
    throw TransportError("connection to the endpoint URL \"" + m_url + "\" broken: " + what, false);
  }

  // One CRLF-terminated line from the buffer (without the CRLF).
  std::string line(std::size_t limit) {
    for (;;) {
      auto eol = m_buffer.find("\r\n");
      if (eol != std::string::npos) {
        std::string l = m_buffer.substr(0, eol);
        m_buffer.erase(0, eol + 2);
        return l;
      }
      if (m_buffer.size() > limit) truncated("a response line is longer than " + std::to_string(limit) + " bytes");
      if (!fill()) {
        if (m_received == 0) throw Stale{};
        truncated("the response ended early");
      }
    }
  }

  void take(std::string& out, std::size_t n) {
    while (m_buffer.size() < n) {
      std::size_t need = n - m_buffer.size();
      out.append(m_buffer);
      m_buffer.clear();
      n = need;
      if (!fill()) truncated("the response body ended " + std::to_string(need) + " bytes early");
    }
    out.append(m_buffer, 0, n);
    m_buffer.erase(0, n);
  }

  HttpResponse read_response(bool head) {
    m_received = m_buffer.size();
    HttpResponse resp;
    std::size_t header_bytes = 0;
    for (;;) {  // 1xx interim responses are skipped
      std::string status = line(64 * 1024);
      if (status.size() < 12 || status.compare(0, 7, "HTTP/1.") != 0 || status[8] != ' ')
        truncated("not an HTTP/1.x response");
      int code = 0;
      for (int i = 9; i < 12; ++i) {
        if (status[i] < '0' || status[i] > '9') truncated("not an HTTP/1.x response");
        code = code * 10 + (status[i] - '0');
      }
      resp.status = code;
      resp.headers.clear();
      for (;;) {
        std::string h = line(64 * 1024);
        header_bytes += h.size();
        if (header_bytes > 1024 * 1024) truncated("the response headers exceed 1 MiB");
        if (h.empty()) break;
        auto colon = h.find(':');
        if (colon == std::string::npos) continue;
        std::string_view value(h);
        value.remove_prefix(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        resp.headers.emplace_back(h.substr(0, colon), std::string(value));
      }
      if (code >= 200 || code == 101) break;
    }
    bool close = lower(resp.header("Connection")) == "close";
    std::string te = lower(resp.header("Transfer-Encoding"));
    std::string cl = resp.header("Content-Length");
    if (head || resp.status == 204 || resp.status == 304) {
      // no body
    } else if (!te.empty() && te != "identity") {
      if (te != "chunked") truncated("unsupported Transfer-Encoding \"" + te + "\"");
      for (;;) {
        std::string size_line = line(1024);
        std::size_t size = 0, digits = 0;
        for (char c : size_line) {
          int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
          if (v < 0) break;
          if (++digits > 15) truncated("a chunk size is too large");
          size = size * 16 + static_cast<std::size_t>(v);
        }
        if (digits == 0) truncated("a malformed chunk size");
        if (size == 0) {
          while (!line(64 * 1024).empty()) {
          }
          break;
        }
        take(resp.body, size);
        if (!line(2).empty()) truncated("a chunk without its CRLF");
      }
    } else if (!cl.empty()) {
      std::size_t n = 0;
      if (cl.size() > 15) truncated("a Content-Length is too large");
      for (char c : cl) {
        if (c < '0' || c > '9') truncated("a malformed Content-Length");
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      take(resp.body, n);
    } else {
      // Delimited by the end of the connection.
      resp.body += m_buffer;
      m_buffer.clear();
      while (fill()) {
        resp.body += m_buffer;
        m_buffer.clear();
      }
      close = true;
    }
    if (close) disconnect();
    return resp;
  }

  TransportOptions m_options;
  bool m_tls_allowed;
  std::shared_ptr<TlsConfig> m_tls_config;  // built on the first https:// request
  std::unique_ptr<TlsStream> m_tls;          // on the open connection, for https
  int m_fd = -1;
  std::string m_authority;  // host:port of the open connection
  std::string m_buffer;     // received, not yet consumed
  std::size_t m_received = 0;
  std::string m_url;
  std::optional<Clock::time_point> m_deadline;
};

bool is_https(std::string_view url);

// Plain-HTTP loopback and HTTPS requests without a proxy go over the
// built-in client, the rest over libcurl; each is created on first use.
class AutoTransport : public Transport {
 public:
  explicit AutoTransport(TransportOptions options) : m_options(std::move(options)) {}
  HttpResponse send(const HttpRequest& request) override {
    if (m_options.builtin_client && (is_loopback_http(request.url) || is_https(request.url)) &&
        !uses_proxy(m_options, request.url)) {
      if (!m_loopback) m_loopback = std::make_unique<LoopbackTransport>(m_options, true);
      return m_loopback->send(request);
    }
    if (!m_curl) m_curl = make_curl_transport(m_options);
    return m_curl->send(request);
  }

 private:
  TransportOptions m_options;
  std::unique_ptr<Transport> m_loopback, m_curl;
};

bool is_https(std::string_view url) {
  UrlParts u = split_url(url);
  return lower(u.scheme) == "https";
}

// no_proxy: "*", or entries matching the host exactly or as a domain suffix
// (".example.com" and "example.com" both match "a.example.com"), with an
// optional ":port" that must then match too.
bool bypassed(std::string_view no_proxy, const HostPort& hp) {
  std::string host = lower(hp.host);
  std::size_t start = 0;
  while (start <= no_proxy.size()) {
    std::size_t end = no_proxy.find(',', start);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string entry = lower(no_proxy.substr(start, end - start));
    start = end + 1;
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.erase(0, 1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.pop_back();
    if (entry == "*") return true;
    if (entry.empty()) continue;
    auto ehp = host_port(entry, -1);
    if (!ehp) continue;
    if (ehp->port != -1 && ehp->port != hp.port) continue;
    std::string name = ehp->host;
    while (!name.empty() && name.front() == '.') name.erase(0, 1);
    if (name.empty()) continue;
    if (host == name) return true;
    if (host.size() > name.size() && host.compare(host.size() - name.size(), name.size(), name) == 0 &&
        host[host.size() - name.size() - 1] == '.')
      return true;
  }
  return false;
}

}  // namespace

bool uses_proxy(const TransportOptions& options, std::string_view url) {
  UrlParts u = split_url(url);
  std::string scheme = lower(u.scheme);
  const std::string& proxy = scheme == "https" ? options.https_proxy : scheme == "http" ? options.http_proxy : options.all_proxy;
  if (proxy.empty() && options.all_proxy.empty()) return false;
  auto hp = host_port(u.host, scheme == "https" ? 443 : 80);
  if (!hp) return true;  // libcurl decides
  return !bypassed(options.no_proxy, *hp);
}

bool is_loopback_http(std::string_view url) {
  UrlParts u = split_url(url);
  if (lower(u.scheme) != "http") return false;
  auto hp = host_port(u.host);
  return hp && loopback_address(*hp).has_value();
}

std::unique_ptr<Transport> make_loopback_transport(const TransportOptions& options) {
  return std::make_unique<LoopbackTransport>(options, false);
}

std::unique_ptr<Transport> make_builtin_transport(const TransportOptions& options) {
  return std::make_unique<LoopbackTransport>(options, true);
}

std::unique_ptr<Transport> make_transport(const TransportOptions& options) {
  return std::make_unique<AutoTransport>(options);
}

}  // namespace ecsctl::client
