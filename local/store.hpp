// Durable state of the local control plane: named tables of JSON documents,
// held in memory and written to SQLite (WAL, synchronous=FULL) one transaction
// per commit(), so an acknowledged request survives SIGKILL and a killed one
// leaves nothing half-applied. Not thread-safe: the server serialises access.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cli/json.hpp"

struct sqlite3;

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
  // Changes, visible at once, written by commit() and undone by rollback().
  void put(std::string_view kind, std::string_view id, Json value);
  void erase(std::string_view kind, std::string_view id);
  // Writes all changes since the last commit in one transaction (throws on failure).
  void commit();
  // Restores the in-memory state to the last commit.
  void rollback();
  // Deletes everything (in one transaction).
  void clear();
  // A counter persisted with the next commit (revision numbers, sequence ids).
  long next_sequence(std::string_view name);
  bool dirty() const { return !m_undo.empty(); }

 private:
  void exec(const char* sql);
  sqlite3* m_db = nullptr;
  std::map<std::string, Table, std::less<>> m_tables;
  // (kind, id) -> value before the first change since the last commit (nullopt: absent).
  std::map<std::pair<std::string, std::string>, std::optional<Json>> m_undo;
};

}  // namespace ecsctl::local
