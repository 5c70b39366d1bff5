// The Docker Engine API client of the engine runtime (local/engine_api.hpp)
// against a fake engine on a Unix socket: a pull carries the registry
// credentials as X-Registry-Auth (base64url JSON), and the image names the
// runtime derives (registry host; the local image of an ECR URI).
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "local/engine_api.hpp"
#include "local/engine_images.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

// Accepts one connection on a Unix socket, keeps the request head, answers
// with a pull's JSON progress lines.
struct FakeEngine {
  std::string path;
  int fd = -1;
  std::string request;
  std::thread thread;

  FakeEngine() {
    path = (std::filesystem::temp_directory_path() / ("ecsctl-fake-engine-" + std::to_string(::getpid()) + ".sock")).string();
    ::unlink(path.c_str());
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    thread = std::thread([this] {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      std::string body = "{\"status\":\"Pulling from app\"}\n{\"error\":\"pinging container registry registry.example.test\"}\n";
      std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\nConnection: close\r\n\r\n" + body;
      (void)!::write(c, reply.data(), reply.size());
      ::close(c);
    });
  }
  ~FakeEngine() {
    if (thread.joinable()) thread.join();
    ::close(fd);
    ::unlink(path.c_str());
  }
  std::string header(const std::string& name) const {
    std::string lower = request;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string key = "\r\n" + name + ": ";
    for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t at = lower.find(key);
    if (at == std::string::npos) return {};
    size_t from = at + key.size();
    return request.substr(from, request.find("\r\n", from) - from);
  }
};

std::string base64url_decode(const std::string& in) {
  std::string out;
  int bits = 0;
  unsigned acc = 0;
  for (char ch : in) {
    int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26 : ch >= '0' && ch <= '9' ? ch - '0' + 52
          : ch == '-' ? 62 : ch == '_' ? 63 : -1;
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("engine API: a pull sends the registry credentials as X-Registry-Auth") {
  FakeEngine engine;
  EngineApi api(engine.path);
  std::string auth = registry_auth_header("robot", "s3cr3t+/pa?ss>>", "registry.example.test:5000");
  // base64url: no '+' or '/' (the password has bytes that give both in plain base64).
  CHECK(auth.find('+') == std::string::npos);
  CHECK(auth.find('/') == std::string::npos);
  std::string body;
  int status = api.stream("POST", "/images/create?fromImage=registry.example.test%3A5000%2Fapp&tag=1",
                          [&](std::string_view chunk) {
                            body.append(chunk);
                            return true;
                          },
                          {{"X-Registry-Auth", auth}});
  CHECK(status == 200);
  CHECK(body.find("pinging container registry") != std::string::npos);
  CHECK(engine.request.rfind("POST /v1.41/images/create?fromImage=", 0) == 0);
  std::string sent = engine.header("X-Registry-Auth");
  REQUIRE_FALSE(sent.empty());
  CHECK(sent == auth);
  Json doc = Json::parse(base64url_decode(sent));
  CHECK(doc["username"] == "robot");
  CHECK(doc["password"] == "s3cr3t+/pa?ss>>");
  CHECK(doc["serveraddress"] == "registry.example.test:5000");
}

TEST_CASE("engine API: without credentials a pull sends no X-Registry-Auth") {
  FakeEngine engine;
  EngineApi api(engine.path);
  api.stream("POST", "/images/create?fromImage=app", [](std::string_view) { return true; });
  CHECK(engine.request.rfind("POST /v1.41/images/create", 0) == 0);
  CHECK(engine.header("X-Registry-Auth").empty());
}

TEST_CASE("engine API: the registry an image is pulled from") {
  CHECK(registry_of("registry.example.test:5000/team/app:1") == "registry.example.test:5000");
  CHECK(registry_of("123456789012.dkr.ecr.us-east-1.amazonaws.com/app") == "123456789012.dkr.ecr.us-east-1.amazonaws.com");
  CHECK(registry_of("localhost/app:1") == "localhost");
  CHECK(registry_of("library/nginx") == "docker.io");
  CHECK(registry_of("nginx") == "docker.io");
}

TEST_CASE("engine images: the local image of an ECR repository URI") {
  CHECK(local_name_of_ecr_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2") == "localhost/app:1.2");
  CHECK(local_name_of_ecr_image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app") == "localhost/team/app:latest");
  CHECK(local_name_of_ecr_image("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:x") == "localhost/app:x");
  CHECK(local_name_of_ecr_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc") == "localhost/app@sha256:abc");
  CHECK(local_name_of_ecr_image("registry.example.test/app:1").empty());
  CHECK(local_name_of_ecr_image("12345678901x.dkr.ecr.us-east-1.amazonaws.com/app").empty());
  CHECK(local_name_of_ecr_image("nginx").empty());
}
