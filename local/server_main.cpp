// Entry point of `ecsctl-local`, the local control plane executable that
// `ecsctl local` runs: `serve` runs the server; `status`, `reset` and
// `add-instances` talk to a running one through its control endpoint.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/state_lock.hpp"
#include "core/json.hpp"
#include "local/server.hpp"

using ecsctl::Error;
using ecsctl::Exit;
using ecsctl::Json;
namespace local = ecsctl::local;

namespace {

constexpr const char* k_usage =
    "usage: ecsctl-local serve --state DIR [--port N] [--pace fast|real] [--region R]\n"
    "                          [--config-file F] [--credentials-file F] [--tls]\n"
    "                          [--stopped-task-ttl DURATION]\n"
    "                          [--runtime auto|engine|simulated] [--engine-socket PATH]\n"
    "       ecsctl-local status|reset --state DIR\n"
    "       ecsctl-local add-instances --state DIR  (JSON request on stdin)";

// The command line is wrong: the usage text goes with the message.
[[noreturn]] void usage(const std::string& why) { throw Error(Exit::usage, why, {}, k_usage); }

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Json();
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// Sends a control request to the server running on `state_dir`; prints its answer.
void control(const std::string& state_dir, const std::string& action, const std::string& body) {
  Json server = read_json(state_dir + "/server.json");
  Json creds = read_json(state_dir + "/credentials.json");
  if (ecsctl::state_lock_holder(state_dir) == 0 || !server.is_object() || !creds.is_object())
    throw Error(Exit::other, "no server is running on " + state_dir, {}, "start it with 'ecsctl local up --state " + state_dir + "'");
  // A server started with --tls is asked over HTTPS, trusting its state
  // directory's CA (the control token is not sent unverified).
  std::unique_ptr<httplib::ClientImpl> client;
  if (server.value("endpoint", std::string()).rfind("https://", 0) == 0) {
    auto ssl = std::make_unique<httplib::SSLClient>("127.0.0.1", server.value("port", 0));
    ssl->set_ca_cert_path(server.value("caBundle", state_dir + "/ca.pem").c_str());
    ssl->enable_server_certificate_verification(true);
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>("127.0.0.1", server.value("port", 0));
  }
  httplib::ClientImpl& cli = *client;
  cli.set_connection_timeout(5);
  cli.set_read_timeout(60);
  std::string token;
  if (creds.contains("controlToken") && creds["controlToken"].is_string()) token = creds["controlToken"].get<std::string>();
  httplib::Headers h;
  h.emplace("X-Ecsctl-Control", token);
  auto res = cli.Post(("/_ecsctl/local/" + action).c_str(), h, body, "application/json");
  if (!res)
    throw Error(Exit::other, "the server on 127.0.0.1:" + std::to_string(server.value("port", 0)) + " does not answer");
  if (res->status != 200) {
    Json err = Json::parse(res->body, nullptr, false);
    std::string msg = err.is_object() ? err.value("__type", "") + ": " + err.value("message", "") : res->body;
    throw Error(Exit::service, msg);
  }
  std::fwrite(res->body.data(), 1, res->body.size(), stdout);
  std::fputc('\n', stdout);
}

// "90", "90s", "10m", "2h", "1d" -> seconds; a usage error otherwise.
double duration_of(const std::string& flag, const std::string& text) {
  std::string s = text;
  double mult = 1;
  if (!s.empty() && std::string("smhd").find(s.back()) != std::string::npos) {
    mult = s.back() == 'm' ? 60 : s.back() == 'h' ? 3600 : s.back() == 'd' ? 86400 : 1;
    s.pop_back();
  }
  char* end = nullptr;
  double v = s.empty() ? -1 : std::strtod(s.c_str(), &end);
  if (s.empty() || *end || !(v >= 0) || v > 1e9) usage(flag + " needs a duration such as 3600, 90s, 10m or 1h, not '" + text + "'");
  return v * mult;
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

int run(const std::vector<std::string>& args) {
  std::string cmd = args.empty() ? "serve" : args[0];
  local::ServerOptions opt;
  opt.region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  for (size_t i = 1; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage(args[i] + " needs a value");
      return args[++i];
    };
    if (args[i] == "--tls") opt.tls = true;
    else if (args[i] == "--port") {
      std::string v = value();
      try {
        opt.port = std::stoi(v);
      } catch (const std::exception&) {
        usage("--port needs a number, not " + v);
      }
    } else if (args[i] == "--state") opt.state_dir = value();
    else if (args[i] == "--region") opt.region = value();
    else if (args[i] == "--config-file") opt.config_file = value();
    else if (args[i] == "--credentials-file") opt.credentials_file = value();
    else if (args[i] == "--stopped-task-ttl") {
      std::string v = value();
      opt.stopped_task_ttl = duration_of("--stopped-task-ttl", v);
    }
    else if (args[i] == "--engine-socket") opt.engine_socket = value();
    else if (args[i] == "--runtime") {
      opt.runtime = value();
      if (opt.runtime != "auto" && opt.runtime != "engine" && opt.runtime != "simulated")
        usage("--runtime must be auto, engine or simulated");
    }
    else if (args[i] == "--pace") {
      std::string p = value();
      if (p != "fast" && p != "real") usage("--pace must be fast or real");
      opt.pace = p == "fast" ? local::Pace::fast : local::Pace::real;
    } else usage("unknown option " + args[i]);
  }
  if (opt.port <= 0 || opt.port > 65535) usage("--port must be between 1 and 65535");
  if (opt.state_dir.empty()) usage("--state is required");
  {
    std::error_code ec;
    auto abs = std::filesystem::absolute(opt.state_dir, ec);
    if (!ec) opt.state_dir = abs.lexically_normal().string();
  }
  if (cmd == "serve") return local::run_server(opt);
  if (cmd == "status" || cmd == "reset") {
    control(opt.state_dir, cmd, "{}");
    return static_cast<int>(Exit::ok);
  }
  if (cmd == "add-instances") {
    std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    control(opt.state_dir, cmd, body);
    return static_cast<int>(Exit::ok);
  }
  usage("unknown command " + cmd);
}

}  // namespace

// Every failure is an ecsctl::Error with its Exit code (core/error.hpp), as in
// ecsctl itself: 252 for the command line, 254 when the server refuses a
// control request, 255 for anything else.
int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const Error& e) {
    std::fprintf(stderr, "ecsctl-local: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "%s\n", e.hint().c_str());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecsctl-local: %s\n", e.what());
    return static_cast<int>(Exit::other);
  }
}
