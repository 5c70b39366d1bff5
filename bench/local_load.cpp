// A small keep-alive load generator for the local control plane: N
// connections send one signed JSON 1.1 request over and over for a fixed time
// and report requests per second and the error count.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "client/sigv4.hpp"

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: local_load PORT ACCESS_KEY SECRET OPERATION JSON SECONDS [CONNECTIONS]\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  std::string key = argv[2], secret = argv[3], op = argv[4], body = argv[5];
  double seconds = std::atof(argv[6]);
  int connections = argc > 7 ? std::atoi(argv[7]) : 4;
  // One signature serves every copy of the identical request (valid for 15 minutes).
  ecsctl::sigv4::Request req{"POST", "/", {}, {{"Host", "127.0.0.1:" + std::to_string(port)},
                                               {"Content-Type", "application/x-amz-json-1.1"},
                                               {"X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + op}}, body};
  try {
    ecsctl::sigv4::sign(req, {key, secret, ""}, "us-east-1", "ecs", std::chrono::system_clock::now());
  } catch (const std::logic_error&) {
    // SigV4 not implemented yet in this tree: name the key only.
    req.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + key +
                             "/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0");
  }
  httplib::Headers headers;
  for (const auto& [k, v] : req.headers)
    if (k != "Host" && k != "Content-Type") headers.emplace(k, v);
  std::atomic<long> ok{0}, errors{0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_tcp_nodelay(true);  // as libcurl does by default
      cli.set_keep_alive(true);
      while (std::chrono::steady_clock::now() < deadline) {
        auto res = cli.Post("/", headers, body, "application/x-amz-json-1.1");
        if (res && res->status == 200) ok++;
        else errors++;
      }
    });
  }
  auto start = std::chrono::steady_clock::now();
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %ld requests in %.2f s over %d keep-alive connections: %.0f requests/s, %ld errors\n", op.c_str(),
              ok.load(), secs, connections, ok / secs, errors.load());
  return errors > 0 ? 1 : 0;
}
