// `kvtuner-search run` through the real binary (KVT_SEARCH_BIN) on a generated 4-layer fixture model with token-id
// calibration and held-out files: shared by the run tests.
#pragma once
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

namespace kvt::test {

// A 4-layer fixture whose layers differ (so the search has choices), calibration and held-out token ids.
struct RunWorkspace {
  std::filesystem::path dir;
  std::string model, calib, heldout;
  explicit RunWorkspace(const std::string& name) {
    dir = fresh_test_dir("cmd_run_" + name);
    FixtureSpec spec;
    spec.layers = 4;
    spec.attention_scale = 0.6;
    model = write_fixture_model((dir / "model").string(), spec);
    calib = ids_file("calib.jsonl", std::vector<int>(6, 48), 11);
    heldout = ids_file("heldout.jsonl", std::vector<int>(8, 40), 12);
  }
  std::string ids_file(const std::string& name, const std::vector<int>& lengths, uint64_t seed) const {
    std::string lines;
    for (const auto& p : random_prompts(lengths, 101, seed)) lines += nlohmann::json(p).dump() + "\n";
    std::ofstream(dir / name, std::ios::binary) << lines;
    return (dir / name).string();
  }
  // `env` is put before the command (e.g. "OMP_NUM_THREADS=1 ").
  CliRun run(const std::string& args, const std::string& env = "") const {
    return run_kvtuner_search("run " + args, env);
  }
  std::string base() const {
    return "--model " + model + " --ids " + calib + " --heldout-ids " + heldout +
           " --min-tokens 2 --scheme per-token-asym --pop 16 --generations 20 --gen-tokens 6 ";
  }
};

}  // namespace kvt::test
