// The store: commit makes changes durable, rollback undoes them exactly.
#include <doctest/doctest.h>

#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>
#include <filesystem>
#include <unistd.h>

#include "local/store.hpp"

using ecsctl::Json;
using ecsctl::local::Store;

TEST_CASE("committed changes survive reopening; uncommitted ones do not") {
  auto path = std::filesystem::temp_directory_path() / ("ecsctl-store-" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    Store s(path.string());
    s.put("clusters", "a", Json{{"clusterName", "a"}});
    s.put("clusters", "b", Json{{"clusterName", "b"}});
    CHECK(s.next_sequence("taskdef:web") == 1);
    CHECK(s.next_sequence("taskdef:web") == 2);
    s.commit();
    s.erase("clusters", "a");
    s.put("clusters", "c", Json{{"clusterName", "c"}});
    // not committed: lost when the process ends
  }
  {
    Store s(path.string());
    CHECK(s.table("clusters").size() == 2);
    CHECK(s.get("clusters", "a") != nullptr);
    CHECK(s.get("clusters", "c") == nullptr);
    CHECK(s.next_sequence("taskdef:web") == 3);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST_CASE("rollback restores the state of the last commit") {
  Store s(":memory:");
  s.put("tasks", "t1", Json{{"lastStatus", "RUNNING"}});
  s.commit();
  s.put("tasks", "t1", Json{{"lastStatus", "STOPPED"}});
  s.put("tasks", "t1", Json{{"lastStatus", "DEPROVISIONING"}});
  s.put("tasks", "t2", Json{{"lastStatus", "PENDING"}});
  s.erase("tasks", "t1");
  CHECK(s.dirty());
  s.rollback();
  CHECK_FALSE(s.dirty());
  REQUIRE(s.get("tasks", "t1") != nullptr);
  CHECK((*s.get("tasks", "t1"))["lastStatus"] == "RUNNING");
  CHECK(s.get("tasks", "t2") == nullptr);
}

namespace {

std::filesystem::path temp_db(const char* name) {
  auto path = std::filesystem::temp_directory_path() / (std::string("ecsctl-") + name + "-" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

void remove_db(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace

TEST_CASE("group commit: batches staged by many threads are all on disk once their flush returns") {
  auto path = temp_db("group");
  {
    Store s(path.string());
    std::mutex state;  // the server's state lock
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          long batch = 0;
          {
            std::lock_guard lock(state);
            s.put("tasks", std::to_string(t) + "/" + std::to_string(i), Json{{"n", i}});
            s.put("counters", "last", Json{{"thread", t}, {"i", i}});
            batch = s.stage();
          }
          s.flush(batch);
        }
      });
    for (auto& th : threads) th.join();
  }
  Store again(path.string());
  CHECK(again.table("tasks").size() == 400);
  CHECK(again.get("counters", "last") != nullptr);
  remove_db(path);
}

TEST_CASE("a read waits for the batch it saw; reads of nothing new return at once") {
  Store s(":memory:");
  s.put("clusters", "a", Json{{"clusterName", "a"}});
  long written = s.stage();
  CHECK(written == 1);
  CHECK(s.stage() == 1);  // nothing changed: the number of the last batch
  s.flush(1);
  s.flush(1);
  CHECK(s.stage() == 1);
}

TEST_CASE("a failed write fails every batch not yet on disk, and memory goes back to the disk's state") {
  auto path = temp_db("fail");
  Store s(path.string());
  s.put("clusters", "kept", Json{{"clusterName", "kept"}});
  s.commit();
  s.put("clusters", "lost1", Json{{"clusterName", "lost1"}});
  long first = s.stage();
  s.put("clusters", "lost2", Json{{"clusterName", "lost2"}});  // builds on the first batch
  long second = s.stage();
  s.fail_next_write();
  CHECK_THROWS_WITH(s.flush(second), doctest::Contains("disk is full"));
  CHECK_THROWS(s.flush(first));
  // Until the next stage(), memory still shows the lost changes; stage() undoes them and says so.
  s.put("clusters", "after", Json{{"clusterName", "after"}});
  CHECK_THROWS_WITH(s.stage(), doctest::Contains("changes since the last write are undone"));
  CHECK(s.get("clusters", "lost1") == nullptr);
  CHECK(s.get("clusters", "lost2") == nullptr);
  CHECK(s.get("clusters", "after") == nullptr);
  CHECK(s.get("clusters", "kept") != nullptr);
  // Writing works again.
  s.put("clusters", "next", Json{{"clusterName", "next"}});
  s.commit();
  Store again(path.string());
  CHECK(again.table("clusters").size() == 2);
  CHECK(again.get("clusters", "next") != nullptr);
  remove_db(path);
}

TEST_CASE("commit() that fails reloads at once; clear() is written with what follows it") {
  auto path = temp_db("clear");
  {
    Store s(path.string());
    s.put("clusters", "a", Json{{"clusterName", "a"}});
    s.put("tasks", "t", Json{{"lastStatus", "RUNNING"}});
    s.commit();
    s.put("clusters", "b", Json{{"clusterName", "b"}});
    s.fail_next_write();
    CHECK_THROWS(s.commit());
    CHECK(s.get("clusters", "b") == nullptr);
    CHECK(s.get("clusters", "a") != nullptr);
    s.clear();
    s.put("clusters", "c", Json{{"clusterName", "c"}});
    s.commit();
  }
  Store again(path.string());
  CHECK(again.table("tasks").empty());
  CHECK(again.table("clusters").size() == 1);
  CHECK(again.get("clusters", "c") != nullptr);
  remove_db(path);
}

TEST_CASE("observers hear of every change, rollback and reload") {
  Store s(":memory:");
  std::vector<std::string> heard;
  int handle = s.observe([&](std::string_view kind, std::string_view id) { heard.push_back(std::string(kind) + "/" + std::string(id)); });
  s.put("instances", "i1", Json::object());
  s.erase("instances", "i1");
  s.put("instances", "i2", Json::object());
  s.rollback();
  s.clear();
  s.unobserve(handle);
  s.put("instances", "i3", Json::object());
  CHECK(heard == std::vector<std::string>{"instances/i1", "instances/i1", "instances/i2", "instances/i1", "instances/i2", "/"});
}
