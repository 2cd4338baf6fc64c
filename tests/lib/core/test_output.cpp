// Atomic result writing: temp file + rename, no overwrite without force, never over non-files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

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
  REQUIRE_THROWS_WITH(kvt::write_file_atomic((dir / "a_directory").string(), "x", true), Contains("not a regular file"));
  CHECK(fs::is_directory(dir / "a_directory"));
  REQUIRE_THROWS_WITH(kvt::write_file_atomic("/dev/null", "x", true), Contains("not a regular file"));
  CHECK(fs::is_character_file("/dev/null"));
}

TEST_CASE("read_file names the file it cannot read", "[core]") {
  REQUIRE_THROWS_WITH(kvt::read_file("/nonexistent/kvt.txt"), Contains("/nonexistent/kvt.txt"));
  REQUIRE_THROWS_AS(kvt::read_file(fs::temp_directory_path().string()), kvt::InputError);
}
