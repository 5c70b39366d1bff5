// libcurl, loaded at run time: `ecsctl --help` and offline commands never map
// libcurl and its ~30 dependencies (see performance.md).
#include <curl/curl.h>
#include <dlfcn.h>

#include <cctype>
#include <chrono>
#include <mutex>

#include "core/error.hpp"
#include "client/transport.hpp"

namespace ecsctl::client {

std::string HttpResponse::header(std::string_view name) const {
  for (auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return v;
  }
  return {};
}

UrlParts split_url(std::string_view url) {
  UrlParts p;
  auto scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    p.scheme = url.substr(0, scheme_end);
    url.remove_prefix(scheme_end + 3);
  }
  auto path_start = url.find_first_of("/?");
  p.host = url.substr(0, path_start);
  std::string_view rest = path_start == std::string_view::npos ? std::string_view{} : url.substr(path_start);
  auto q = rest.find('?');
  p.path = rest.substr(0, q);
  if (q != std::string_view::npos) p.query = rest.substr(q + 1);
  if (p.path.empty()) p.path = "/";
  return p;
}

namespace {

// The handful of libcurl functions the transport uses, resolved once.
struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
};

template <class F>
void resolve(void* lib, F& fn, const char* name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn) throw Error(Exit::other, std::string("libcurl.so.4 lacks ") + name, {}, "install a current libcurl4");
}

const CurlApi& curl_api() {
  static CurlApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      throw Error(Exit::other, "cannot load libcurl.so.4, which ecsctl needs for network access", {},
                  "install it (Debian: apt-get install libcurl4)");
    resolve(lib, api.global_init, "curl_global_init");
    resolve(lib, api.easy_init, "curl_easy_init");
    resolve(lib, api.easy_setopt, "curl_easy_setopt");
    resolve(lib, api.easy_perform, "curl_easy_perform");
    resolve(lib, api.easy_getinfo, "curl_easy_getinfo");
    resolve(lib, api.easy_reset, "curl_easy_reset");
    resolve(lib, api.easy_strerror, "curl_easy_strerror");
    resolve(lib, api.easy_cleanup, "curl_easy_cleanup");
    resolve(lib, api.slist_append, "curl_slist_append");
    resolve(lib, api.slist_free_all, "curl_slist_free_all");
    api.global_init(CURL_GLOBAL_DEFAULT);
  });
  return api;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    resp->headers.clear();  // a new response (after 100-continue or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    resp->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

// The AWS CLI's read timeout: no byte sent or received for `limit` seconds.
struct ReadWatch {
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  curl_off_t down = 0, up = 0;
  double limit = 0;
  bool fired = false;
};

int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* w = static_cast<ReadWatch*>(user);
  auto now = std::chrono::steady_clock::now();
  if (dlnow != w->down || ulnow != w->up) {
    w->down = dlnow, w->up = ulnow, w->last = now;
    return 0;
  }
  if (std::chrono::duration<double>(now - w->last).count() > w->limit) {
    w->fired = true;
    return 1;  // aborts the transfer
  }
  return 0;
}

// A streamed body (HttpRequest::on_data).
struct Stream {
  const std::function<bool(std::string_view)>* on_data = nullptr;
  bool stopped = false;
};

size_t on_stream(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<Stream*>(user);
  if (!(*s->on_data)(std::string_view(data, size * n))) {
    s->stopped = true;
    return 0;  // aborts the transfer
  }
  return size * n;
}

int on_stream_idle(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* s = static_cast<Stream*>(user);
  if (!(*s->on_data)(std::string_view())) {
    s->stopped = true;
    return 1;
  }
  return 0;
}

class CurlTransport : public Transport {
 public:
  explicit CurlTransport(TransportOptions options) : m_api(curl_api()), m_options(std::move(options)) {
    m_handle = m_api.easy_init();
    if (!m_handle) throw Error(Exit::other, "curl_easy_init failed");
  }
  ~CurlTransport() override { m_api.easy_cleanup(m_handle); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override {
    auto& a = m_api;
    CURL* h = m_handle;
    a.easy_reset(h);  // keeps the connection cache: keep-alive across calls
    HttpResponse resp;
    curl_slist* headers = nullptr;
    for (auto& [k, v] : request.headers) headers = a.slist_append(headers, (k + ": " + v).c_str());
    headers = a.slist_append(headers, "Expect:");
    a.easy_setopt(h, CURLOPT_URL, request.url.c_str());
    a.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    a.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    a.easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    if (request.method == "GET") {
      a.easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      a.easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      a.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      a.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      if (request.method != "POST") a.easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    Stream stream{&request.on_data};
    if (request.on_data) {
      a.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_stream);
      a.easy_setopt(h, CURLOPT_WRITEDATA, &stream);
      a.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      a.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_stream_idle);
      a.easy_setopt(h, CURLOPT_XFERINFODATA, &stream);
    } else {
      a.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
      a.easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    }
    a.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    a.easy_setopt(h, CURLOPT_HEADERDATA, &resp);
    if (!m_options.unix_socket.empty()) a.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, m_options.unix_socket.c_str());
    apply_options(request);
    ReadWatch watch;
    watch.limit = m_options.read_timeout.value_or(60);
    if (!request.timeout && !request.on_data && watch.limit > 0) {
      a.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      a.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
      a.easy_setopt(h, CURLOPT_XFERINFODATA, &watch);
    }
    CURLcode rc = a.easy_perform(h);
    a.slist_free_all(headers);
    if (watch.fired)
      throw TransportError("read timeout on endpoint URL \"" + request.url + "\": no data for " +
                               std::to_string(static_cast<long>(watch.limit)) + " s",
                           true);
    if (rc != CURLE_OK && !stream.stopped) {
      throw TransportError(std::string("could not connect to the endpoint URL \"") + request.url + "\": " +
                               a.easy_strerror(rc),
                           rc == CURLE_OPERATION_TIMEDOUT);
    }
    long status = 0;
    a.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    resp.status = static_cast<int>(status);
    return resp;
  }

 private:
  void apply_options(const HttpRequest& request) {
    auto& a = m_api;
    CURL* h = m_handle;
    if (request.timeout) {
      a.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(*request.timeout * 1000));
      a.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(*request.timeout * 1000));
    } else {
      double connect = m_options.connect_timeout.value_or(60);
      if (connect > 0) a.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect * 1000));
    }
    if (!m_options.verify_ssl) {
      a.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      a.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!m_options.ca_bundle.empty()) {
      a.easy_setopt(h, CURLOPT_CAINFO, m_options.ca_bundle.c_str());
    }
  }

  const CurlApi& m_api;
  TransportOptions m_options;
  CURL* m_handle = nullptr;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace ecsctl::client
