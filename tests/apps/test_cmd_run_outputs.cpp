// The output directory of `run` (apps/kvtuner-search/run_outputs.h): its manifest and what --force removes, its
// lock, the checks before any work, stale temporary files, and the resume of a killed run.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "lib/core/output_dir.h"
#include "tests/apps/run_workspace.h"

namespace fs = std::filesystem;
using kvt::test::file_text;
using kvt::test::PipelineRun;
using kvt::test::RunWorkspace;

namespace {

// Regular files under `dir`, relative, sorted.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(e.path().lexically_relative(dir).string());
  return out;
}

nlohmann::json manifest_of(const fs::path& dir) { return nlohmann::json::parse(file_text(dir / "manifest.json")); }

// As if the run had been killed: the manifest says it never finished.
void mark_unfinished(const fs::path& dir) {
  nlohmann::json m = manifest_of(dir);
  m["complete"] = false;
  std::ofstream(dir / "manifest.json", std::ios::binary) << m.dump(1) << "\n";
}

}  // namespace

TEST_CASE("run lists what it wrote in a manifest, --force removes those files and no others", "[apps][run][outputs]") {
  RunWorkspace ws("manifest");
  const fs::path out = ws.dir / "out";
  // What a killed run left between a write and its rename: removed at the start when its process is gone.
  fs::create_directories(out / "search");
  std::ofstream(out / "report.md.tmp.999999999") << "stale";
  std::ofstream(out / "search" / "front.csv.tmp.999999999") << "stale";
  const std::string alive = "notes.txt.tmp." + std::to_string(::getpid());
  std::ofstream(out / alive) << "a live process's";

  PipelineRun first = ws.run(ws.base() + "--budgets 4,6 --out " + out.string());
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_FALSE(fs::exists(out / "report.md.tmp.999999999"));
  CHECK_FALSE(fs::exists(out / "search" / "front.csv.tmp.999999999"));
  CHECK(fs::exists(out / alive));
  CHECK_FALSE(fs::exists(out / kvt::kLockFileName));  // released
  nlohmann::json m = manifest_of(out);
  CHECK(m["format"] == "kvtuner-run-manifest");
  CHECK(m["complete"] == true);
  CHECK(m["settings"]["profile"]["threads"] == 1);  // --threads: outputs repeat for one count
  CHECK(file_text(out / "report.md").find("- compute threads 1 (--threads") != std::string::npos);
  std::set<std::string> listed;
  for (const auto& f : m["files"]) listed.insert(f.get<std::string>());
  // Every file the run wrote, and nothing else.
  std::set<std::string> expected = files_under(out);
  expected.erase("manifest.json");
  expected.erase(alive);
  CHECK(listed == expected);
  for (const char* f : {"model_pertoken_KVTuner6.yaml", "search/model_pertoken_KVTuner6_0.yaml", "report.md",
                        "profile/sensitivity.json", "search/nsga2_checkpoint.json", "evaluation/evaluation.json"})
    CHECK(listed.count(f) == 1);

  // A later run without --force refuses while the earlier results exist.
  std::ofstream(out / "notes.txt") << "mine";
  std::ofstream(out / "search" / "mine.csv") << "mine";
  PipelineRun again = ws.run(ws.base() + "--budgets 4 --out " + out.string());
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("input.110") != std::string::npos);

  // --budgets 4 --force: the 6-bit results of the earlier run go; files it did not write stay.
  PipelineRun forced = ws.run(ws.base() + "--budgets 4 --force --out " + out.string());
  INFO(forced.err);
  REQUIRE(forced.exit_code == 0);
  CHECK_FALSE(fs::exists(out / "model_pertoken_KVTuner6.yaml"));
  CHECK_FALSE(fs::exists(out / "search/model_pertoken_KVTuner6_0.yaml"));
  CHECK(fs::exists(out / "model_pertoken_KVTuner4.yaml"));
  CHECK(file_text(out / "notes.txt") == "mine");
  CHECK(file_text(out / "search" / "mine.csv") == "mine");
  CHECK(fs::exists(out / alive));
  CHECK(file_text(out / "report.md").find("KVTuner6") == std::string::npos);
  CHECK(manifest_of(out)["files"].dump().find("KVTuner6") == std::string::npos);
}

