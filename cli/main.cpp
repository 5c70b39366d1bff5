// Entry point of the ecsctl command-line tool.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // A closed pipe (`ecsctl ... | head -2`) must not kill ecsctl with SIGPIPE:
  // the write fails with EPIPE instead, std::cout throws, and run_app stops
  // quietly with exit 0, as the AWS CLI does.
  std::signal(SIGPIPE, SIG_IGN);
  std::cout.exceptions(std::ios::badbit);
  ecsctl::Context ctx(std::cout, std::cerr);
  ctx.stdout_is_tty = isatty(STDOUT_FILENO) == 1;
  ctx.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = ecsctl::run_app(ctx, args);
  try {
    std::cout.flush();
  } catch (const std::ios_base::failure&) {
  }
  return code;
}
