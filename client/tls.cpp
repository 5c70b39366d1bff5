#include "client/tls.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "client/transport.hpp"

namespace ecsctl::client {

namespace {

// The libssl/libcrypto functions the client uses, resolved once from the
// loaded libssl.so.3 (dlsym on its handle also finds its libcrypto.so.3).
struct SslApi {
  decltype(&OPENSSL_init_ssl) init_ssl = nullptr;
  decltype(&TLS_client_method) client_method = nullptr;
  decltype(&SSL_CTX_new) ctx_new = nullptr;
  decltype(&SSL_CTX_free) ctx_free = nullptr;
  decltype(&SSL_CTX_ctrl) ctx_ctrl = nullptr;
  decltype(&SSL_CTX_set_options) ctx_set_options = nullptr;
  decltype(&SSL_CTX_set_verify) ctx_set_verify = nullptr;
  decltype(&SSL_CTX_load_verify_locations) ctx_load_verify_locations = nullptr;
  decltype(&SSL_CTX_set_default_verify_paths) ctx_set_default_verify_paths = nullptr;
  decltype(&SSL_CTX_set_default_verify_dir) ctx_set_default_verify_dir = nullptr;
  decltype(&SSL_new) ssl_new = nullptr;
  decltype(&SSL_free) ssl_free = nullptr;
  decltype(&SSL_set_fd) set_fd = nullptr;
  decltype(&SSL_ctrl) ssl_ctrl = nullptr;
  decltype(&SSL_set1_host) set1_host = nullptr;
  decltype(&SSL_get0_param) get0_param = nullptr;
  decltype(&X509_VERIFY_PARAM_set1_ip_asc) param_set1_ip_asc = nullptr;
  decltype(&SSL_connect) connect = nullptr;
  decltype(&SSL_read) read = nullptr;
  decltype(&SSL_write) write = nullptr;
  decltype(&SSL_get_error) get_error = nullptr;
  decltype(&SSL_get_verify_result) get_verify_result = nullptr;
  decltype(&X509_verify_cert_error_string) verify_error_string = nullptr;
  decltype(&X509_get_default_cert_dir) default_cert_dir = nullptr;
  decltype(&X509_get_default_cert_dir_env) default_cert_dir_env = nullptr;
  decltype(&X509_get_default_cert_file_env) default_cert_file_env = nullptr;
  decltype(&ERR_get_error) err_get = nullptr;
  decltype(&ERR_clear_error) err_clear = nullptr;
  decltype(&ERR_error_string_n) err_string = nullptr;
};

template <class F>
void resolve(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) throw TransportError(std::string("libssl.so.3 lacks ") + name + "; install a current libssl3", false);
}

const SslApi& ssl_api() {
  static SslApi api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      void* lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
      if (!lib)
        throw TransportError("cannot load libssl.so.3, which ecsctl needs for https:// endpoints "
                             "(Debian: apt-get install libssl3)",
                             false);
      resolve(lib, api.init_ssl, "OPENSSL_init_ssl");
      resolve(lib, api.client_method, "TLS_client_method");
      resolve(lib, api.ctx_new, "SSL_CTX_new");
      resolve(lib, api.ctx_free, "SSL_CTX_free");
      resolve(lib, api.ctx_ctrl, "SSL_CTX_ctrl");
      resolve(lib, api.ctx_set_options, "SSL_CTX_set_options");
      resolve(lib, api.ctx_set_verify, "SSL_CTX_set_verify");
      resolve(lib, api.ctx_load_verify_locations, "SSL_CTX_load_verify_locations");
      resolve(lib, api.ctx_set_default_verify_paths, "SSL_CTX_set_default_verify_paths");
      resolve(lib, api.ctx_set_default_verify_dir, "SSL_CTX_set_default_verify_dir");
      resolve(lib, api.ssl_new, "SSL_new");
      resolve(lib, api.ssl_free, "SSL_free");
      resolve(lib, api.set_fd, "SSL_set_fd");
      resolve(lib, api.ssl_ctrl, "SSL_ctrl");
      resolve(lib, api.set1_host, "SSL_set1_host");
      resolve(lib, api.get0_param, "SSL_get0_param");
      resolve(lib, api.param_set1_ip_asc, "X509_VERIFY_PARAM_set1_ip_asc");
      resolve(lib, api.connect, "SSL_connect");
      resolve(lib, api.read, "SSL_read");
      resolve(lib, api.write, "SSL_write");
      resolve(lib, api.get_error, "SSL_get_error");
      resolve(lib, api.get_verify_result, "SSL_get_verify_result");
      resolve(lib, api.verify_error_string, "X509_verify_cert_error_string");
      resolve(lib, api.default_cert_dir, "X509_get_default_cert_dir");
      resolve(lib, api.default_cert_dir_env, "X509_get_default_cert_dir_env");
      resolve(lib, api.default_cert_file_env, "X509_get_default_cert_file_env");
      resolve(lib, api.err_get, "ERR_get_error");
      resolve(lib, api.err_clear, "ERR_clear_error");
      resolve(lib, api.err_string, "ERR_error_string_n");
      api.init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
    } catch (const TransportError& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw TransportError(failure, false, {}, false);
  return api;
}

// The queued OpenSSL error, as text ("" when none).
std::string ssl_error(const SslApi& a) {
  unsigned long e = a.err_get();
  if (e == 0) return {};
  char buf[256];
  a.err_string(e, buf, sizeof buf);
  a.err_clear();
  return buf;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

const char* k_cert_hint =
    "if the endpoint's certificate comes from a private CA, give that CA's certificate (PEM) in "
    "AWS_CA_BUNDLE or `ca_bundle` in the profile (`ecsctl local up --tls` writes it into the `local` "
    "profile); --no-verify-ssl turns verification off, which lets anyone on the path read and change the traffic";

}  // namespace

class TlsConfig {
 public:
  TlsConfig(const SslApi& api, SSL_CTX* ctx) : api(api), ctx(ctx) {}
  ~TlsConfig() { api.ctx_free(ctx); }
  TlsConfig(const TlsConfig&) = delete;
  TlsConfig& operator=(const TlsConfig&) = delete;
  const SslApi& api;
  SSL_CTX* ctx;
  bool verify = true;
};

std::shared_ptr<TlsConfig> make_tls_config(bool verify, const std::string& ca_bundle) {
  const SslApi& a = ssl_api();
  SSL_CTX* ctx = a.ctx_new(a.client_method());
  if (!ctx) throw TransportError("cannot set up TLS: " + ssl_error(a), false, {}, false);
  auto config = std::make_shared<TlsConfig>(a, ctx);
  config->verify = verify;
  a.ctx_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  // A server that closes without close_notify ends the stream (HTTP framing
  // tells whether the response was complete), as in curl and Python.
  a.ctx_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
  a.ctx_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!verify) return config;
  if (!ca_bundle.empty()) {
    if (a.ctx_load_verify_locations(ctx, ca_bundle.c_str(), nullptr) != 1)
      throw TransportError("cannot load the CA bundle \"" + ca_bundle + "\" (AWS_CA_BUNDLE or ca_bundle): " +
                               ssl_error(a),
                           false, "it must be a readable file of PEM certificates", false);
    return config;
  }
  // The system's store. Its hashed directory is read lazily, one CA per
  // lookup; the bundle file would parse all ~150 CAs at every start. With
  // SSL_CERT_FILE set, or no such directory, OpenSSL's defaults apply.
  struct stat st{};
  const char* dir_env = std::getenv(a.default_cert_dir_env());
  std::string dir = dir_env && *dir_env ? dir_env : a.default_cert_dir();
  if (std::getenv(a.default_cert_file_env()) || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    a.ctx_set_default_verify_paths(ctx);
  else
    a.ctx_set_default_verify_dir(ctx);
  a.err_clear();
  return config;
}

TlsStream::TlsStream(std::shared_ptr<TlsConfig> config, int fd, const std::string& host, const std::string& url,
                     const std::function<bool(short)>& wait)
    : m_config(std::move(config)), m_url(url) {
  const SslApi& a = m_config->api;
  a.err_clear();
  SSL* ssl = a.ssl_new(m_config->ctx);
  if (!ssl) throw TransportError("cannot set up TLS: " + ssl_error(a), false);
  m_ssl = ssl;
  a.set_fd(ssl, fd);
  bool ip = is_ip_literal(host);
  if (!ip) a.ssl_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str()));
  if (m_config->verify) {
    int ok = ip ? a.param_set1_ip_asc(a.get0_param(ssl), host.c_str()) : a.set1_host(ssl, host.c_str());
    if (ok != 1) {
      a.ssl_free(ssl);
      m_ssl = nullptr;
      throw TransportError("cannot verify the name \"" + host + "\" of \"" + url + "\"", false, {}, false);
    }
  }
  for (;;) {
    int r = a.connect(ssl);
    if (r == 1) return;
    int e = a.get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT)) {
        a.ssl_free(ssl);
        m_ssl = nullptr;
        throw TransportError("connect timeout on endpoint URL \"" + url + "\": the TLS handshake did not finish",
                             true);
      }
      continue;
    }
    int saved_errno = errno;
    long verify = a.get_verify_result(ssl);
    std::string detail = ssl_error(a);
    a.ssl_free(ssl);
    m_ssl = nullptr;
    if (m_config->verify && verify != X509_V_OK) {
      std::string why;
      switch (verify) {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
          why = "is not signed by a trusted certificate authority (unknown CA)";
          break;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
          why = "is not valid for the name \"" + host + "\" (name mismatch)";
          break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
          why = "has expired";
          break;
        case X509_V_ERR_CERT_NOT_YET_VALID:
          why = "is not valid yet (check the clock)";
          break;
        default:
          why = "was refused";
      }
      throw TransportError("SSL validation failed for " + url + ": the certificate of " + host + " " + why + " (" +
                               a.verify_error_string(verify) + ")",
                           false, k_cert_hint, false);
    }
    if (e == SSL_ERROR_SYSCALL || detail.empty())
      throw TransportError("could not connect to the endpoint URL \"" + url + "\": TLS handshake with " + host +
                               " failed: " + (saved_errno ? std::strerror(saved_errno) : "the server closed the connection"),
                           false);
    throw TransportError("SSL validation failed for " + url + ": TLS handshake with " + host + " failed: " + detail,
                         false, {}, false);
  }
}

