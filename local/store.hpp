// Durable state of the local control plane: named tables of JSON documents,
// held in memory and written to SQLite (WAL, synchronous=FULL).
//
// Writes use group commit. A request changes the tables in memory under the
// server's state lock, then stage() hands its changes to the write queue as one
// numbered batch, and the lock is released. flush(n) then waits, outside the
// lock, until batch n is on disk: the first waiter writes every queued batch in
// one SQLite transaction (one fsync) while later requests carry on in memory.
// A request is acknowledged only after flush(), so an acknowledged write
// survives SIGKILL and power loss, and a killed server leaves nothing
// half-applied. If a write fails, every batch not yet on disk fails with it and
// the next stage() reloads the tables from disk, so memory never keeps a change
// that was not written. Reads of the tables are not thread-safe: the server
// serialises them with its state lock; stage() needs that lock, flush() not.
#pragma once
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ecsctl::local {

class Store {
 public:
  using Table = std::map<std::string, Json, std::less<>>;

  // Opens (creating) the database at `path` and loads every table; ":memory:" for tests.
  explicit Store(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Read access to a table ("clusters", "tasks", ...); an absent table is empty.
  const Table& table(std::string_view kind);
  const Json* get(std::string_view kind, std::string_view id);
  // Changes, visible at once, staged by stage() and undone by rollback().
  void put(std::string_view kind, std::string_view id, Json value);
  void erase(std::string_view kind, std::string_view id);
  // Queues the changes since the last stage() as the next batch and returns the
  // number a flush() waits for: that batch's, or the last one's when nothing
  // changed (so that a read is answered only once what it saw is on disk).
  // Throws, after reloading the tables from disk, when an earlier write failed.
  long stage();
  // Returns once batch `n` and all before it are on disk; throws if it failed.
  void flush(long n);
  // stage() and flush() in one (tests, control actions); on failure the tables
  // are reloaded from disk before it throws.
  void commit();
  // Restores the in-memory state to the last stage().
  void rollback();
  // Deletes everything, staged like any change; rollback() cannot undo it.
  void clear();
  // A counter persisted with the next commit (revision numbers, sequence ids).
  long next_sequence(std::string_view name);
  bool dirty() const { return !m_undo.empty(); }
  // Calls `fn(kind, id)` after every change to an entry, including those that
  // rollback() restores; clear() and a reload call it once with an empty kind
  // and id. For caches derived from the tables (the scheduler's view of
  // container instances). Returns a handle for unobserve(), which the observer
  // calls before it goes away.
  using Observer = std::function<void(std::string_view kind, std::string_view id)>;
  int observe(Observer fn) {
    m_observers.emplace(++m_last_observer, std::move(fn));
    return m_last_observer;
  }
  void unobserve(int handle) { m_observers.erase(handle); }
  // For tests: makes the next write fail as a full disk would.
  void fail_next_write() { m_fail_next_write = true; }

 private:
  struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt(sqlite3* db, const char* sql);
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    void text(int i, std::string_view v);
  };
  // One change to write: a body to store, nullopt to delete; an empty kind deletes everything.
  struct Row {
    std::string kind, id;
    std::optional<std::string> body;
  };
  struct Batch {
    long number = 0;
    std::vector<Row> rows;
  };
  void exec(const char* sql);
  void load();
  void reload();
  void write(const std::vector<Batch>& batches);
  void changed(std::string_view kind, std::string_view id) {
    for (const auto& [handle, fn] : m_observers) fn(kind, id);
  }

  sqlite3* m_db = nullptr;
  std::unique_ptr<Stmt> m_begin, m_commit, m_upsert, m_delete, m_delete_all;
  std::map<std::string, Table, std::less<>> m_tables;
  // (kind, id) -> value before the first change since the last stage() (nullopt: absent).
  std::map<std::pair<std::string, std::string>, std::optional<Json>> m_undo;
  bool m_cleared = false;  // clear() since the last stage()
  std::map<int, Observer> m_observers;
  int m_last_observer = 0;

  // The write queue, under m_queue_mutex.
  std::mutex m_queue_mutex;
  std::condition_variable m_written;
  std::vector<Batch> m_queue;
  long m_staged = 0;          // the last batch number handed out
  long m_durable = 0;         // every batch up to this one is on disk
  long m_failed_through = 0;  // batches after m_durable up to this one failed
  bool m_writing = false;     // a flush() is writing the queue
  bool m_must_reload = false; // memory holds changes a failed write lost
  std::string m_write_error;
  bool m_fail_next_write = false;
};

}  // namespace ecsctl::local
