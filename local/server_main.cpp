// Entry point of `ecsctl-local`, the local control plane executable that
// `ecsctl local` runs: `serve` runs the server; `status`, `reset` and
// `add-instances` talk to a running one through its control endpoint.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "local/server.hpp"

using ecsctl::Json;
namespace local = ecsctl::local;

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "ecsctl-local: %s\n"
               "usage: ecsctl-local serve --state DIR [--port N] [--pace fast|real] [--region R]\n"
               "                          [--config-file F] [--credentials-file F]\n"
               "       ecsctl-local status|reset --state DIR\n"
               "       ecsctl-local add-instances --state DIR  (JSON request on stdin)\n",
               why);
  return 252;
}

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Json();
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// Sends a control request to the server running on `state_dir`.
int control(const std::string& state_dir, const std::string& action, const std::string& body) {
  Json server = read_json(state_dir + "/server.json");
  Json creds = read_json(state_dir + "/credentials.json");
  if (!server.is_object() || !creds.is_object()) {
    std::fprintf(stderr, "ecsctl-local: no server is running on %s\n", state_dir.c_str());
    return 255;
  }
  httplib::Client cli("127.0.0.1", server.value("port", 0));
  cli.set_connection_timeout(5);
  cli.set_read_timeout(60);
  std::string token;
  if (creds.contains("controlToken") && creds["controlToken"].is_string()) token = creds["controlToken"].get<std::string>();
  httplib::Headers h;
  h.emplace("X-Ecsctl-Control", token);
  auto res = cli.Post(("/_ecsctl/local/" + action).c_str(), h, body, "application/json");
  if (!res) {
    std::fprintf(stderr, "ecsctl-local: the server on 127.0.0.1:%d does not answer\n", server.value("port", 0));
    return 255;
  }
  if (res->status != 200) {
    Json err = Json::parse(res->body, nullptr, false);
    std::string msg = err.is_object() ? err.value("__type", "") + ": " + err.value("message", "") : res->body;
    std::fprintf(stderr, "ecsctl-local: %s\n", msg.c_str());
    return 254;
  }
  std::fwrite(res->body.data(), 1, res->body.size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string cmd = args.empty() ? "serve" : args[0];
  local::ServerOptions opt;
  opt.region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  for (size_t i = 1; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
      return args[++i];
    };
    try {
      if (args[i] == "--port") opt.port = std::stoi(value());
      else if (args[i] == "--state") opt.state_dir = value();
      else if (args[i] == "--region") opt.region = value();
      else if (args[i] == "--config-file") opt.config_file = value();
      else if (args[i] == "--credentials-file") opt.credentials_file = value();
      else if (args[i] == "--pace") {
        std::string p = value();
        if (p != "fast" && p != "real") return usage("--pace must be fast or real");
        opt.pace = p == "fast" ? local::Pace::fast : local::Pace::real;
      } else return usage(("unknown option " + args[i]).c_str());
    } catch (const std::exception& e) {
      return usage(e.what());
    }
  }
  if (opt.port <= 0 || opt.port > 65535) return usage("--port must be between 1 and 65535");
  if (opt.state_dir.empty()) return usage("--state is required");
  if (cmd == "serve") {
    try {
      return local::run_server(opt);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ecsctl-local: %s\n", e.what());
      return 255;
    }
  }
  if (cmd == "status" || cmd == "reset") return control(opt.state_dir, cmd, "{}");
  if (cmd == "add-instances") {
    std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return control(opt.state_dir, cmd, body);
  }
  return usage(("unknown command " + cmd).c_str());
}