TlsStream::~TlsStream() {
  if (m_ssl) m_config->api.ssl_free(static_cast<SSL*>(m_ssl));
}

long TlsStream::read(char* buf, std::size_t n, short& want) {
  const SslApi& a = m_config->api;
  auto* ssl = static_cast<SSL*>(m_ssl);
  errno = 0;
  int r = a.read(ssl, buf, static_cast<int>(n > 1 << 30 ? 1 << 30 : n));
  if (r > 0) return r;
  switch (a.get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ: want = POLLIN; return -1;
    case SSL_ERROR_WANT_WRITE: want = POLLOUT; return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    case SSL_ERROR_SYSCALL:
      a.err_clear();
      if (errno == 0) return 0;
      return -2;
    default:
      throw TransportError("connection to the endpoint URL \"" + m_url + "\" failed: TLS: " + ssl_error(a), false);
  }
}

long TlsStream::write(const char* buf, std::size_t n, short& want) {
  const SslApi& a = m_config->api;
  auto* ssl = static_cast<SSL*>(m_ssl);
  errno = 0;
  int r = a.write(ssl, buf, static_cast<int>(n > 1 << 30 ? 1 << 30 : n));
  if (r > 0) return r;
  switch (a.get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ: want = POLLIN; return -1;
    case SSL_ERROR_WANT_WRITE: want = POLLOUT; return -1;
    case SSL_ERROR_SYSCALL:
    case SSL_ERROR_ZERO_RETURN:
      a.err_clear();
      if (errno == 0) errno = EPIPE;
      return -2;
    default:
      throw TransportError("connection to the endpoint URL \"" + m_url + "\" failed: TLS: " + ssl_error(a), false);
  }
}

}  // namespace ecsctl::client
