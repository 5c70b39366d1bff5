// Whether a local control plane serves a state directory. A running
// ecsctl-local holds a write lock (fcntl, not inherited by the processes it
// starts) on the directory's server.lock for as long as it lives: the lock, not
// a pid, says whether a plane is there, so a crashed server, or a pid another
// process reuses, never looks alive. Shared by the server (local/) and by
// `ecsctl local` (commands/), which does not link the server.
#pragma once
#include <string>

namespace ecsctl {

inline constexpr const char* k_state_lock_file = "server.lock";

// The pid of the process that holds the state directory's lock, -1 when it
// holds it from another pid namespace (held all the same), or 0 when none does.
long state_lock_holder(const std::string& state_dir);

}  // namespace ecsctl
