// The local control plane's request handling without a socket: SigV4
// verification of the headers, then Router::dispatch into the real ECS, ELBv2,
// EventBridge and Scheduler handlers on an in-memory store, as server.cpp wires
// them. An input is up to 8 requests separated by a line "###"; each is
//   METHOD /path?query
//   Header: value
//   (empty line)
//   body
// ApiError is the documented failure and becomes an AWS error response; a 500
// "Internal error" means some other exception escaped a handler: a finding.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "client/sigv4.hpp"
#include "local/ecs.hpp"
#include "local/elbv2_query.hpp"
#include "local/events_services.hpp"
#include "local/router.hpp"
#include "local/store.hpp"
#include "tests/fuzz/fuzz_common.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Plane {
  Store store{":memory:"};
  Ecs ecs{store, "us-east-1", "123456789012", Pace::fast};
  Router router;
  ExtraServices extra{store, ecs, router, "us-east-1", "123456789012", Pace::fast};
  Plane() {
    router.set_transaction([this] { return store.stage(); }, [this] { store.rollback(); }, [this](long n) { store.flush(n); });
    ecs.register_operations(router);
  }
};

HttpRequest parse_request(std::string_view text) {
  HttpRequest r;
  auto [head, body] = fuzz::split_once(text, '\n');
  auto [method, target] = fuzz::split_once(head, ' ');
  r.method = std::string(method.empty() ? "POST" : method);
  r.target = std::string(target.empty() ? "/" : target);
  auto [path, query] = fuzz::split_once(r.target, '?');
  r.path = std::string(path);
  if (!query.empty()) r.query = query::parse_form(std::string(query));
  std::string_view rest = body;
  while (!rest.empty()) {
    auto [line, tail] = fuzz::split_once(rest, '\n');
    rest = tail;
    if (line.empty() || line == "\r") break;
    auto [name, value] = fuzz::split_once(line, ':');
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(name, value);
  }
  r.body = std::string(rest);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Plane* plane = new Plane;  // lives for the process, as the server's does
  {
    std::lock_guard lock(plane->router.state_mutex());
    plane->store.clear();
  }
  std::string_view text = fuzz::as_text(data, size);
  for (int n = 0; n < 8 && !text.empty(); ++n) {
    std::string_view one = text;
    std::size_t sep = text.find("\n###\n");
    if (sep == std::string_view::npos) {
      text = {};
    } else {
      one = text.substr(0, sep);
      text.remove_prefix(sep + 5);
    }
    HttpRequest r = parse_request(one);
    sigv4::Request sr{r.method, r.path, r.query, r.headers, r.body};
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    (void)sigv4::verify(sr, [](std::string_view key) -> std::optional<std::string> {
      if (key == "AKIDEXAMPLE") return std::string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
      return std::nullopt;
    }, now);
    (void)Router::operation_of(r);
    HttpResponse out = plane->router.dispatch(r);
    if (out.status == 500 && out.body.find("Internal error") != std::string::npos) {
      std::fprintf(stderr, "unexpected exception in a handler: %s\n", out.body.c_str());
      std::abort();
    }
    std::lock_guard lock(plane->router.state_mutex());
    for (int i = 0; i < 4; ++i) {
      bool changed = plane->ecs.tick();
      changed = plane->extra.tick() || changed;
      plane->store.commit();
      if (!changed) break;
    }
  }
  return 0;
}
