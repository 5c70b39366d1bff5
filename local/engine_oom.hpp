// Seeing a container's OOM kill from its memory cgroup (cgroup v1), for
// engines that do not report State.OOMKilled on this layout: podman with runc
// and cgroupfs on a hybrid cgroup host (conmon misses the kill there, though
// the kernel enforces the limit). Works only when the plane runs on the
// engine's host (a local Docker or podman socket).
#pragma once
#include <atomic>
#include <thread>

namespace ecsctl::local {

class OomWatch {
 public:
  // Watches the memory cgroup of process `pid` (the container's first
  // process). Does nothing when that cgroup cannot be found or opened.
  explicit OomWatch(int pid);
  ~OomWatch();
  OomWatch(const OomWatch&) = delete;
  OomWatch& operator=(const OomWatch&) = delete;
  // Whether watching started at all.
  bool active() const { return m_efd >= 0; }
  // Whether the kernel killed a process of the cgroup for lack of memory;
  // waits up to `wait_seconds` for the watch to settle (the cgroup goes away
  // shortly after the container exits).
  bool oom_killed(double wait_seconds);

 private:
  void run();
  bool read_oom_kill();  // true once oom_kill > 0; false when not (yet) or gone
  int m_efd = -1, m_ofd = -1;
  std::atomic<bool> m_stop{false}, m_done{false}, m_oom{false};
  std::thread m_thread;
};

}  // namespace ecsctl::local
