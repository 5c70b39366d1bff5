// The certificates `ecsctl-local serve --tls` serves with, made with OpenSSL's
// APIs (no openssl command needed): a CA of the state directory and a server
// certificate it signs for localhost, 127.0.0.1 and ::1.
#pragma once
#include <string>

namespace ecsctl::local {

struct TlsFiles {
  std::string ca_cert;      // DIR/ca.pem: what clients trust (the profile's ca_bundle)
  std::string server_cert;  // DIR/server.pem
  std::string server_key;   // DIR/server-key.pem (mode 0600)
};

// The TLS files of `state_dir`. Kept when server.pem and server-key.pem are
// there (a certificate of the user's own, or one made before); otherwise the
// server certificate is made, signed by DIR/ca.pem and DIR/ca-key.pem, which
// are made first when missing. Throws std::runtime_error.
TlsFiles ensure_tls_files(const std::string& state_dir);

}  // namespace ecsctl::local
