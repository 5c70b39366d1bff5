// Choosing the runtime of the local plane at start-up (`--runtime
// auto|engine|simulated`, `--engine-socket PATH` or DOCKER_HOST=unix://...):
// the given socket, Docker's /var/run/docker.sock, or a Podman API service
// that the plane starts on a socket in its state directory (with the
// project's containers.conf through CONTAINERS_CONF, unless the user set it).
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "local/runtime.hpp"

namespace ecsctl::local {

struct RuntimeSetup {
  std::string mode = "auto";  // auto | engine | simulated
  std::string socket;         // --engine-socket (else DOCKER_HOST unix://, else found)
  std::string state_dir;
};

struct EngineChoice {
  std::string socket;  // empty: no engine (simulated)
  std::string why;     // why there is none
  pid_t podman_pid = 0;  // the Podman service the plane started (or found), to stop at the end
};

// Finds or starts an engine; with mode "engine" and none, throws Error(Exit::config).
EngineChoice choose_engine(const RuntimeSetup& setup, const std::function<void(const std::string&)>& log);
// Stops the Podman service of `choice`, if the plane started one.
void stop_podman(const EngineChoice& choice, const std::string& state_dir);
// The text of local/engine/containers.conf, which the plane writes into its state directory.
const char* containers_conf_text();

}  // namespace ecsctl::local
