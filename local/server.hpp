// The local control plane process: state directory, generated credentials,
// the `local` profile, SigV4 verification, the HTTP server on 127.0.0.1 and
// the background engine.
#pragma once
#include <functional>
#include <string>

#include "core/json.hpp"
#include "local/ecs.hpp"

namespace ecsctl::local {

struct ServerOptions {
  int port = 4510;
  std::string state_dir;      // created when missing
  std::string region = "us-east-1";
  Pace pace = Pace::fast;
  std::string config_file;       // AWS_CONFIG_FILE (or ~/.aws/config); empty: do not write
  std::string credentials_file;  // AWS_SHARED_CREDENTIALS_FILE (or ~/.aws/credentials)
  bool tls = false;              // HTTPS with the state directory's CA (local/tls_certs.hpp)
  double stopped_task_ttl = 3600;  // seconds a STOPPED task stays visible (ECS: an hour)
  std::string runtime = "auto";  // auto | engine | simulated (local/runtime_select.hpp)
  std::string engine_socket;     // the container engine's Unix socket (else found)
};

// Whether a plane serves a state directory: core/state_lock.hpp.

// The keys of a state directory (generated on first use, mode 0600).
struct LocalKeys {
  std::string access_key_id, secret_access_key, control_token;
};
LocalKeys load_or_create_keys(const std::string& state_dir);

// Replaces (or appends) the section `[header]` of the INI file at `path` with
// `body` lines, keeping everything else; the file is written with mode 0600.
void write_ini_section(const std::string& path, const std::string& header,
                       const std::vector<std::pair<std::string, std::string>>& body);

// Runs the server until SIGTERM/SIGINT and returns Exit::ok; throws ecsctl::Error
// (Exit::config) when another server holds the state directory or it cannot listen.
int run_server(const ServerOptions& options);

// Account id used in every ARN the local control plane makes.
inline constexpr const char* k_local_account = "123456789012";

}  // namespace ecsctl::local
