// `kvtuner-search profile` end to end on a generated fixture model: outputs, determinism, --force, errors.
#include "tests/calibration/profiler_test_util.h"  // first: Catch2 after ATen

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibration/input/calibration_set.h"
#include "lib/core/sensitivity_table.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Run run_search(const std::string& args, const std::string& dir) {
  REQUIRE(fs::exists(KVT_SEARCH_BIN));  // build the kvtuner-search target before this test
  std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
  int status = std::system((std::string(KVT_SEARCH_BIN) + " " + args + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace

TEST_CASE("profile command writes the table, CSV and heatmap and prints a summary", "[calibration][profiler][cli]") {
  std::string dir = kvt::test::fresh_test_dir("profiler_cli");
  kvt::test::FixtureSpec spec;
  spec.layers = 4;
  spec.head_dim = 16;
  std::string model = kvt::test::write_fixture_model(dir + "/model", spec);
  const auto prompts = kvt::test::random_prompts({30, 45}, spec.vocab, 4);
  {
    std::ofstream ids(dir + "/ids.jsonl");
    for (const auto& p : prompts) {
      std::string line = "[";
      for (size_t i = 0; i < p.size(); ++i) line += (i ? "," : "") + std::to_string(p[i]);
      ids << line << "]\n";
    }
  }
  const std::string base = "profile --model " + model + " --ids " + dir + "/ids.jsonl --scheme per-token-asym " +
                           "--pairs KV8,K8V4,KV4,KV2 --prompt-len 10 --out " + dir + "/sens.json";
  Run first = run_search(base, dir);
  INFO(first.err);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.out, Catch::Contains("Most sensitive layers at KV2"));
  kvt::SensitivityTable t = kvt::read_sensitivity_table(dir + "/sens.json");
  CHECK(t.num_layers == 4);
  CHECK(t.scheme == "per-token-asym");
  CHECK(t.pairs.size() == 4);
  CHECK(t.num_tokens == 75);
  CHECK(t.calib_hash == kvt::calib::content_hash(prompts));
  CHECK(t.scheme_params["prompt_len"] == "10");
  CHECK_THAT(slurp(dir + "/sens.csv"), Catch::StartsWith("layer,pair"));
  CHECK_THAT(slurp(dir + "/sens.svg"), Catch::Contains("<svg"));
  const std::string json = slurp(dir + "/sens.json");

  Run again = run_search(base, dir);
  CHECK(again.code == 2);
  CHECK_THAT(again.err, Catch::Contains("--force"));
  Run forced = run_search(base + " --force", dir);
  CHECK(forced.code == 0);
  CHECK(slurp(dir + "/sens.json") == json);  // same inputs → byte-identical table

  std::ofstream(dir + "/bad.jsonl") << "[1, 2]\n[3, -4]\n";
  Run bad = run_search("profile --model " + model + " --ids " + dir + "/bad.jsonl --out " + dir + "/b.json", dir);
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("bad.jsonl:2") && Catch::Contains("-4"));
  Run unknown = run_search("profile --model " + model + " --ids " + dir + "/ids.jsonl --scheme nope --out " + dir + "/c.json", dir);
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("kivi"));
  CHECK_FALSE(fs::exists(dir + "/c.json"));
}
