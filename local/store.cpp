// SQLite persistence for the local control plane.
#include "local/store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace ecsctl::local {

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s); }
  void text(int i, std::string_view v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
};

}  // namespace

Store::Store(const std::string& path) {
  if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK) {
    std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(m_db, 5000);
  exec("PRAGMA journal_mode=WAL");
  // In WAL mode NORMAL makes every committed transaction survive the server
  // being killed (SIGKILL, a crash): the WAL is in the OS's hands at COMMIT. Only
  // an OS crash or power loss can lose the last transactions, which FULL's fsync
  // per commit would keep, at half the RunTask throughput (bench/local.sh).
  exec("PRAGMA synchronous=NORMAL");
  exec("CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,"
       " PRIMARY KEY (kind, id)) WITHOUT ROWID");
  Stmt q(m_db, "SELECT kind, id, body FROM objects");
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    std::string kind(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0)));
    std::string id(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 1)));
    const char* body = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 2));
    m_tables[kind][id] = Json::parse(body, nullptr, false);
  }
}

Store::~Store() { sqlite3_close(m_db); }

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

const Store::Table& Store::table(std::string_view kind) {
  auto it = m_tables.find(kind);
  if (it == m_tables.end()) it = m_tables.emplace(std::string(kind), Table{}).first;
  return it->second;
}

const Json* Store::get(std::string_view kind, std::string_view id) {
  const Table& t = table(kind);
  auto it = t.find(id);
  return it == t.end() ? nullptr : &it->second;
}

void Store::put(std::string_view kind, std::string_view id, Json value) {
  auto key = std::make_pair(std::string(kind), std::string(id));
  Table& t = m_tables[key.first];
  auto it = t.find(id);
  if (!m_undo.count(key)) m_undo[key] = it == t.end() ? std::nullopt : std::optional<Json>(it->second);
  if (it == t.end()) t.emplace(key.second, std::move(value));
  else it->second = std::move(value);
}

void Store::erase(std::string_view kind, std::string_view id) {
  auto key = std::make_pair(std::string(kind), std::string(id));
  Table& t = m_tables[key.first];
  auto it = t.find(id);
  if (it == t.end()) return;
  if (!m_undo.count(key)) m_undo[key] = it->second;
  t.erase(it);
}

long Store::next_sequence(std::string_view name) {
  const Json* cur = get("sequences", name);
  long next = (cur && cur->is_number()) ? cur->get<long>() + 1 : 1;
  put("sequences", name, next);
  return next;
}

void Store::commit() {
  if (m_undo.empty()) return;
  exec("BEGIN IMMEDIATE");
  try {
    Stmt up(m_db, "INSERT OR REPLACE INTO objects (kind, id, body) VALUES (?, ?, ?)");
    Stmt del(m_db, "DELETE FROM objects WHERE kind = ? AND id = ?");
    for (const auto& [key, before] : m_undo) {
      const Json* now = get(key.first, key.second);
      Stmt& s = now ? up : del;
      sqlite3_reset(s.s);
      s.text(1, key.first);
      s.text(2, key.second);
      std::string body;
      if (now) {
        body = now->dump();
        s.text(3, body);
      }
      if (sqlite3_step(s.s) != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(m_db));
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    rollback();
    throw;
  }
  m_undo.clear();
}

void Store::rollback() {
  for (auto& [key, before] : m_undo) {
    Table& t = m_tables[key.first];
    if (before) t[key.second] = std::move(*before);
    else t.erase(key.second);
  }
  m_undo.clear();
}

void Store::clear() {
  m_undo.clear();
  m_tables.clear();
  exec("DELETE FROM objects");
}

}  // namespace ecsctl::local
