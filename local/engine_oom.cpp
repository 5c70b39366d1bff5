// A container's OOM kill, from the cgroup v1 memory controller's OOM
// notification (local/engine_oom.hpp): an eventfd registered through
// cgroup.event_control on memory.oom_control fires when the cgroup runs out of
// memory and again when the cgroup is removed; memory.oom_control's oom_kill
// counter says whether the kernel killed a process.
#include "local/engine_oom.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>

namespace ecsctl::local {

namespace {

// The memory cgroup directory of `pid` (v1: "N:memory:/path" in /proc/PID/cgroup).
std::string memory_cgroup(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string controllers = "," + line.substr(a + 1, b - a - 1) + ",";
    if (controllers.find(",memory,") != std::string::npos) return "/sys/fs/cgroup/memory" + line.substr(b + 1);
  }
  return {};
}

}  // namespace

OomWatch::OomWatch(int pid) {
  if (pid <= 0) return;
  std::string dir = memory_cgroup(pid);
  if (dir.empty()) return;
  int ofd = ::open((dir + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC);
  if (ofd < 0) return;
  int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  int cfd = efd < 0 ? -1 : ::open((dir + "/cgroup.event_control").c_str(), O_WRONLY | O_CLOEXEC);
  std::string reg = std::to_string(efd) + " " + std::to_string(ofd);
  if (cfd < 0 || ::write(cfd, reg.data(), reg.size()) != static_cast<ssize_t>(reg.size())) {
    if (cfd >= 0) ::close(cfd);
    if (efd >= 0) ::close(efd);
    ::close(ofd);
    return;
  }
  ::close(cfd);
  m_efd = efd;
  m_ofd = ofd;
  // Already killed before the watch began (the cgroup lingers a moment)?
  if (read_oom_kill()) m_oom = true;
  m_thread = std::thread([this] { run(); });
}

OomWatch::~OomWatch() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
  if (m_efd >= 0) ::close(m_efd);
  if (m_ofd >= 0) ::close(m_ofd);
}

bool OomWatch::read_oom_kill() {
  char buf[256];
  ssize_t n = ::pread(m_ofd, buf, sizeof buf - 1, 0);
  if (n <= 0) return false;
  buf[n] = 0;
  const char* p = std::strstr(buf, "oom_kill ");
  return p && std::atol(p + 9) > 0;
}

void OomWatch::run() {
  while (!m_stop && !m_oom) {
    pollfd pfd{m_efd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    uint64_t count = 0;
    if (::read(m_efd, &count, sizeof count) != sizeof count) continue;
    // An OOM (the kill may land a moment after the notification) or the
    // cgroup's removal (oom_control no longer reads).
    bool gone = false;
    for (int i = 0; i < 50 && !m_oom; ++i) {
      char probe[8];
      if (::pread(m_ofd, probe, sizeof probe, 0) <= 0) {
        gone = true;
        break;
      }
      if (read_oom_kill()) m_oom = true;
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (gone) break;
  }
  m_done = true;
}

bool OomWatch::oom_killed(double wait_seconds) {
  if (!active()) return false;
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  while (!m_done && !m_oom && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return m_oom;
}

}  // namespace ecsctl::local
