// The output directory of a run: its lock (one run at a time) and its manifest (what the run wrote).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "lib/core/error.h"
#include "lib/core/output.h"
#include "lib/core/output_dir.h"
#include "tests/support/error_text.h"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("kvt-test-output-dir-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("OutputDirLock: a second lock on the directory fails at once, naming it and the holder's pid",
          "[core][output]") {
  auto dir = scratch("lock") / "out";
  {
    kvt::OutputDirLock first(dir.string());
    CHECK(fs::is_directory(dir));
    CHECK(fs::exists(dir / kvt::kLockFileName));
    const std::string message = kvt::test::error_of([&] { kvt::OutputDirLock second(dir.string()); });
    CHECK_THAT(message,
               Contains("[kvt.input.981]") && Contains(dir.string()) && Contains("pid " + std::to_string(::getpid())));
    std::ofstream(dir / "result.txt") << "x";
  }
  // Released: the lock file is gone and the directory can be locked again.
  CHECK_FALSE(fs::exists(dir / kvt::kLockFileName));
  { kvt::OutputDirLock again(dir.string()); }
  CHECK(fs::exists(dir / "result.txt"));
}

TEST_CASE("OutputDirLock: a directory it created and nothing was written to is removed again", "[core][output]") {
  auto dir = scratch("created") / "a" / "out";
  { kvt::OutputDirLock lock(dir.string()); }
  CHECK_FALSE(fs::exists(dir));
  auto kept = scratch("kept");
  { kvt::OutputDirLock lock(kept.string()); }
  CHECK(fs::is_directory(kept));  // it existed before: kept, empty or not
}

TEST_CASE("OutputDirLock: an output directory that cannot be created is an input error naming it", "[core][output]") {
  auto dir = scratch("blocked");
  std::ofstream(dir / "file") << "x";
  const std::string inside = (dir / "file" / "out").string();
  CHECK_THAT(kvt::test::error_of([&] { kvt::OutputDirLock lock(inside); }),
             Contains("[kvt.input.112]") && Contains(inside));
  CHECK_THAT(kvt::test::error_of([&] { kvt::OutputDirLock lock(""); }), Contains("[kvt.input.112] --out"));
}

TEST_CASE("run manifest: written as it goes, complete at the end, read back", "[core][output]") {
  auto dir = scratch("manifest");
  std::ofstream(dir / "user-notes.txt") << "mine";
  {
    kvt::RunManifest initial;
    initial.settings["command"] = "test";
    kvt::ManifestRecorder recorder(dir.string(), initial);
    kvt::write_file_atomic((dir / "b" / "two.txt").string(), "2", false);
    auto partial = kvt::read_run_manifest(dir.string());
    REQUIRE(partial);
    CHECK_FALSE(partial->complete);
    CHECK(partial->files == std::set<std::string>{"b/two.txt"});
    kvt::write_file_atomic((dir / "a.txt").string(), "1", false);
    kvt::write_file_atomic((dir / "a.txt").string(), "1", true);                    // once in the list
    kvt::write_file_atomic((scratch("elsewhere") / "x.txt").string(), "x", false);  // not under the directory
    recorder.finish();
  }
  kvt::write_file_atomic((dir / "after.txt").string(), "3", false);  // the recorder is gone: not recorded
  auto m = kvt::read_run_manifest(dir.string());
  REQUIRE(m);
  CHECK(m->complete);
  CHECK(m->settings["command"] == "test");
  CHECK(m->files == std::set<std::string>{"a.txt", "b/two.txt"});
  CHECK(kvt::to_json(*m).dump().find("\"files\":[\"a.txt\",\"b/two.txt\"]") != std::string::npos);
  CHECK_FALSE(kvt::read_run_manifest(scratch("none").string()));
}

TEST_CASE("run manifest: entries outside the directory and malformed files are refused, naming the field",
          "[core][output]") {
  auto dir = scratch("bad-manifest");
  auto manifest_with = [&](const std::string& text) {
    std::ofstream(dir / kvt::kManifestFileName) << text;
    return kvt::test::error_of([&] { kvt::read_run_manifest(dir.string()); });
  };
  const std::string head =
      R"({"format": "kvtuner-run-manifest", "format_version": 1, "complete": true, "settings": {}, )";
  CHECK_THAT(manifest_with(head + R"("files": ["../outside.txt"]})"),
             Contains("[kvt.input.982]") && Contains("files[0]"));
  CHECK_THAT(manifest_with(head + R"("files": ["ok.txt", "/etc/passwd"]})"), Contains("files[1]"));
  CHECK_THAT(manifest_with(head + R"("files": ["a/./b"]})"), Contains("files[0]"));
  CHECK_THAT(manifest_with(head + R"("files": "x"})"), Contains("'files'"));
  CHECK_THAT(manifest_with(R"({"format": "other"})"), Contains("[kvt.input.982]") && Contains("format"));
  CHECK_THAT(manifest_with("{"), Contains("[kvt.input.982]") && Contains("manifest.json"));
  // Nesting is bounded before parsing, as in every JSON reader (lib/core/json_limits.h).
  CHECK_THAT(manifest_with(head + R"("files": [], "x": )" + std::string(100000, '[') + std::string(100000, ']') + "}"),
             Contains("[kvt.input.982]") && Contains("nested deeper than 128 levels"));
}

TEST_CASE("remove_manifest_files removes the listed files only, never links or unlisted files", "[core][output]") {
  auto dir = scratch("remove");
  fs::create_directories(dir / "search");
  fs::create_directories(dir / "kept-dir");
  for (const char* f : {"old_KVTuner8.yaml", "search/front.csv", "profile.json", "user.txt", "kept-dir/mine.txt"})
    std::ofstream(dir / f) << "x";
  fs::create_symlink(dir / "user.txt", dir / "link.yaml");
  kvt::RunManifest m;
  m.files = {"old_KVTuner8.yaml", "search/front.csv", "profile.json", "link.yaml", "missing.txt"};
  auto removed = kvt::remove_manifest_files(dir.string(), m, {"profile.json"});
  CHECK(removed == std::vector<std::string>{"old_KVTuner8.yaml", "search/front.csv"});
  CHECK_FALSE(fs::exists(dir / "old_KVTuner8.yaml"));
  CHECK_FALSE(fs::exists(dir / "search"));  // emptied by the removal
  CHECK(fs::exists(dir / "profile.json"));  // kept
  CHECK(fs::exists(dir / "user.txt"));
  CHECK(fs::is_symlink(dir / "link.yaml"));
  CHECK(fs::exists(dir / "kept-dir" / "mine.txt"));
}
