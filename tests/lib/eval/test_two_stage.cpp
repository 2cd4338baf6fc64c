// Spearman's ρ (lib/eval/rank_agreement.h) and the stage-2 ranking of proxy candidates (lib/eval/two_stage.h).
#include <ATen/ATen.h>  // before Catch: glog (via c10) defines its own CHECK

#include <catch2/catch.hpp>
#include <cmath>

#include "lib/core/error.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/data_overlap.h"
#include "lib/eval/rank_agreement.h"
#include "lib/eval/two_stage.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using namespace kvt::eval;

TEST_CASE("Spearman's rho with tied ranks matches the hand computation", "[lib][eval]") {
  CHECK(average_ranks({10, 30, 20, 30}) == std::vector<double>{1, 3.5, 2, 3.5});
  // ranks b = 1, 2, 3.5, 5, 3.5: cov 8, var 10 and 9.5 → 8 / √95 (scipy.stats.spearmanr: 0.8207826816681233).
  CHECK(*spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == Approx(0.8207826816681233).epsilon(1e-12));
  CHECK(*spearman({1, 2, 3}, {0.3, 0.2, 0.1}) == Approx(-1.0));
  CHECK(*spearman({1, 2, 3}, {1e-9, 5, 1e9}) == Approx(1.0));  // ranks only
  CHECK_FALSE(spearman({1, 2, 3}, {4, 4, 4}).has_value());
  CHECK_FALSE(spearman({1}, {2}).has_value());
}

TEST_CASE("stage 2 picks the lowest end-to-end score per budget and reports rank agreement", "[lib][eval]") {
  // Budget 4: a (proxy rank 0), b (1), c (2); budget 6: d (0), a (1).
  std::vector<ProxyCandidate> c(4);
  c[0] = {"a", {}, 0.10, 4.0, {4, 6}, {0, 1}, false, std::nullopt};
  c[1] = {"b", {}, 0.20, 3.8, {4}, {1}, false, std::nullopt};
  c[2] = {"c", {}, 0.30, 3.5, {4}, {2}, false, std::nullopt};
  c[3] = {"d", {}, 0.05, 6.0, {6}, {0}, false, std::nullopt};
  EvaluationResult v;
  v.rows.resize(5);
  const double kl[] = {0.0, 0.030, 0.020, 0.040, 0.001};
  for (int i = 0; i < 5; ++i) v.rows[size_t(i)].mean_kl = kl[i], v.rows[size_t(i)].perplexity = 10 + 100 * kl[i];
  TwoStageResult r = rank_candidates(v, c, RescoreMetric::KL);
  REQUIRE(r.budgets.size() == 2);
  CHECK(r.budgets[0].budget == 4);
  CHECK(r.budgets[0].candidates == std::vector<size_t>{0, 1, 2});
  CHECK(r.budgets[0].proxy_pick == 0);
  CHECK(r.budgets[0].final_pick == 1);           // b: KL 0.020 < a's 0.030
  CHECK(*r.budgets[0].spearman == Approx(0.5));  // proxy ranks 1,2,3 vs KL ranks 2,1,3
  CHECK(r.budgets[1].final_pick == 3);
  CHECK(*r.budgets[1].spearman == Approx(1.0));
  CHECK(*r.spearman_all == Approx(*spearman({0.10, 0.20, 0.30, 0.05}, {0.030, 0.020, 0.040, 0.001})));

  std::string md = two_stage_markdown(r, c);
  CHECK(md.find("### Budget 4 bits: ρ = 0.500") != std::string::npos);
  CHECK(md.find("| 1 | b | 3.800 |") != std::string::npos);
  CHECK(md.find("| 0 | **final pick** |") != std::string::npos);
  auto j = two_stage_json(r, c);
  CHECK(j["budgets"][0]["final_pick"] == "b");
  CHECK(j["budgets"][0]["proxy_pick"] == "a");
  CHECK(j["metric"] == "kl");

  // Ties keep the better proxy rank; perplexity as the metric.
  v.rows[2].perplexity = v.rows[1].perplexity;
  CHECK(rank_candidates(v, c, RescoreMetric::Perplexity).budgets[0].final_pick == 0);
  CHECK_THROWS_WITH(parse_rescore_metric("acc"), Catch::Contains("--rescore-metric"));
}

