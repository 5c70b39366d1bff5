// The store: commit makes changes durable, rollback undoes them exactly.
#include <doctest/doctest.h>

#include <cstdio>
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
