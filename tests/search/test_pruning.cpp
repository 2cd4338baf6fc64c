// Intra-layer pruning against the paper's Table 3 and against a direct reading of the dominance definition.
#include <catch2/catch.hpp>
#include <random>

#include "lib/core/error.h"
#include "search/pruning.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

namespace {

std::vector<std::string> names_of(const SensitivityTable& t, const std::vector<int>& indices) {
  std::vector<std::string> names;
  for (int i : indices) names.push_back(t.pairs[i].name());
  return names;
}

std::vector<double> nominal_costs(const SensitivityTable& t) {
  std::vector<double> c;
  for (const auto& p : t.pairs) c.push_back(p.mean_bits());
  return c;
}

SensitivityTable one_layer_table(const std::vector<double>& errors) {
  SensitivityTable t;
  t.num_layers = 1;
  t.pairs = default_candidate_pairs();
  t.e_o = {errors};
  return t;
}

}  // namespace

TEST_CASE("Table 3 averages prune to the key-first set", "[search]") {
  // KVTuner Table 3 (docs/method.md §10): K4V8 is dominated by K8V4, K8V2 by KV4, K2V8 and K2V4 by K4V2.
  SensitivityTable t = one_layer_table(test::table3_errors_in_default_order());
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  REQUIRE(sets.per_layer.size() == 1);
  CHECK(names_of(t, sets.per_layer[0]) == std::vector<std::string>{"KV8", "K8V4", "KV4", "K4V2", "KV2"});
}

TEST_CASE("Pruning tie rule keeps the lower-bit pair", "[search]") {
  // KV8 and K8V4 have the same error: K8V4 (6 bits) costs less, so KV8 (8 bits) goes.
  std::vector<double> cost{8, 6, 4};
  std::vector<double> error{0.1, 0.1, 0.3};
  CHECK(pareto_indices(cost, error, {}) == std::vector<int>{1, 2});
  // Equal cost and equal error: the first one survives, never both, never none.
  CHECK(pareto_indices({6, 6}, {0.2, 0.2}, {}) == std::vector<int>{0});
  // Equal cost, different error: the lower error survives.
  CHECK(pareto_indices({6, 6}, {0.3, 0.2}, {}) == std::vector<int>{1});
}

TEST_CASE("Pruning tolerance treats near-equal errors as ties", "[search]") {
  // 8 bits at 0.0995 vs 6 bits at 0.100: without tolerance both survive; with 1% relative tolerance the
  // 8-bit pair is no better within noise and costs more, so it goes.
  std::vector<double> cost{8, 6};
  std::vector<double> error{0.0995, 0.100};
  CHECK(pareto_indices(cost, error, {}) == std::vector<int>{0, 1});
  CHECK(pareto_indices(cost, error, {0.01, 0.0}) == std::vector<int>{1});
  CHECK(pareto_indices(cost, error, {0.0, 0.001}) == std::vector<int>{1});
  CHECK(pareto_indices(cost, error, {0.0, 0.0001}) == std::vector<int>{0, 1});
}

TEST_CASE("Pruning equals the textbook non-dominated set on random data", "[search]") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    size_t n = 2 + rng() % 9;
    std::vector<double> cost, error;
    for (size_t i = 0; i < n; ++i) {
      cost.push_back(static_cast<double>(rng() % 6));  // repeated costs on purpose
      error.push_back(test::unit_uniform(rng));        // continuous: no exact error ties
    }
    std::vector<int> expected;
    for (size_t b = 0; b < n; ++b) {
      bool dominated = false;
      for (size_t a = 0; a < n; ++a)
        if (cost[a] <= cost[b] && error[a] <= error[b] && (cost[a] < cost[b] || error[a] < error[b])) dominated = true;
      if (!dominated) expected.push_back(static_cast<int>(b));
    }
    CHECK(pareto_indices(cost, error, {}) == expected);
  }
}

TEST_CASE("Pruned sets are sorted by decreasing bits", "[search]") {
  SensitivityTable t = test::synthetic_table(12, 3);
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  for (const auto& set : sets.per_layer)
    for (size_t i = 1; i < set.size(); ++i) CHECK(t.pairs[set[i - 1]] < t.pairs[set[i]]);
}

TEST_CASE("Pruning rejects bad options", "[search]") {
  SensitivityTable t = one_layer_table(test::table3_errors_in_default_order());
  REQUIRE_THROWS_WITH(prune_pairs(t, nominal_costs(t), {-0.1, 0}), Catch::Contains("--prune-rel-tol"));
  REQUIRE_THROWS_WITH(prune_pairs(t, nominal_costs(t), {0, std::nan("")}), Catch::Contains("--prune-abs-tol"));
  REQUIRE_THROWS_AS(prune_pairs(t, {8, 6}, {}), InputError);
}