TEST_CASE("run refuses an output directory another run holds, at once, naming it and the holder",
          "[apps][run][outputs]") {
  RunWorkspace ws("locked");
  const fs::path out = ws.dir / "out";
  fs::create_directories(out);
  std::ofstream(out / "report.md") << "the other run's";
  kvt::OutputDirLock held(out.string());  // this test process is the other run
  PipelineRun r = ws.run(ws.base() + "--force --out " + out.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("[kvt.input.981] " + out.string() + ": the output directory is in use by another kvtuner run (pid " +
                   std::to_string(::getpid()) + ")") != std::string::npos);
  CHECK(r.err.find("profiling") == std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(files_under(out) == std::set<std::string>{kvt::kLockFileName, "report.md"});
  CHECK(file_text(out / "report.md") == "the other run's");
}

TEST_CASE("run checks every output path before it computes anything", "[apps][run][outputs]") {
  RunWorkspace ws("final-pick");
  const fs::path out = ws.dir / "out";
  fs::create_directories(out);
  std::ofstream(out / "model_pertoken_KVTuner4.yaml") << "# someone's config\n";
  PipelineRun r = ws.run(ws.base() + "--budgets 4 --out " + out.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("[kvt.input.110] " + (out / "model_pertoken_KVTuner4.yaml").string() + ": already exists") !=
        std::string::npos);
  CHECK(r.err.find("profiling") == std::string::npos);
  CHECK(files_under(out) == std::set<std::string>{"model_pertoken_KVTuner4.yaml"});
  // The end-to-end search's directory is checked too.
  fs::create_directories(out / "search-e2e");
  std::ofstream(out / "search-e2e" / "report.md") << "x";
  fs::remove(out / "model_pertoken_KVTuner4.yaml");
  r = ws.run(ws.base() + "--budgets 4 --objective e2e-kl --trials 48 --out " + out.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find((out / "search-e2e" / "report.md").string() + ": already exists") != std::string::npos);
  CHECK(r.err.find("profiling") == std::string::npos);
}

TEST_CASE("a killed run resumes without --force: its profile reused, its search continued", "[apps][run][outputs]") {
  RunWorkspace ws("resume");
  const fs::path out = ws.dir / "out", straight = ws.dir / "straight";
  const std::string args =
      "--model " + ws.model + " --ids " + ws.calib + " --heldout-ids " + ws.heldout +
      " --min-tokens 2 --scheme per-token-asym --pop 16 --budgets 4 --gen-tokens 6 --checkpoint-every 5 ";
  // Stopped after 10 generations (its checkpoint is at 10), then continued to 20: as one run of 20.
  REQUIRE(ws.run(args + "--generations 10 --out " + out.string()).exit_code == 0);
  mark_unfinished(out);
  PipelineRun resumed = ws.run(args + "--generations 20 --out " + out.string());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.err.find("reusing the profile") != std::string::npos);
  CHECK(resumed.err.find("run: profiling") == std::string::npos);
  CHECK(resumed.err.find("at generation 10") != std::string::npos);
  REQUIRE(ws.run(args + "--generations 20 --out " + straight.string()).exit_code == 0);
  REQUIRE(files_under(out) == files_under(straight));
  for (const auto& f : files_under(out)) {
    INFO(f);
    CHECK(file_text(out / f) == file_text(straight / f));
  }

  // A profile that does not match this run: an error naming the field, and the directory is left as it was.
  mark_unfinished(out);
  const std::string report = file_text(out / "report.md");
  PipelineRun other = ws.run(args + "--generations 20 --prompt-len 8 --out " + out.string());
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("[kvt.input.983] " + (out / "profile/sensitivity.json").string()) != std::string::npos);
  CHECK(other.err.find("prompt_len \"half\" ≠ \"8\" (--prompt-len)") != std::string::npos);
  CHECK(file_text(out / "report.md") == report);
  // --force starts over.
  PipelineRun forced = ws.run(args + "--generations 20 --prompt-len 8 --force --out " + out.string());
  INFO(forced.err);
  CHECK(forced.exit_code == 0);
  CHECK(forced.err.find("run: profiling") != std::string::npos);
}
