// CloudWatch Logs of the local control plane: groups, streams and events.
#include "local/logs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

#include "core/pyformat.hpp"
#include "local/logs_filter.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_prefix = "Logs_20140328";
constexpr const char* k_groups = "logs_groups";
constexpr const char* k_streams = "logs_streams";
constexpr const char* k_chunks = "logs_events";

constexpr long long k_event_overhead = 26;  // bytes CloudWatch counts per event beside its message
constexpr long long k_max_event = 256 * 1024;
constexpr long long k_max_batch = 1024 * 1024;
constexpr long long k_day_ms = 24LL * 3600 * 1000;
constexpr long long k_max_response_bytes = 1024 * 1024;

long long system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Neither a group nor a stream name can hold ':' (the models' patterns), so
// "group:stream" keys are unambiguous and a group's streams share a prefix.
std::string stream_key(const std::string& group, const std::string& stream) { return group + ":" + stream; }

std::string chunk_key(const std::string& group, const std::string& stream, long long number) {
  char n[24];
  std::snprintf(n, sizeof n, "%012lld", number);
  return stream_key(group, stream) + ":" + n;
}

Json strip(const Json& stored) {
  Json out = stored;
  out.erase("_");
  return out;
}

[[noreturn]] void invalid(const std::string& message) { throw ApiError("InvalidParameterException", message); }

[[noreturn]] void group_not_found() {
  throw ApiError("ResourceNotFoundException", "The specified log group does not exist.");
}

[[noreturn]] void stream_not_found() {
  throw ApiError("ResourceNotFoundException", "The specified log stream does not exist.");
}

void check_group_name(const std::string& name) {
  if (name.empty() || name.size() > 512 ||
      name.find_first_not_of("._-/#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos)
    invalid("1 validation error detected: Value '" + name +
            "' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[\\.\\-_/#A-Za-z0-9]+");
}

void check_stream_name(const std::string& name) {
  if (name.empty() || name.size() > 512 || name.find_first_of(":*") != std::string::npos)
    invalid("1 validation error detected: Value '" + name +
            "' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*");
}

std::string sequence_token(long long n) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%056lld", n);
  return digits;
}

std::string event_id(long long timestamp, long long sequence) {
  char digits[64];
  std::snprintf(digits, sizeof digits, "%024lld%032lld", timestamp, sequence);
  return digits;
}

// Offset tokens of the Describe operations and FilterLogEvents' position.
long long offset_of(const Json& in) {
  std::string token = in.value("nextToken", "");
  if (token.empty()) return 0;
  if (token.size() < 3 || token.rfind("o/", 0) != 0 || token.size() > 20 ||
      token.find_first_not_of("0123456789", 2) != std::string::npos)
    invalid("The specified nextToken is invalid.");
  return std::stoll(token.substr(2));
}

}  // namespace

Logs::Logs(Store& store, std::string region, std::string account, std::function<long long()> clock_ms)
    : m_store(store), m_region(std::move(region)), m_account(std::move(account)),
      m_clock(clock_ms ? std::move(clock_ms) : system_now_ms) {}

void Logs::register_operations(Router& router) {
  for (const char* op : {"CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "CreateLogStream", "DeleteLogStream",
                         "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents"}) {
    std::string operation = op;
    router.add_json(k_prefix, operation, [this, operation](const Json& in) {
      try {
        validate_input("logs", operation, in);
      } catch (const ApiError& e) {
        // CloudWatch Logs answers model violations with InvalidParameterException.
        throw ApiError(e.code == "ValidationException" ? "InvalidParameterException" : e.code, e.what(), e.status);
      }
      return call(operation, in);
    });
  }
}

Json Logs::call(const std::string& op, const Json& in) {
  if (op == "CreateLogGroup") return create_log_group(in);
  if (op == "DeleteLogGroup") return delete_log_group(in);
  if (op == "DescribeLogGroups") return describe_log_groups(in);
  if (op == "CreateLogStream") return create_log_stream(in);
  if (op == "DeleteLogStream") return delete_log_stream(in);
  if (op == "DescribeLogStreams") return describe_log_streams(in);
  if (op == "PutLogEvents") return put_log_events(in);
  if (op == "GetLogEvents") return get_log_events(in);
  if (op == "FilterLogEvents") return filter_log_events(in);
  throw ApiError("UnknownOperationException", "ecsctl-local does not implement the CloudWatch Logs operation " + op);
}

std::string Logs::group_of(const Json& in) const {
  bool by_name = in.contains("logGroupName"), by_id = in.contains("logGroupIdentifier");
  if (by_name && by_id) invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (!by_name && !by_id) invalid("Either logGroupName or logGroupIdentifier must be specified.");
  if (by_name) return in["logGroupName"].get<std::string>();
  std::string id = in["logGroupIdentifier"];
  std::string arn_prefix = "arn:aws:logs:" + m_region + ":" + m_account + ":log-group:";
  if (id.rfind("arn:", 0) == 0) {
    if (id.rfind(arn_prefix, 0) != 0) group_not_found();
    id = id.substr(arn_prefix.size());
    if (id.size() >= 2 && id.compare(id.size() - 2, 2, ":*") == 0) id.resize(id.size() - 2);
  }
  return id;
}

const Json& Logs::require_group(const std::string& name) {
  const Json* g = m_store.get(k_groups, name);
  if (!g) group_not_found();
  return *g;
}

Json Logs::make_group(const std::string& name, const Json& in) {
  std::string arn = "arn:aws:logs:" + m_region + ":" + m_account + ":log-group:" + name;
  Json g = {{"logGroupName", name},
            {"creationTime", m_clock()},
            {"metricFilterCount", 0},
            {"arn", arn + ":*"},
            {"storedBytes", 0},
            {"logGroupClass", in.value("logGroupClass", "STANDARD")},
            {"logGroupArn", arn}};
  if (in.contains("kmsKeyId")) g["kmsKeyId"] = in["kmsKeyId"];
  if (in.contains("deletionProtectionEnabled")) g["deletionProtectionEnabled"] = in["deletionProtectionEnabled"];
  g["_"] = {{"sequence", 0}, {"tags", in.value("tags", Json::object())}};
  m_store.put(k_groups, name, g);
  return g;
}

Json Logs::make_stream(const std::string& group, const std::string& name) {
  Json s = {{"logStreamName", name},
            {"creationTime", m_clock()},
            {"arn", "arn:aws:logs:" + m_region + ":" + m_account + ":log-group:" + group + ":log-stream:" + name},
            {"storedBytes", 0}};
  s["_"] = {{"chunks", Json::array()}, {"next", 0}, {"puts", 0}};
  m_store.put(k_streams, stream_key(group, name), s);
  return s;
}

Json Logs::create_log_group(const Json& in) {
  std::string name = in["logGroupName"];
  check_group_name(name);
  if (m_store.get(k_groups, name))
    throw ApiError("ResourceAlreadyExistsException", "The specified log group already exists");
  std::string cls = in.value("logGroupClass", "STANDARD");
  if (cls != "STANDARD" && cls != "INFREQUENT_ACCESS" && cls != "DELIVERY")
    invalid("1 validation error detected: Value '" + cls +
            "' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: "
            "[STANDARD, INFREQUENT_ACCESS, DELIVERY]");
  make_group(name, in);
  return Json::object();
}

Json Logs::delete_log_group(const Json& in) {
  std::string name = in["logGroupName"];
  const Json& g = require_group(name);
  if (g.value("deletionProtectionEnabled", false))
    throw ApiError("OperationAbortedException", "Log group " + name + " has deletion protection enabled.");
  std::string prefix = name + ":";
  for (const char* table : {k_streams, k_chunks}) {
    std::vector<std::string> keys;
    const auto& t = m_store.table(table);
    for (auto it = t.lower_bound(prefix); it != t.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      keys.push_back(it->first);
    for (const auto& k : keys) m_store.erase(table, k);
  }
  m_store.erase(k_groups, name);
  return Json::object();
}

Json Logs::describe_log_groups(const Json& in) {
  std::string prefix = in.value("logGroupNamePrefix", "");
  std::string pattern = in.value("logGroupNamePattern", "");
  if (in.contains("logGroupNamePrefix") && in.contains("logGroupNamePattern"))
    invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  if ((in.contains("logGroupNamePrefix") || in.contains("logGroupNamePattern")) && in.contains("logGroupIdentifiers"))
    invalid("logGroupIdentifiers cannot be used with logGroupNamePrefix or logGroupNamePattern.");
  std::vector<std::string> wanted;
  for (const auto& id : in.value("logGroupIdentifiers", Json::array()))
    wanted.push_back(group_of({{"logGroupIdentifier", id}}));
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string pattern_lower = lower(pattern);
  std::string cls = in.value("logGroupClass", "");
  long long limit = in.value("limit", 50LL);
  long long offset = offset_of(in);
  std::vector<const Json*> groups;
  for (const auto& [name, g] : m_store.table(k_groups)) {  // sorted by name, as CloudWatch lists them
    if (!prefix.empty() && name.rfind(prefix, 0) != 0) continue;
    if (!pattern.empty() && lower(name).find(pattern_lower) == std::string::npos) continue;
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    if (!cls.empty() && g.value("logGroupClass", "STANDARD") != cls) continue;
    groups.push_back(&g);
  }
  Json out = {{"logGroups", Json::array()}};
  long long i = offset;
  for (; i < static_cast<long long>(groups.size()) && i < offset + limit; ++i) out["logGroups"].push_back(strip(*groups[i]));
  if (i < static_cast<long long>(groups.size())) out["nextToken"] = "o/" + std::to_string(i);
  return out;
}

Json Logs::create_log_stream(const Json& in) {
  std::string group = in["logGroupName"], name = in["logStreamName"];
  check_stream_name(name);
  require_group(group);
  if (m_store.get(k_streams, stream_key(group, name)))
    throw ApiError("ResourceAlreadyExistsException", "The specified log stream already exists");
  make_stream(group, name);
  return Json::object();
}

Json Logs::delete_log_stream(const Json& in) {
  std::string group = in["logGroupName"], name = in["logStreamName"];
  require_group(group);
  const Json* s = m_store.get(k_streams, stream_key(group, name));
  if (!s) stream_not_found();
  for (const auto& c : (*s)["_"]["chunks"]) m_store.erase(k_chunks, chunk_key(group, name, c[0].get<long long>()));
  m_store.erase(k_streams, stream_key(group, name));
  return Json::object();
}

Json Logs::describe_log_streams(const Json& in) {
  std::string group = group_of(in);
  require_group(group);
  std::string prefix = in.value("logStreamNamePrefix", "");
  std::string order = in.value("orderBy", "LogStreamName");
  if (order == "LastEventTime" && !prefix.empty()) invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
  bool descending = in.value("descending", false);
  long long limit = in.value("limit", 50LL);
  long long offset = offset_of(in);
  std::vector<const Json*> streams;
  std::string key_prefix = group + ":" + prefix;
  const auto& t = m_store.table(k_streams);
  for (auto it = t.lower_bound(key_prefix); it != t.end() && it->first.compare(0, key_prefix.size(), key_prefix) == 0; ++it)
    streams.push_back(&it->second);
  if (order == "LastEventTime")
    std::stable_sort(streams.begin(), streams.end(), [](const Json* a, const Json* b) {
      return a->value("lastEventTimestamp", 0LL) < b->value("lastEventTimestamp", 0LL);
    });
  if (descending) std::reverse(streams.begin(), streams.end());
  Json out = {{"logStreams", Json::array()}};
  long long i = offset;
  for (; i < static_cast<long long>(streams.size()) && i < offset + limit; ++i)
    out["logStreams"].push_back(strip(*streams[i]));
  if (i < static_cast<long long>(streams.size())) out["nextToken"] = "o/" + std::to_string(i);
  return out;
}

void Logs::store_events(const std::string& group, const std::string& stream, const std::vector<Event>& events) {
  if (events.empty()) return;
  long long now = m_clock();
  Json g = *m_store.get(k_groups, group);
  Json s = *m_store.get(k_streams, stream_key(group, stream));
  // Copies, not references: adding members to `s` (an ordered map) moves its storage.
  Json x = s["_"];
  long long sequence = g["_"].value("sequence", 0LL);
  long long next = x.value("next", 0LL);
  Json chunks = x["chunks"];  // [[number, first index, count, bytes], ...]
  long long first_ts = s.value("firstEventTimestamp", std::numeric_limits<long long>::max());
  long long last_ts = s.value("lastEventTimestamp", std::numeric_limits<long long>::min());
  Json chunk = Json::array();
  long long number = -1;
  if (!chunks.empty()) {
    const Json& last = chunks.back();
    if (last[2].get<long long>() < k_chunk_events && last[3].get<long long>() < k_chunk_bytes) {
      number = last[0].get<long long>();
      if (const Json* c = m_store.get(k_chunks, chunk_key(group, stream, number))) chunk = *c;
    }
  }
  long long added_bytes = 0;
  auto save = [&] {
    if (number >= 0) m_store.put(k_chunks, chunk_key(group, stream, number), chunk);
  };
  for (const auto& e : events) {
    if (number < 0 || static_cast<long long>(chunk.size()) >= k_chunk_events ||
        chunks.back()[3].get<long long>() >= k_chunk_bytes) {
      save();
      number = chunks.empty() ? 0 : chunks.back()[0].get<long long>() + 1;
      chunk = Json::array();
      chunks.push_back({number, next, 0, 0});
    }
    long long bytes = static_cast<long long>(e.message.size());
    chunk.push_back({e.timestamp_ms, now, ++sequence, e.message});
    Json& meta = chunks.back();
    meta[2] = meta[2].get<long long>() + 1;
    meta[3] = meta[3].get<long long>() + bytes;
    added_bytes += bytes;
    ++next;
    first_ts = std::min(first_ts, e.timestamp_ms);
    last_ts = std::max(last_ts, e.timestamp_ms);
  }
  save();
  // The bound: drop the oldest chunks while the stream holds too much.
  auto total = [&](int member) {
    long long n = 0;
    for (const auto& c : chunks) n += c[member].get<long long>();
    return n;
  };
  while (chunks.size() > 1 && (total(2) > k_stream_events || total(3) > k_stream_bytes)) {
    m_store.erase(k_chunks, chunk_key(group, stream, chunks[0][0].get<long long>()));
    chunks.erase(chunks.begin());
  }
  x["chunks"] = chunks;
  x["next"] = next;
  x["puts"] = x.value("puts", 0LL) + 1;
  s["_"] = x;
  s["firstEventTimestamp"] = first_ts;
  s["lastEventTimestamp"] = last_ts;
  s["lastIngestionTime"] = now;
  s["uploadSequenceToken"] = sequence_token(x["puts"].get<long long>());
  g["_"]["sequence"] = sequence;
  g["storedBytes"] = g.value("storedBytes", 0LL) + added_bytes;
  m_store.put(k_streams, stream_key(group, stream), s);
  m_store.put(k_groups, group, g);
}

bool Logs::append(const std::string& group, const std::string& stream, std::vector<Event> events, bool create_group) {
  if (!m_store.get(k_groups, group)) {
    if (!create_group) return false;
    check_group_name(group);
    make_group(group, Json::object());
  }
  if (!m_store.get(k_streams, stream_key(group, stream))) {
    check_stream_name(stream);
    make_stream(group, stream);
  }
  std::vector<Event> kept;
  for (auto& e : events) {
    if (e.message.empty()) continue;
    e.message = pyfmt::sanitize_utf8(e.message);  // container output is bytes; the API carries text
    if (static_cast<long long>(e.message.size()) + k_event_overhead > k_max_event)
      e.message.resize(static_cast<size_t>(k_max_event - k_event_overhead));  // as the awslogs driver splits long lines
    kept.push_back(std::move(e));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Event& a, const Event& b) { return a.timestamp_ms < b.timestamp_ms; });
  store_events(group, stream, kept);
  return true;
}

Json Logs::put_log_events(const Json& in) {
  std::string group = in["logGroupName"], stream = in["logStreamName"];
  require_group(group);
  if (!m_store.get(k_streams, stream_key(group, stream))) stream_not_found();
  const Json& events = in["logEvents"];
  if (events.size() > 10000)
    invalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length "
            "less than or equal to 10000");
  long long batch = 0, prev = 0, first_ts = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    long long ts = events[i]["timestamp"].get<long long>();
    long long size = static_cast<long long>(events[i]["message"].get<std::string>().size()) + k_event_overhead;
    if (size > k_max_event)
      invalid("Log event too large: " + std::to_string(size) + " bytes exceeds limit of " + std::to_string(k_max_event));
    batch += size;
    if (i > 0 && ts < prev) invalid("Log events in a single PutLogEvents request must be in chronological order.");
    if (i == 0) first_ts = ts;
    if (ts - first_ts > k_day_ms)
      invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
    prev = ts;
  }
  if (batch > k_max_batch)
    invalid("Upload too large: " + std::to_string(batch) + " bytes exceeds limit of " + std::to_string(k_max_batch));
  long long now = m_clock();
  // As CloudWatch: events older than 14 days or more than 2 hours ahead are
  // rejected (and reported), the others accepted.
  long long too_old_end = -1, too_new_start = -1;
  std::vector<Event> accepted;
  for (size_t i = 0; i < events.size(); ++i) {
    long long ts = events[i]["timestamp"].get<long long>();
    if (ts < now - 14 * k_day_ms) {
      too_old_end = static_cast<long long>(i);
      continue;
    }
    if (ts > now + 2 * 3600 * 1000LL) {
      if (too_new_start < 0) too_new_start = static_cast<long long>(i);
      continue;
    }
    accepted.push_back({ts, events[i]["message"].get<std::string>()});
  }
  store_events(group, stream, accepted);
  const Json* s = m_store.get(k_streams, stream_key(group, stream));
  Json out = {{"nextSequenceToken", s->value("uploadSequenceToken", sequence_token(0))}};
  if (too_old_end >= 0 || too_new_start >= 0) {
    Json info = Json::object();
    if (too_new_start >= 0) info["tooNewLogEventStartIndex"] = too_new_start;
    if (too_old_end >= 0) info["tooOldLogEventEndIndex"] = too_old_end;
    out["rejectedLogEventsInfo"] = info;
  }
  return out;
}

