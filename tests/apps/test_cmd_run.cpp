// `kvtuner-search run` through the real binary (KVT_SEARCH_BIN) on a generated fixture model with token-id
// calibration and held-out files: the output directory, final picks, determinism, --force, bad input.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lib/core/kv_config.h"
#include "tests/apps/run_workspace.h"

namespace fs = std::filesystem;

using kvt::test::CliRun;
using kvt::test::RunWorkspace;
using kvt::test::slurp_file;

TEST_CASE("run writes a self-explanatory output directory with final picks per budget", "[apps][run]") {
  RunWorkspace ws("pipeline");
  const fs::path out = ws.dir / "out";
  CliRun r = ws.run(ws.base() + "--budgets 4,6 --out " + out.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"report.md", "model_pertoken_KVTuner4.yaml", "model_pertoken_KVTuner6.yaml",
                        "profile/sensitivity.json", "search/report.md", "search/front.csv",
                        "search/model_pertoken_KVTuner4_0.yaml", "validation/rescore.md", "validation/rescore.json",
                        "evaluation/evaluation.md", "evaluation/evaluation.json", "evaluation/evaluation.svg"})
    CHECK(fs::exists(out / f));
  CHECK(r.out.find("report: " + (out / "report.md").string()) != std::string::npos);

  const std::string report = slurp_file(out / "report.md");
  CHECK(report.rfind("# kvtuner run: model\n", 0) == 0);
  CHECK(report.find("## Final configs") < report.find("## Test-split evaluation"));
  CHECK(report.find("Spearman ρ between proxy error and validation KL") != std::string::npos);
  CHECK(report.find("0 of 200 16-token windows") != std::string::npos);  // 8 × (40 − 15) held-out windows

  // The final pick of each budget: within the budget, and the lowest validation KL among the budget's candidates.
  auto rescore = nlohmann::json::parse(slurp_file(out / "validation/rescore.json"));
  REQUIRE(rescore["budgets"].size() == 2);
  for (const auto& b : rescore["budgets"]) {
    double best = 1e300;
    std::string best_name;
    for (const auto& name : b["candidates_in_proxy_order"])
      for (const auto& c : rescore["candidates"])
        if (c["name"] == name && c["mean_kl"].get<double>() < best) best = c["mean_kl"], best_name = name;
    CHECK(b["final_pick"] == best_name);
  }
  // Every uniform config within a budget competed: at 4 bits KV4, K4V2, K2V4 and KV2 (of the nine default pairs).
  int uniform_at_4 = 0;
  for (const auto& name : rescore["budgets"][0]["candidates_in_proxy_order"])
    uniform_at_4 += name.get<std::string>().rfind("uniform_", 0) == 0;
  CHECK(uniform_at_4 == 4);
  for (const auto& c : rescore["candidates"]) CHECK(c["predicted_kl"].is_number());  // the default proxy is kl
  CHECK(report.find("- proxy: kl (auto:") != std::string::npos);
  kvt::KvConfig four = kvt::read_kv_config((out / "model_pertoken_KVTuner4.yaml").string(), 4);
  CHECK(four.nominal_bits() <= 4.0);
  CHECK(four.metadata["selection"]["role"] == "final");
  CHECK(four.metadata["selection"]["chosen_by"] == "validation kl");

  // The test table holds full precision, the five baselines and the final picks, on the odd sequences.
  auto evaluation = nlohmann::json::parse(slurp_file(out / "evaluation/evaluation.json"));
  CHECK(evaluation["sequences"] == 4);
  CHECK(evaluation["rows"][0]["kind"] == "full-precision");
  bool has_final = false;
  for (const auto& row : evaluation["rows"]) has_final = has_final || row["name"] == "model_pertoken_KVTuner4";
  CHECK(has_final);

  CliRun again = ws.run(ws.base() + "--budgets 4,6 --out " + out.string());
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("input.110") != std::string::npos);
  REQUIRE(ws.run(ws.base() + "--budgets 4,6 --out " + out.string() + " --force").exit_code == 0);
  CHECK(slurp_file(out / "report.md") == report);
}

