#include "local/tls_certs.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ecsctl::local {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  throw std::runtime_error("TLS: " + what + (buf[0] ? std::string(": ") + buf : std::string()));
}

void write_file(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + path);
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  fs::rename(tmp, path);
}

template <class Write>
std::string pem(Write write) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) fail("cannot encode PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Key new_key() {
  Key k(EVP_EC_gen("P-256"));
  if (!k) fail("cannot make a P-256 key");
  return k;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail("cannot add a certificate extension");
}

// A certificate for `key` named `cn`, signed by `issuer` (itself when null).
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca, long days) {
  Cert x(X509_new());
  if (!x) fail("cannot make a certificate");
  X509_set_version(x.get(), 2);
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!serial || !BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get())))
    fail("cannot make a serial number");
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);  // tolerates a client clock a little behind
  X509_gmtime_adj(X509_getm_notAfter(x.get()), days * 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ecsctl local"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  add_ext(x.get(), &v3, NID_subject_key_identifier, "hash");
  if (ca) {
    add_ext(x.get(), &v3, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_ext(x.get(), &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x.get(), &v3, NID_authority_key_identifier, "keyid:always");
    add_ext(x.get(), &v3, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x.get(), &v3, NID_key_usage, "critical,digitalSignature");
    add_ext(x.get(), &v3, NID_ext_key_usage, "serverAuth");
    add_ext(x.get(), &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  if (!X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256())) fail("cannot sign a certificate");
  return x;
}

template <class T, class Read>
T read_pem(const std::string& path, Read read) {
  std::unique_ptr<BIO, Free> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) fail("cannot read " + path);
  T out(read(bio.get()));
  if (!out) fail("cannot parse " + path);
  return out;
}

}  // namespace

TlsFiles ensure_tls_files(const std::string& state_dir) {
  TlsFiles f{state_dir + "/ca.pem", state_dir + "/server.pem", state_dir + "/server-key.pem"};
  if (fs::exists(f.server_cert) && fs::exists(f.server_key)) return f;
  std::string ca_key_path = state_dir + "/ca-key.pem";
  Key ca_key;
  Cert ca;
  if (fs::exists(f.ca_cert) && fs::exists(ca_key_path)) {
    ca = read_pem<Cert>(f.ca_cert, [](BIO* b) { return PEM_read_bio_X509(b, nullptr, nullptr, nullptr); });
    ca_key = read_pem<Key>(ca_key_path, [](BIO* b) { return PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr); });
  } else {
    ca_key = new_key();
    ca = make_cert(ca_key.get(), "ecsctl local CA", nullptr, nullptr, true, 3650);
    write_file(ca_key_path, pem([&](BIO* b) {
                 return PEM_write_bio_PrivateKey(b, ca_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
               }), 0600);
    write_file(f.ca_cert, pem([&](BIO* b) { return PEM_write_bio_X509(b, ca.get()); }), 0644);
  }
  Key key = new_key();
  Cert cert = make_cert(key.get(), "localhost", ca.get(), ca_key.get(), false, 825);
  write_file(f.server_key, pem([&](BIO* b) {
               return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
             }), 0600);
  write_file(f.server_cert, pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }), 0644);
  return f;
}

}  // namespace ecsctl::local
