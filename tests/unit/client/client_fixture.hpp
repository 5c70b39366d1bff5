// Shared set-up for the client unit tests: an isolated Context (environment,
// temporary HOME with ~/.aws files) and a Session with a FakeTransport.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/context.hpp"
#include "client/session.hpp"
#include "client/transport.hpp"

namespace ecsctl::client::testing {

class TempHome {
 public:
  TempHome() {
    char tmpl[] = "/tmp/ecsctl-client-test-XXXXXX";
    m_path = mkdtemp(tmpl);
    std::filesystem::create_directories(m_path + "/.aws");
  }
  ~TempHome() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;
  const std::string& path() const { return m_path; }
  void write(const std::string& relative, const std::string& text) const {
    auto full = m_path + "/" + relative;
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    std::ofstream(full) << text;
  }

 private:
  std::string m_path;
};

using Env = std::map<std::string, std::string>;

struct Fixture {
  TempHome home;
  std::ostringstream out, err;
  Context ctx;
  std::shared_ptr<FakeTransport> fake;
  std::vector<double> sleeps;

  explicit Fixture(std::map<std::string, std::string> env = {},
                   std::function<HttpResponse(const HttpRequest&)> handler = nullptr)
      : ctx(out, err, make_env(env)) {
    fake = std::make_shared<FakeTransport>(handler ? handler : [](const HttpRequest&) {
      return HttpResponse{200, {}, "{}"};
    });
    auto& s = session(ctx);
    s.set_transport(fake);
    s.sleep = [this](double d) { sleeps.push_back(d); };
  }
  Session& s() { return session(ctx); }

 private:
  Environment make_env(std::map<std::string, std::string> env) {
    env.emplace("HOME", home.path());
    env.emplace("AWS_EC2_METADATA_DISABLED", "true");
    return Environment::isolated(env);
  }
};

inline HttpResponse json_response(int status, std::string body, Headers headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

}  // namespace ecsctl::client::testing
