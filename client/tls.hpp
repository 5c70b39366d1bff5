// TLS for the built-in HTTP client (client/loopback_transport.cpp), through
// OpenSSL's libssl.so.3 loaded with dlopen on the first https:// request, so
// that commands which make no TLS connection never map it. ecsctl's own,
// static libcrypto (SigV4) is not exported, so libssl and its libcrypto.so.3
// form a separate copy: every OpenSSL object here comes from the loaded one.
#pragma once
#include <functional>
#include <memory>
#include <string>

namespace ecsctl::client {

// An SSL_CTX: TLS 1.2 or later, the trust store (the system's, or the PEM
// file `ca_bundle`), peer verification unless `verify` is false. Built once
// per transport; throws TransportError when libssl or the bundle cannot be loaded.
class TlsConfig;
std::shared_ptr<TlsConfig> make_tls_config(bool verify, const std::string& ca_bundle);

// One TLS connection over a connected non-blocking socket.
class TlsStream {
 public:
  // Performs the handshake with SNI and hostname (or IP address) verification.
  // `wait(events)` polls the socket for POLLIN/POLLOUT and returns false on
  // timeout. Throws TransportError; a certificate that fails verification
  // gives a message naming `host` and the reason, and a hint.
  TlsStream(std::shared_ptr<TlsConfig> config, int fd, const std::string& host, const std::string& url,
            const std::function<bool(short)>& wait);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Bytes transferred (> 0); 0 at the end of the stream (read only); -1 when
  // the call would block: poll for `want` and call again; -2 on a socket
  // error (errno set). Throws TransportError on a TLS protocol error.
  long read(char* buf, std::size_t n, short& want);
  long write(const char* buf, std::size_t n, short& want);

 private:
  std::shared_ptr<TlsConfig> m_config;
  void* m_ssl = nullptr;
  std::string m_url;
};

}  // namespace ecsctl::client
