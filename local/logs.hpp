// Amazon CloudWatch Logs of the local control plane over JSON 1.1
// (Logs_20140328): log groups and streams, PutLogEvents, GetLogEvents and
// FilterLogEvents, durable in the plane's store like the rest.
//
// Storage: a group and a stream are one document each; a stream's events are
// kept in chunks of at most k_chunk_events events (or k_chunk_bytes), so an
// append rewrites only the last chunk. Each stream keeps at most
// k_stream_events events and k_stream_bytes bytes of messages: past that, its
// oldest chunk is dropped (GetLogEvents and FilterLogEvents no longer see it).
//
// The runtime that captures container output writes through append() (under
// the state lock, in a store transaction) or LogWriter (from its own thread).
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

class Logs {
 public:
  static constexpr long long k_chunk_events = 500;
  static constexpr long long k_chunk_bytes = 256 * 1024;
  static constexpr long long k_stream_events = 10000;
  static constexpr long long k_stream_bytes = 4 * 1024 * 1024;

  // `clock_ms` returns wall-clock milliseconds since the epoch (injectable for tests).
  Logs(Store& store, std::string region, std::string account, std::function<long long()> clock_ms = nullptr);
  // Registers the operations under the target prefix Logs_20140328.
  void register_operations(Router& router);
  // Runs one operation (input and output in the model's shapes); throws ApiError.
  Json call(const std::string& operation, const Json& input);

  struct Event {
    long long timestamp_ms = 0;
    std::string message;
  };
  // Appends events to `stream` of `group` as the awslogs driver does: the
  // stream is created when missing; the group too when `create_group` (the
  // driver's awslogs-create-group=true). Returns false, writing nothing, when
  // the group does not exist and may not be created (ECS then fails the task
  // with ResourceInitializationError). Empty messages are skipped; events
  // need not be in order (each batch is sorted). Call under the state lock,
  // then stage and flush the store (or use LogWriter).
  bool append(const std::string& group, const std::string& stream, std::vector<Event> events, bool create_group = true);
  bool has_group(const std::string& group) { return m_store.get("logs_groups", group) != nullptr; }
  bool append(const std::string& group, const std::string& stream, long long timestamp_ms, const std::string& message,
              bool create_group = true) {
    return append(group, stream, std::vector<Event>{{timestamp_ms, message}}, create_group);
  }

 private:
  Json create_log_group(const Json& in);
  Json delete_log_group(const Json& in);
  Json describe_log_groups(const Json& in);
  Json create_log_stream(const Json& in);
  Json delete_log_stream(const Json& in);
  Json describe_log_streams(const Json& in);
  Json put_log_events(const Json& in);
  Json get_log_events(const Json& in);
  Json filter_log_events(const Json& in);

  // The group named by logGroupName or logGroupIdentifier (a name or an ARN).
  std::string group_of(const Json& in) const;
  const Json& require_group(const std::string& name);
  Json make_group(const std::string& name, const Json& in);
  Json make_stream(const std::string& group, const std::string& name);
  // Adds events (already checked and in order) to a stream; returns bytes added.
  void store_events(const std::string& group, const std::string& stream, const std::vector<Event>& events);
  struct Stored {
    long long index, timestamp, ingestion, sequence;
    std::string message;
  };
  std::vector<Stored> stream_events(const std::string& group, const std::string& stream);

  Store& m_store;
  std::string m_region, m_account;
  std::function<long long()> m_clock;
};

// Appends from a thread outside the request path (the runtime's log sink):
// takes the plane's state lock, appends, and returns once the events are on
// disk. `state_mutex` is Router::state_mutex().
class LogWriter {
 public:
  LogWriter(Logs& logs, Store& store, std::mutex& state_mutex) : m_logs(logs), m_store(store), m_mutex(state_mutex) {}
  bool write(const std::string& group, const std::string& stream, std::vector<Logs::Event> events,
             bool create_group = true);

 private:
  Logs& m_logs;
  Store& m_store;
  std::mutex& m_mutex;
};

}  // namespace ecsctl::local