std::vector<Logs::Stored> Logs::stream_events(const std::string& group, const std::string& stream) {
  std::vector<Stored> out;
  const Json* s = m_store.get(k_streams, stream_key(group, stream));
  if (!s) return out;
  for (const auto& meta : (*s)["_"]["chunks"]) {
    const Json* chunk = m_store.get(k_chunks, chunk_key(group, stream, meta[0].get<long long>()));
    if (!chunk) continue;
    long long index = meta[1].get<long long>();
    for (const auto& e : *chunk)
      out.push_back({index++, e[0].get<long long>(), e[1].get<long long>(), e[2].get<long long>(), e[3].get<std::string>()});
  }
  return out;
}

Json Logs::get_log_events(const Json& in) {
  std::string group = group_of(in);
  require_group(group);
  std::string stream = in["logStreamName"];
  const Json* s = m_store.get(k_streams, stream_key(group, stream));
  if (!s) stream_not_found();
  long long start = in.value("startTime", std::numeric_limits<long long>::min());
  long long end = in.value("endTime", std::numeric_limits<long long>::max());
  long long limit = in.value("limit", 10000LL);
  std::vector<Stored> all = stream_events(group, stream);
  long long head = all.empty() ? (*s)["_"].value("next", 0LL) : all.front().index;
  long long tail = (*s)["_"].value("next", 0LL);  // one past the last event
  logs::StreamToken from{in.value("startFromHead", false), 0};
  from.index = from.forward ? head : tail;
  if (in.contains("nextToken")) {
    auto t = logs::parse_token(in["nextToken"].get<std::string>());
    if (!t) invalid("The specified nextToken is invalid.");
    from = *t;
    from.index = std::clamp(from.index, head, tail);
  }
  std::vector<const Stored*> picked;
  long long bytes = 0;
  auto fits = [&](const Stored& e) {
    if (e.timestamp < start || e.timestamp >= end) return false;
    return true;
  };
  if (from.forward) {
    for (const auto& e : all) {
      if (e.index < from.index || !fits(e)) continue;
      if (static_cast<long long>(picked.size()) >= limit || bytes + static_cast<long long>(e.message.size()) + k_event_overhead > k_max_response_bytes)
        break;
      bytes += static_cast<long long>(e.message.size()) + k_event_overhead;
      picked.push_back(&e);
    }
  } else {
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->index >= from.index || !fits(*it)) continue;
      if (static_cast<long long>(picked.size()) >= limit || bytes + static_cast<long long>(it->message.size()) + k_event_overhead > k_max_response_bytes)
        break;
      bytes += static_cast<long long>(it->message.size()) + k_event_overhead;
      picked.push_back(&*it);
    }
    std::reverse(picked.begin(), picked.end());
  }
  Json out = {{"events", Json::array()}};
  for (const Stored* e : picked)
    out["events"].push_back({{"timestamp", e->timestamp}, {"message", e->message}, {"ingestionTime", e->ingestion}});
  // With nothing read, both tokens stay where the read began (CloudWatch
  // returns the token it was given at the end of a stream).
  long long first = picked.empty() ? from.index : picked.front()->index;
  long long after = picked.empty() ? from.index : picked.back()->index + 1;
  out["nextForwardToken"] = logs::format_token({true, after});
  out["nextBackwardToken"] = logs::format_token({false, first});
  return out;
}