TEST_CASE("run --objective e2e-kl searches on the end-to-end KL, seeded with the proxy front", "[apps][run]") {
  RunWorkspace ws("e2e");
  const fs::path out = ws.dir / "out";
  CliRun r = ws.run(ws.base() + "--budgets 4 --objective e2e-kl --trials 48 --proxy fisher --out " + out.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto summary = nlohmann::json::parse(slurp_file(out / "search-e2e/search.json"));
  CHECK(summary.dump().find("e2e-kl") != std::string::npos);
  const std::string report = slurp_file(out / "report.md");
  CHECK(report.find("NSGA-II on the end-to-end KL") != std::string::npos);
  CHECK(report.find("- proxy: fisher (--proxy fisher)") != std::string::npos);
  kvt::KvConfig four = kvt::read_kv_config((out / "model_pertoken_KVTuner4.yaml").string(), 4);
  CHECK(four.nominal_bits() <= 4.0);
  CHECK(fs::exists(out / "search-e2e/model_pertoken_KVTuner4_0.yaml"));

  // `search` runs the same end-to-end search from the table, on the model it was profiled on.
  const std::string table = (out / "profile/sensitivity.json").string(), searched = (ws.dir / "searched").string();
  const std::string search_args = "search --sensitivity " + table +
                                  " --budgets 4 --pop 16 --generations 10 --objective e2e-kl "
                                  "--trials 32 --out " +
                                  searched;
  CHECK(kvt::test::run_kvtuner_search(search_args + " --model " + ws.model + " --ids " + ws.calib).exit_code == 0);
  CHECK(fs::exists(fs::path(searched) / "e2e/model_pertoken_KVTuner4_0.yaml"));
  CHECK(slurp_file(fs::path(searched) / "e2e/search.json").find("e2e-kl") != std::string::npos);
  // Without the model: one line naming the option, before any search.
  const CliRun without_model = kvt::test::run_kvtuner_search(search_args + "2");
  CHECK(without_model.exit_code == 2);
  CHECK(without_model.err.find("--objective e2e-kl needs --model") != std::string::npos);
  CHECK_FALSE(fs::exists(searched + "2"));
  const auto& selection = four.metadata["selection"];
  const bool from_e2e =
      selection["uniform"] == true || selection["search_config"].get<std::string>().rfind("search-e2e/", 0) == 0;
  CHECK(from_e2e);
}

TEST_CASE("run rejects bad input before profiling", "[apps][run]") {
  RunWorkspace ws("errors");
  const std::string one = ws.ids_file("one.jsonl", {40}, 3);
  const std::string out = " --out " + (ws.dir / "out").string();
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {ws.base() + "--rescore-metric auc" + out, "--rescore-metric"},
      {ws.base() + "--per-budget 0" + out, "--per-budget"},
      {ws.base() + "--budgets 4,x" + out, "--budgets"},
      {ws.base() + "--prompt-len soon" + out, "--prompt-len"},
      {"--model " + ws.model + " --ids " + ws.calib + " --heldout-ids " + one +
           " --min-tokens 2 --scheme per-token-asym" + out,
       "at least 2"},
      {"--model " + ws.model + " --ids " + ws.calib + " --min-tokens 2 --scheme per-token-asym" + out,
       "no held-out data"},
      {ws.base() + "--heldout x.txt" + out, "excludes"},
      {ws.base() + "--objective banana" + out, "--objective 'banana'"},
      {ws.base() + "--objective e2e-kl --trials 5" + out, "--trials 5"},
      {ws.base() + "--proxy banana" + out, "--proxy 'banana'"},
      {ws.base() + "--kl-tokens 0" + out, "--kl-tokens"},
      {ws.base(), "--out is required"},
      {ws.base() + "--budgets 1" + out, "--budgets: 1 bits is below the smallest candidate pair (KV2, 2 bits)"},
      {ws.base() + "--pairs KV8,K8V4 --budgets 7,5" + out,
       "--budgets: 5 bits is below the smallest candidate pair (K8V4, 6"},
      {ws.base() + "--out " + ws.calib + "/out", ws.calib + "/out: cannot create directory"},
      {ws.base() + "--out ''", "--out: the path is empty"},
  };
  for (const auto& c : cases) {
    CliRun r = ws.run(c.args);
    INFO(c.args << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.find("profiling") == std::string::npos);  // refused before any work
    CHECK_FALSE(fs::exists(ws.dir / "out"));
  }
}
