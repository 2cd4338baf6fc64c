// `kvtuner-search profile` end to end on a generated fixture model: outputs, determinism, --force, errors.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibration/input/calibration_set.h"
#include "lib/core/sensitivity_table.h"
#include "tests/support/cli.h"
#include "tests/support/fixture_model.h"

namespace fs = std::filesystem;

TEST_CASE("profile command writes the table, CSV and heatmap and prints a summary", "[apps][profile]") {
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
  kvt::test::CliRun first = kvt::test::run_kvtuner_search(base);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("Most sensitive layers (mean e_o over pairs)"));
  kvt::SensitivityTable t = kvt::read_sensitivity_table(dir + "/sens.json");
  CHECK(t.num_layers == 4);
  CHECK(t.scheme == "per-token-asym");
  CHECK(t.pairs.size() == 4);
  CHECK(t.num_tokens == 75);
  CHECK(t.calib_hash == kvt::calib::content_hash(prompts));
  CHECK(t.scheme_params["prompt_len"] == "10");
  CHECK_THAT(kvt::test::slurp_file(dir + "/sens.csv"), Catch::StartsWith("layer,pair"));
  CHECK_THAT(kvt::test::slurp_file(dir + "/sens.svg"), Catch::Contains("<svg"));
  const std::string json = kvt::test::slurp_file(dir + "/sens.json");

  kvt::test::CliRun again = kvt::test::run_kvtuner_search(base);
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("--force"));
  kvt::test::CliRun forced = kvt::test::run_kvtuner_search(base + " --force");
  CHECK(forced.exit_code == 0);
  CHECK(kvt::test::slurp_file(dir + "/sens.json") == json);  // same inputs → byte-identical table

  std::ofstream(dir + "/bad.jsonl") << "[1, 2]\n[3, -4]\n";
  kvt::test::CliRun bad = kvt::test::run_kvtuner_search("profile --model " + model + " --ids " + dir +
                                                        "/bad.jsonl --out " + dir + "/b.json");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("bad.jsonl:2") && Catch::Contains("-4"));
  kvt::test::CliRun unknown = kvt::test::run_kvtuner_search("profile --model " + model + " --ids " + dir +
                                                            "/ids.jsonl --scheme nope --out " + dir + "/c.json");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("kivi"));
  CHECK_FALSE(fs::exists(dir + "/c.json"));
}
