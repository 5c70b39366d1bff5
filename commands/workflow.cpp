#include "commands/workflow.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <thread>

#include "core/error.hpp"
#include "commands/api.hpp"

namespace ecsctl::commands::workflow {

Runtime& runtime(Context& ctx) {
  return ctx.service<Runtime>([&ctx] {
    auto rt = std::make_shared<Runtime>();
    Context* c = &ctx;
    rt->call = [c](std::string_view service, std::string_view op, const Json& in) {
      return api::call_operation(*c, service, op, in);
    };
    rt->sleep = [](double seconds) {
      using Clock = std::chrono::steady_clock;
      auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
      while (Clock::now() < end) {
        check_interrupted();
        Clock::duration left = end - Clock::now();
        std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
      }
      check_interrupted();
    };
    rt->now = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
    return rt;
  });
}

bool is_throttling(const std::exception& e) {
  auto* se = dynamic_cast<const ServiceError*>(&e);
  if (!se) return false;
  static const char* const k_codes[] = {"Throttling", "ThrottlingException", "ThrottledException",
                                        "TooManyRequestsException", "RequestLimitExceeded",
                                        "RequestThrottled", "RequestThrottledException"};
  for (const char* c : k_codes)
    if (se->error_code() == c) return true;
  return se->http_status() == 429;
}

Progress::~Progress() {
  try {
    done();
  } catch (...) {
  }
}

void Progress::status(const std::string& line) {
  if (m_ctx.opts.quiet || line == m_last) return;
  m_last = line;
  if (m_ctx.live_progress()) {
    m_ctx.err << "\r\033[K" << line << std::flush;
    m_live_open = true;
  } else {
    m_ctx.err << line << "\n" << std::flush;
  }
}

void Progress::note(const std::string& line) {
  if (m_ctx.opts.quiet) return;
  if (m_live_open) m_ctx.err << "\r\033[K";
  m_ctx.err << line << "\n";
  if (m_live_open) m_ctx.err << m_last;
  m_ctx.err << std::flush;
}

void Progress::done() {
  if (m_live_open) m_ctx.err << "\n" << std::flush;
  m_live_open = false;
}

std::vector<std::string> split_command(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first != std::string_view::npos && text[first] == '[') {
    Json j = Json::parse(std::string(text), nullptr, false);
    if (!j.is_array()) throw_usage("invalid JSON command list: " + std::string(text));
    std::vector<std::string> out;
    for (auto& w : j) {
      if (!w.is_string()) throw_usage("command list items must be strings: " + std::string(text));
      out.push_back(w.get<std::string>());
    }
    return out;
  }
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size()) cur += text[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) throw_usage("unterminated quote in command: " + std::string(text));
  if (in_word) out.push_back(cur);
  return out;
}

Json split_ids(const std::vector<std::string>& words) {
  Json out = Json::array();
  for (const auto& w : words)
    for (std::size_t s = 0; s <= w.size();) {
      auto e = w.find(',', s);
      if (e == std::string::npos) e = w.size();
      if (e > s) out.push_back(w.substr(s, e - s));
      s = e + 1;
    }
  return out;
}

std::string arn_tail(std::string_view arn) {
  auto slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string taskdef_short(std::string_view arn) { return arn_tail(arn); }

}  // namespace ecsctl::commands::workflow
