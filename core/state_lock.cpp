#include "core/state_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ecsctl {

long state_lock_holder(const std::string& dir) {
  int fd = ::open((dir + "/" + k_state_lock_file).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  long pid = 0;
  if (::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) pid = fl.l_pid > 0 ? fl.l_pid : -1;
  ::close(fd);
  return pid;
}

}  // namespace ecsctl
