// SQLite persistence for the local control plane.
#include "local/store.hpp"

#include <sqlite3.h>

#include <set>
#include <stdexcept>
#include <utility>

namespace ecsctl::local {

Store::Stmt::Stmt(sqlite3* db, const char* sql) {
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db));
}
Store::Stmt::~Stmt() { sqlite3_finalize(s); }
void Store::Stmt::text(int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

Store::Store(const std::string& path) {
  if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK) {
    std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(m_db, 5000);
  exec("PRAGMA journal_mode=WAL");
  // FULL: COMMIT returns once the WAL is synced, so an acknowledged request
  // survives a power loss or an OS crash, not only the server being killed.
  // Group commit (flush()) shares each sync among the requests that queued
  // while the previous one ran.
  exec("PRAGMA synchronous=FULL");
  exec("CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,"
       " PRIMARY KEY (kind, id)) WITHOUT ROWID");
  m_begin = std::make_unique<Stmt>(m_db, "BEGIN IMMEDIATE");
  m_commit = std::make_unique<Stmt>(m_db, "COMMIT");
  m_upsert = std::make_unique<Stmt>(m_db, "INSERT OR REPLACE INTO objects (kind, id, body) VALUES (?, ?, ?)");
  m_delete = std::make_unique<Stmt>(m_db, "DELETE FROM objects WHERE kind = ? AND id = ?");
  m_delete_all = std::make_unique<Stmt>(m_db, "DELETE FROM objects");
  load();
}

Store::~Store() {
  m_begin.reset();
  m_commit.reset();
  m_upsert.reset();
  m_delete.reset();
  m_delete_all.reset();
  sqlite3_close(m_db);
}

void Store::load() {
  m_tables.clear();
  Stmt q(m_db, "SELECT kind, id, body FROM objects");
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    std::string kind(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0)));
    std::string id(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 1)));
    const char* body = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 2));
    m_tables[kind][id] = Json::parse(body, nullptr, false);
  }
}

// After a failed write: memory goes back to what the database holds.
void Store::reload() {
  m_undo.clear();
  m_cleared = false;
  load();
  changed("", "");
}

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
  changed(kind, id);
}

void Store::erase(std::string_view kind, std::string_view id) {
  auto key = std::make_pair(std::string(kind), std::string(id));
  Table& t = m_tables[key.first];
  auto it = t.find(id);
  if (it == t.end()) return;
  if (!m_undo.count(key)) m_undo[key] = it->second;
  t.erase(it);
  changed(kind, id);
}

long Store::next_sequence(std::string_view name) {
  const Json* cur = get("sequences", name);
  long next = (cur && cur->is_number()) ? cur->get<long>() + 1 : 1;
  put("sequences", name, next);
  return next;
}

long Store::stage() {
  Batch batch;
  if (m_cleared) batch.rows.push_back({});
  for (const auto& [key, before] : m_undo) {
    const Json* now = get(key.first, key.second);
    batch.rows.push_back({key.first, key.second, now ? std::optional<std::string>(now->dump()) : std::nullopt});
  }
  std::lock_guard lock(m_queue_mutex);
  if (m_must_reload) {
    m_must_reload = false;
    reload();
    throw std::runtime_error("the state could not be written (" + m_write_error + "); changes since the last write are undone");
  }
  m_undo.clear();
  m_cleared = false;
  if (batch.rows.empty()) return m_staged;
  batch.number = ++m_staged;
  m_queue.push_back(std::move(batch));
  return m_staged;
}

void Store::flush(long n) {
  std::unique_lock lock(m_queue_mutex);
  for (;;) {
    if (n <= m_durable) return;
    if (n <= m_failed_through) throw std::runtime_error("the state could not be written: " + m_write_error);
    if (m_writing) {
      m_written.wait(lock);
      continue;
    }
    if (m_queue.empty()) return;  // n was never staged
    // This caller writes everything queued so far, its own batch included.
    std::vector<Batch> batches;
    batches.swap(m_queue);
    m_writing = true;
    bool simulate_failure = std::exchange(m_fail_next_write, false);
    lock.unlock();
    std::string error;
    try {
      if (simulate_failure) throw std::runtime_error("database or disk is full (simulated)");
      write(batches);
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    m_writing = false;
    if (error.empty()) {
      m_durable = batches.back().number;
    } else {
      // What was queued meanwhile builds on the lost batches: it fails too.
      m_failed_through = m_staged;
      m_queue.clear();
      m_must_reload = true;
      m_write_error = error;
    }
    m_written.notify_all();
  }
}

void Store::write(const std::vector<Batch>& batches) {
  auto step = [&](Stmt& s) {
    int rc = sqlite3_step(s.s);
    sqlite3_reset(s.s);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(m_db));
  };
  // Only the last change to each entry is written (a task's lifecycle steps are
  // often queued together); a delete-all hides every change before it.
  std::vector<const Row*> rows;
  bool delete_all = false;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (auto b = batches.rbegin(); b != batches.rend() && !delete_all; ++b)
    for (auto r = b->rows.rbegin(); r != b->rows.rend() && !delete_all; ++r) {
      if (r->kind.empty()) delete_all = true;
      else if (seen.emplace(r->kind, r->id).second) rows.push_back(&*r);
    }
  try {
    step(*m_begin);
    if (delete_all) step(*m_delete_all);
    for (const Row* row : rows) {
      Stmt& s = row->body ? *m_upsert : *m_delete;
      s.text(1, row->kind);
      s.text(2, row->id);
      if (row->body) s.text(3, *row->body);
      step(s);
    }
    step(*m_commit);
  } catch (...) {
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::commit() {
  long n = stage();
  try {
    flush(n);
  } catch (...) {
    std::lock_guard lock(m_queue_mutex);
    if (m_must_reload) {
      m_must_reload = false;
      reload();
    }
    throw;
  }
}

void Store::rollback() {
  for (auto& [key, before] : m_undo) {
    Table& t = m_tables[key.first];
    if (before) t[key.second] = std::move(*before);
    else t.erase(key.second);
    changed(key.first, key.second);
  }
  m_undo.clear();
}

void Store::clear() {
  m_undo.clear();
  m_tables.clear();
  m_cleared = true;
  changed("", "");
}

}  // namespace ecsctl::local
