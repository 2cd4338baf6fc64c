// `kvtuner-search search` through the real binary (KVT_SEARCH_BIN): outputs, determinism, refusal to overwrite,
// resume from the checkpoint, and non-zero exits naming the bad option or file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/core/kv_config.h"
#include "lib/core/sensitivity_table.h"
#include "tests/search/synthetic_table.h"
#include "tests/support/cli.h"

namespace fs = std::filesystem;

namespace {

using Run = kvt::test::CliRun;

struct Workspace {
  fs::path dir;
  explicit Workspace(const std::string& name) {
    dir = fs::temp_directory_path() / ("kvt_cli_search_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Workspace() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(dir / name, std::ios::binary) << content;
    return path(name);
  }
  std::string write_table(const std::string& name, const kvt::SensitivityTable& t) const {
    return write(name, kvt::to_json(t).dump());
  }
  Run run(const std::string& args) const { return kvt::test::run_kvtuner_search(args); }
};

// Every file of a directory (name → bytes).
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) files[entry.path().filename().string()] = kvt::test::slurp_file(entry.path());
  return files;
}

const char* kFast = " --pop 16 --generations 12 --seed 5";

}  // namespace

TEST_CASE("search writes configs, front, plots and report", "[apps][search]") {
  Workspace ws("outputs");
  std::string table = ws.write_table("table.json", kvt::test::synthetic_table(16, 3));
  Run r = ws.run("search --sensitivity " + table + " --out " + ws.path("out") + kFast);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Synthetic-16L_pertoken_KVTuner4_0.yaml"));
  for (const char* name : {"Synthetic-16L_pertoken_KVTuner4_0.yaml", "Synthetic-16L_pertoken_KVTuner6_0.yaml",
                           "Synthetic-16L_pertoken_knee.yaml", "front.csv", "pareto.svg", "sensitivity.svg",
                           "report.md", "search.json", "nsga2_checkpoint.json"})
    CHECK(fs::exists(ws.dir / "out" / name));
  // The config reads back through the official-layout parser with 16 layers within its budget.
  kvt::KvConfig four = kvt::read_kv_config(ws.path("out/Synthetic-16L_pertoken_KVTuner4_0.yaml"), 16);
  CHECK(four.nominal_bits() <= 4.0);
  CHECK(four.metadata.at("scheme") == "per-token-asym");
  CHECK(four.metadata.at("model_hash") == "00000000000000aa");
  CHECK(four.metadata.at("nominal_bits").get<double>() == four.nominal_bits());
  CHECK(kvt::test::slurp_file(ws.dir / "out/pareto.svg").rfind("<svg", 0) == 0);
}

TEST_CASE("search is byte-identical for the same seed and refuses to overwrite", "[apps][search]") {
  Workspace ws("determinism");
  std::string table = ws.write_table("table.json", kvt::test::synthetic_table(16, 4));
  std::string args = "search --sensitivity " + table + kFast + " --out ";
  REQUIRE(ws.run(args + ws.path("a")).exit_code == 0);
  REQUIRE(ws.run(args + ws.path("b")).exit_code == 0);
  CHECK(files_of(ws.dir / "a") == files_of(ws.dir / "b"));

  Run again = ws.run(args + ws.path("a"));
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("already exists") && Catch::Contains("--force"));
  Run forced = ws.run(args + ws.path("a") + " --force");
  CHECK(forced.exit_code == 0);
  CHECK(files_of(ws.dir / "a") == files_of(ws.dir / "b"));
}

TEST_CASE("search resumes NSGA-II from the checkpoint in the output directory", "[apps][search]") {
  Workspace ws("resume");
  std::string table = ws.write_table("table.json", kvt::test::synthetic_table(16, 6));
  std::string base = "search --sensitivity " + table + " --pop 16 --seed 9 --checkpoint-every 4";
  // An "interrupted" run: 8 generations done, results removed, the checkpoint kept.
  REQUIRE(ws.run(base + " --generations 8 --out " + ws.path("a")).exit_code == 0);
  for (const auto& entry : fs::directory_iterator(ws.dir / "a"))
    if (entry.path().filename() != "nsga2_checkpoint.json") fs::remove(entry.path());
  Run resumed = ws.run(base + " --generations 16 --out " + ws.path("a"));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("resuming NSGA-II") && Catch::Contains("generation 8"));
  REQUIRE(ws.run(base + " --generations 16 --out " + ws.path("b")).exit_code == 0);
  CHECK(files_of(ws.dir / "a") == files_of(ws.dir / "b"));

  // A checkpoint of another search (other seed) is not silently reused.
  for (const auto& entry : fs::directory_iterator(ws.dir / "a"))
    if (entry.path().filename() != "nsga2_checkpoint.json") fs::remove(entry.path());
  Run other = ws.run("search --sensitivity " + table + " --pop 16 --seed 10 --generations 16 --out " + ws.path("a"));
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("checkpoint of a different search"));
}

TEST_CASE("search rejects bad input with a message naming it", "[apps][search]") {
  Workspace ws("errors");
  kvt::SensitivityTable t = kvt::test::synthetic_table(8, 1);
  std::string table = ws.write_table("table.json", t);
  std::string out = " --out " + ws.path("out");
  auto expect = [&](const std::string& args, const std::string& text) {
    Run r = ws.run("search " + args);
    INFO(args << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(text));
  };
  expect("--sensitivity " + ws.path("missing.json") + out, "missing.json");
  expect("--sensitivity " + ws.write("bad.json", "{ not json") + out, "not valid JSON");
  expect("--sensitivity " + table + " --pop 50" + out, "--pop 50");
  expect("--sensitivity " + table + " --budgets 4,x" + out, "'x' is not a number");
  expect("--sensitivity " + table + " --budgets 4,40" + out, "40 is outside 1..16");
  expect("--sensitivity " + table + " --memory fast" + out, "--memory 'fast'");
  expect("--sensitivity " + table + " --method magic" + out, "--method 'magic'");
  expect("--sensitivity " + table + " --eps 0" + out, "--eps");
  expect("--sensitivity " + table + " --groups 0-3" + out, "layer 4 is in no group");
  expect("--sensitivity " + table, "--out");
  t.effective_bits.clear();
  expect("--sensitivity " + ws.write_table("no_storage.json", t) + " --memory effective" + out, "effective_bits");
  t.e_o.pop_back();
  expect("--sensitivity " + ws.write_table("short.json", t) + out, "e_o has 7 layers");
  CHECK_FALSE(fs::exists(ws.dir / "out" / "report.md"));
}

TEST_CASE("search --method exact writes the DP front's picks", "[apps][search]") {
  Workspace ws("exact");
  std::string table = ws.write_table("table.json", kvt::test::synthetic_table(12, 2));
  Run r = ws.run("search --sensitivity " + table + " --method exact --no-group --budgets 3.5 --out " + ws.path("out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("hypervolume ratio to the exact front 1.0000"));
  kvt::KvConfig config = kvt::read_kv_config(ws.path("out/Synthetic-12L_pertoken_KVTuner3.5_0.yaml"), 12);
  CHECK(config.nominal_bits() <= 3.5);
  CHECK_FALSE(fs::exists(ws.dir / "out" / "nsga2_checkpoint.json"));
}