Json Logs::filter_log_events(const Json& in) {
  std::string group = group_of(in);
  require_group(group);
  if (in.contains("logStreamNames") && in.contains("logStreamNamePrefix"))
    invalid("Cannot specify both logStreamNames and logStreamNamePrefix.");
  logs::FilterPattern pattern;
  try {
    pattern = logs::FilterPattern::parse(in.value("filterPattern", ""));
  } catch (const logs::FilterError& e) {
    invalid(std::string("Invalid filter pattern: ") + e.what());
  }
  long long start = in.value("startTime", std::numeric_limits<long long>::min());
  long long end = in.value("endTime", std::numeric_limits<long long>::max());
  long long limit = in.value("limit", 10000LL);
  // The position after the last event returned: "t/TIMESTAMP/SEQUENCE".
  long long after_ts = std::numeric_limits<long long>::min(), after_seq = -1;
  if (in.contains("nextToken")) {
    std::string token = in["nextToken"];
    long long ts = 0, seq = 0;
    int used = 0;
    if (std::sscanf(token.c_str(), "t/%lld/%lld%n", &ts, &seq, &used) != 2 || used != static_cast<int>(token.size()))
      invalid("The specified nextToken is invalid.");
    after_ts = ts;
    after_seq = seq;
  }
  std::vector<std::string> names;
  if (in.contains("logStreamNames")) {
    for (const auto& n : in["logStreamNames"]) names.push_back(n.get<std::string>());
  } else {
    std::string key_prefix = group + ":" + in.value("logStreamNamePrefix", "");
    const auto& t = m_store.table(k_streams);
    for (auto it = t.lower_bound(key_prefix); it != t.end() && it->first.compare(0, key_prefix.size(), key_prefix) == 0; ++it)
      names.push_back(it->second["logStreamName"].get<std::string>());
  }
  struct Hit {
    const std::string* stream;
    Stored event;
  };
  std::vector<Hit> hits;
  for (const auto& name : names) {
    for (auto& e : stream_events(group, name)) {
      if (e.timestamp < start || e.timestamp >= end) continue;
      if (e.timestamp < after_ts || (e.timestamp == after_ts && e.sequence <= after_seq)) continue;
      if (!pattern.matches(e.message)) continue;
      hits.push_back({&name, std::move(e)});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.event.timestamp != b.event.timestamp ? a.event.timestamp < b.event.timestamp : a.event.sequence < b.event.sequence;
  });
  Json out = {{"events", Json::array()}};
  long long bytes = 0;
  size_t i = 0;
  for (; i < hits.size(); ++i) {
    const Stored& e = hits[i].event;
    long long size = static_cast<long long>(e.message.size()) + k_event_overhead;
    if (static_cast<long long>(i) >= limit || (i > 0 && bytes + size > k_max_response_bytes)) break;
    bytes += size;
    out["events"].push_back({{"logStreamName", *hits[i].stream},
                             {"timestamp", e.timestamp},
                             {"message", e.message},
                             {"ingestionTime", e.ingestion},
                             {"eventId", event_id(e.timestamp, e.sequence)}});
  }
  if (i < hits.size() && i > 0)
    out["nextToken"] = "t/" + std::to_string(hits[i - 1].event.timestamp) + "/" + std::to_string(hits[i - 1].event.sequence);
  return out;
}

bool LogWriter::write(const std::string& group, const std::string& stream, std::vector<Logs::Event> events,
                      bool create_group) {
  long batch = 0;
  bool ok = false;
  {
    std::lock_guard lock(m_mutex);
    try {
      ok = m_logs.append(group, stream, std::move(events), create_group);
      batch = m_store.stage();
    } catch (...) {
      m_store.rollback();
      throw;
    }
  }
  m_store.flush(batch);
  return ok;
}

}  // namespace ecsctl::local
