// Entry point of the ecsctl command-line tool.
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  ecsctl::Context ctx(std::cout, std::cerr);
  ctx.stdout_is_tty = isatty(STDOUT_FILENO) == 1;
  ctx.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = ecsctl::run_app(ctx, args);
  std::cout.flush();
  return code;
}