TEST_CASE("a uniform config that beats every searched one on validation is the final pick, and says so",
          "[lib][eval]") {
  // Budget 3: searched s0 (proxy rank 0), s1 (1); uniform K4V2 (rank after them) has the lowest KL.
  std::vector<ProxyCandidate> c(3);
  c[0] = {"s0", {}, 0.10, 3.0, {3}, {0}, false, std::nullopt};
  c[1] = {"s1", {}, 0.20, 2.8, {3}, {1}, false, std::nullopt};
  c[2] = {"uniform_K4V2", {}, 0.30, 3.0, {3}, {1000}, false, std::nullopt};
  c[2].uniform = true;
  c[0].predicted_kl = 0.0101;
  EvaluationResult v;
  v.rows.resize(4);
  const double kl[] = {0.0, 0.012, 0.015, 0.009};
  for (int i = 0; i < 4; ++i) v.rows[size_t(i)].mean_kl = kl[i], v.rows[size_t(i)].perplexity = 10 + 100 * kl[i];
  TwoStageResult r = rank_candidates(v, c, RescoreMetric::KL);
  REQUIRE(r.budgets.size() == 1);
  CHECK(r.budgets[0].candidates == std::vector<size_t>{0, 1, 2});
  CHECK(r.budgets[0].proxy_pick == 0);
  CHECK(r.budgets[0].final_pick == 2);
  std::string md = two_stage_markdown(r, c);
  CHECK(md.find("A uniform config won this budget: uniform_K4V2") != std::string::npos);
  CHECK(md.find("| uniform | uniform_K4V2 |") != std::string::npos);
  CHECK(md.find("| 1.010e-02 | 1.200e-02 |") != std::string::npos);  // predicted next to measured KL
  auto j = two_stage_json(r, c);
  CHECK(j["budgets"][0]["uniform_won"] == true);
  CHECK(j["candidates"][2]["uniform"] == true);

  // A uniform config listed first (rank order) is never the proxy pick, and a tie keeps the searched config.
  v.rows[3].mean_kl = 0.012;
  CHECK(rank_candidates(v, c, RescoreMetric::KL).budgets[0].final_pick == 0);
}

TEST_CASE("rescore_candidates evaluates every candidate on the validation split", "[lib][eval]") {
  test::FixtureSpec spec;
  auto model = model::Model::open(test::write_fixture_model(test::fresh_test_dir("two_stage"), spec));
  auto validation = test::random_prompts({20, 20}, spec.vocab, 4);
  EvalOptions options;
  options.scheme = quant::lookup_scheme("per-token-asym");
  std::vector<ProxyCandidate> c = {{"hi", uniform_config({8, 8}, 2), 0.1, 8, {8}, {0}, false, std::nullopt},
                                   {"lo", uniform_config({2, 2}, 2), 0.5, 2, {8}, {1}, false, std::nullopt}};
  TwoStageResult r = rescore_candidates(model, validation, c, options, RescoreMetric::KL);
  CHECK(r.validation.rows.size() == 3);
  CHECK(r.end_to_end[0] < r.end_to_end[1]);
  CHECK(r.budgets[0].final_pick == 0);
  CHECK(*r.spearman_all == Approx(1.0));
  CHECK_THROWS_WITH(rescore_candidates(model, validation, {}, options, RescoreMetric::KL),
                    Catch::Contains("input.975"));
}

TEST_CASE("window overlap counts held-out windows found in the calibration prompts", "[lib][eval]") {
  std::vector<std::vector<int64_t>> calibration = {{1, 2, 3, 4, 5, 6}, {9, 9}};
  std::vector<std::vector<int64_t>> heldout = {{0, 3, 4, 5, 7}, {7, 8, 9}, {4, 5, 6}};
  WindowOverlap o = window_overlap(calibration, heldout, 3);
  CHECK(o.windows == 3 + 1 + 1);
  CHECK(o.shared == 2);  // {3,4,5} and {4,5,6}
  CHECK(o.sequences_with_shared == 2);
  CHECK(window_overlap(calibration, heldout, 4).shared == 0);
  CHECK(window_overlap(heldout, heldout, 2).shared == window_overlap(heldout, heldout, 2).windows);
}
