// The floor for any C++ process on this machine: a bare hello world, built by
// bench/startup.sh with the same compiler flags as ecsctl.
#include <iostream>

int main() {
  std::cout << "hello\n";
  return 0;
}
