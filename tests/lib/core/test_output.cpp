// Atomic result writing: temp file + rename, no overwrite without force, never over non-files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/output.h"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("kvt-test-output-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("write_file_atomic writes, refuses to overwrite, and overwrites with force", "[core]") {
  auto dir = scratch("basic");
  auto path = (dir / "sub" / "result.txt").string();
  kvt::write_file_atomic(path, "first", false);
  CHECK(kvt::read_file(path) == "first");
  REQUIRE_THROWS_WITH(kvt::write_file_atomic(path, "second", false), Contains(path) && Contains("--force"));
  CHECK(kvt::read_file(path) == "first");
  kvt::write_file_atomic(path, "second", true);
  CHECK(kvt::read_file(path) == "second");
  // No temporary file is left behind.
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir / "sub")) entries += e.is_regular_file();
  CHECK(entries == 1);
}

TEST_CASE("write_file_atomic never replaces a directory or a device, even with force", "[core]") {
  auto dir = scratch("nonfile");
  fs::create_directories(dir / "a_directory");
  REQUIRE_THROWS_WITH(kvt::write_file_atomic((dir / "a_directory").string(), "x", true),
                      Contains("not a regular file"));
  CHECK(fs::is_directory(dir / "a_directory"));
  REQUIRE_THROWS_WITH(kvt::write_file_atomic("/dev/null", "x", true), Contains("not a regular file"));
  CHECK(fs::is_character_file("/dev/null"));
}

TEST_CASE("read_file names the file it cannot read", "[core]") {
  REQUIRE_THROWS_WITH(kvt::read_file("/nonexistent/kvt.txt"), Contains("/nonexistent/kvt.txt"));
  REQUIRE_THROWS_AS(kvt::read_file(fs::temp_directory_path().string()), kvt::InputError);
}

TEST_CASE("temp_file_owner reads the pid of a temporary file name, and only of one", "[core][output]") {
  CHECK(kvt::temp_file_owner("report.md.tmp.1234") == 1234);
  CHECK(kvt::temp_file_owner("a.tmp.b.tmp.7") == 7);
  CHECK(kvt::temp_file_owner("report.md") == -1);
  CHECK(kvt::temp_file_owner("report.md.tmp.") == -1);
  CHECK(kvt::temp_file_owner("report.md.tmp.12x") == -1);
  CHECK(kvt::temp_file_owner(".tmp.12") == -1);
}

TEST_CASE("remove_stale_temp_files removes the temporary files of dead processes only", "[core][output]") {
  auto dir = scratch("stale");
  fs::create_directories(dir / "sub");
  // 999999999 is above Linux's largest pid (pid_max ≤ 2^22): never a running process.
  const fs::path dead = dir / "sub" / "front.csv.tmp.999999999";
  const fs::path alive = dir / ("report.md.tmp." + std::to_string(::getpid()));
  const fs::path result = dir / "report.md";
  const fs::path lookalike = dir / "notes.tmp.txt";
  for (const auto& p : {dead, alive, result, lookalike}) std::ofstream(p) << "x";
  auto removed = kvt::remove_stale_temp_files(dir.string());
  REQUIRE(removed.size() == 1);
  CHECK(removed[0] == dead.string());
  CHECK_FALSE(fs::exists(dead));
  CHECK(fs::exists(alive));
  CHECK(fs::exists(result));
  CHECK(fs::exists(lookalike));
  CHECK(kvt::remove_stale_temp_files((dir / "missing").string()).empty());
}

TEST_CASE("write_file_atomic tells the write listener before it writes", "[core][output]") {
  auto dir = scratch("listener");
  const std::string path = (dir / "a.txt").string();
  std::vector<std::string> seen;
  bool existed = true;
  kvt::set_write_listener([&](const std::string& p) {
    seen.push_back(p);
    existed = fs::exists(p);
  });
  kvt::write_file_atomic(path, "x", false);
  kvt::set_write_listener({});
  kvt::write_file_atomic((dir / "b.txt").string(), "y", false);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == path);
  CHECK_FALSE(existed);
  // A listener that throws aborts the write.
  kvt::set_write_listener([](const std::string&) { throw kvt::InputError("stop", 113); });
  CHECK_THROWS_AS(kvt::write_file_atomic((dir / "c.txt").string(), "z", false), kvt::InputError);
  kvt::set_write_listener({});
  CHECK_FALSE(fs::exists(dir / "c.txt"));
}
