#include "commands/workflow.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ostream>
#include <thread>

#include "core/error.hpp"
#include "commands/api.hpp"

namespace ecsctl::workflow {

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

double poll_interval(Context& ctx, const std::optional<std::string>& flag) {
  if (flag) return parse_duration(*flag, "--poll-interval");
  if (auto env = ctx.env.get_nonempty("ECSCTL_POLL_INTERVAL")) return parse_duration(*env, "ECSCTL_POLL_INTERVAL");
  return 3.0;
}

Poller::Poller(Runtime& rt, double initial, double max)
    : m_rt(rt), m_initial(std::max(initial, 0.0)), m_max(std::max(max, initial)), m_delay(m_initial) {}

void Poller::wait(bool changed, double cap) {
  check_interrupted();
  if (changed) m_delay = m_initial;
  m_rt.sleep(cap >= 0 ? std::min(cap, m_delay) : m_delay);
  check_interrupted();
  m_delay = std::min(m_max, std::max(m_delay * 1.5, m_initial));
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

std::string Journal::summary(const std::vector<std::string>& not_done) const {
  std::string s = "done: ";
  if (m_done.empty()) s += "nothing";
  for (std::size_t i = 0; i < m_done.size(); ++i) s += (i ? "; " : "") + m_done[i];
  s += ". Not done: ";
  if (not_done.empty()) s += "nothing";
  for (std::size_t i = 0; i < not_done.size(); ++i) s += (i ? "; " : "") + not_done[i];
  return s + ".";
}

void Journal::fail(const Error& e, const std::vector<std::string>& not_done, const std::string& location) const {
  std::string hint = e.hint().empty() ? summary(not_done) : e.hint() + "\n  " + summary(not_done);
  throw Error(e.code(), e.what(), e.location().empty() ? location : e.location(), hint);
}

static bool is_option(const std::string& w) { return w.size() > 2 && w.compare(0, 2, "--") == 0; }

std::optional<std::string> take_value(std::vector<std::string>& args, std::string_view flag) {
  std::optional<std::string> found;
  for (std::size_t i = 0; i < args.size();) {
    const std::string& w = args[i];
    if (w == flag) {
      if (i + 1 >= args.size()) throw_usage("argument " + std::string(flag) + ": expected one argument");
      found = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    } else if (w.size() > flag.size() && w.compare(0, flag.size(), flag) == 0 && w[flag.size()] == '=') {
      found = w.substr(flag.size() + 1);
      args.erase(args.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
  return found;
}

std::vector<std::string> take_list(std::vector<std::string>& args, std::string_view flag) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size();) {
    const std::string& w = args[i];
    if (w.size() > flag.size() && w.compare(0, flag.size(), flag) == 0 && w[flag.size()] == '=') {
      out.push_back(w.substr(flag.size() + 1));
      args.erase(args.begin() + static_cast<long>(i));
      continue;
    }
    if (w != flag) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < args.size() && !is_option(args[j])) out.push_back(args[j++]);
    if (j == i + 1) throw_usage("argument " + std::string(flag) + ": expected at least one argument");
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(j));
  }
  return out;
}

bool take_flag(std::vector<std::string>& args, std::string_view flag) {
  auto it = std::find(args.begin(), args.end(), flag);
  if (it == args.end()) return false;
  args.erase(std::remove(args.begin(), args.end(), std::string(flag)), args.end());
  return true;
}

std::optional<std::string> take_positional(std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i].empty() && args[i][0] == '-') {
      if (args[i].find('=') == std::string::npos && i + 1 < args.size() && args[i + 1].rfind("-", 0) != 0)
        ++i;  // skip the option's value
      continue;
    }
    std::string v = args[i];
    args.erase(args.begin() + static_cast<long>(i));
    return v;
  }
  return std::nullopt;
}

void reject_leftovers(const std::vector<std::string>& args, std::string_view command) {
  if (args.empty()) return;
  throw_usage("unknown option '" + args.front() + "' for " + std::string(command),
              "run `ecsctl " + std::string(command) + " --help` for its options");
}

double parse_duration(std::string_view text, std::string_view flag) {
  std::string s(text);
  double mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 's': mult = 1; s.pop_back(); break;
      case 'm': mult = 60; s.pop_back(); break;
      case 'h': mult = 3600; s.pop_back(); break;
      case 'd': mult = 86400; s.pop_back(); break;
      default: break;
    }
  }
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && v >= 0 && std::isfinite(v)) return v * mult;
  } catch (const std::exception&) {
  }
  throw_usage("invalid duration '" + std::string(text) + "' for " + std::string(flag),
              "use a number of seconds or a number with s, m, h or d (e.g. 90s, 10m, 2h)");
}

long parse_count(std::string_view text, std::string_view flag) {
  try {
    std::size_t used = 0;
    long v = std::stol(std::string(text), &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw_usage("invalid count '" + std::string(text) + "' for " + std::string(flag),
              "use a whole number, 0 or more");
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

std::string arn_tail(std::string_view arn) {
  auto slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string taskdef_short(std::string_view arn) { return arn_tail(arn); }

bool ndjson_events(const Context& ctx) {
  return ctx.opts.output_given && ctx.opts.output == OutputFormat::json && !ctx.opts.query;
}

}  // namespace ecsctl::workflow
