// Entry point of the local control plane server (placeholder).
#include <cstdio>
int main() { std::fputs("ecsctl-local: not implemented yet\n", stderr); return 255; }
