// The exact DP front equals brute-force enumeration of every config on small cases, grouped and ungrouped.
#include <catch2/catch.hpp>
#include <random>

#include "search/dp_front.h"
#include "search/pruning.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

namespace {

// Every config of the space, scored directly from the table (not through SearchSpace sums), then the
// non-dominated ones by the textbook definition (O(n²)).
std::vector<std::pair<double, double>> brute_force_front(const SensitivityTable& t, const SearchSpace& space,
                                                         double max_memory) {
  std::vector<std::pair<double, double>> all;  // (memory, error)
  std::vector<int> choice(space.units.size(), 0);
  while (true) {
    double memory = 0, error = 0;
    for (size_t u = 0; u < space.units.size(); ++u)
      for (int layer : space.units[u].layers) {
        int p = space.units[u].choices[choice[u]];
        memory += space.measure == MemoryMeasure::Nominal ? t.pairs[p].mean_bits() : t.effective_bits[p];
        error += t.e_o[layer][p];
      }
    memory /= t.num_layers;
    if (memory <= max_memory + 1e-9) all.push_back({memory, error});
    size_t u = 0;
    while (u < choice.size() && ++choice[u] == static_cast<int>(space.units[u].choices.size())) choice[u++] = 0;
    if (u == choice.size()) break;
  }
  std::vector<std::pair<double, double>> front;
  for (const auto& b : all) {
    bool dominated = false;
    for (const auto& a : all)
      if (a.first <= b.first + 1e-12 && a.second <= b.second + 1e-12 &&
          (a.first < b.first - 1e-12 || a.second < b.second - 1e-12))
        dominated = true;
    if (!dominated) front.push_back(b);
  }
  std::sort(front.begin(), front.end());
  front.erase(std::unique(front.begin(), front.end(),
                          [](const auto& a, const auto& b) {
                            return std::fabs(a.first - b.first) < 1e-12 && std::fabs(a.second - b.second) < 1e-12;
                          }),
              front.end());
  return front;
}

SensitivityTable random_table(int layers, uint64_t seed) {
  SensitivityTable t;
  t.num_layers = layers;
  t.pairs = default_candidate_pairs();
  std::mt19937_64 rng(seed);
  for (int l = 0; l < layers; ++l) {
    std::vector<double> row;
    for (size_t p = 0; p < t.pairs.size(); ++p) row.push_back(test::unit_uniform(rng));
    t.e_o.push_back(row);
  }
  for (const auto& p : t.pairs)
    t.effective_bits.push_back(p.mean_bits() * (1.05 + 0.1 * test::unit_uniform(rng)) + 0.3);
  return t;
}

CandidateSets all_pairs(const SensitivityTable& t) {
  CandidateSets sets;
  for (int l = 0; l < t.num_layers; ++l) {
    std::vector<int> all;
    for (size_t p = 0; p < t.pairs.size(); ++p) all.push_back(static_cast<int>(p));
    sets.per_layer.push_back(all);
  }
  return sets;
}

void check_same_front(const ParetoFront& dp, const std::vector<std::pair<double, double>>& brute,
                      const SearchSpace& space) {
  REQUIRE(dp.size() == brute.size());
  // Both sides add at most L ≤ 80 doubles of magnitude ≤ 16 in different orders: |Δ| ≤ 80 · 16 · 2^-53 ≈ 1.4e-13.
  for (size_t i = 0; i < dp.size(); ++i) {
    CHECK(dp[i].memory == Approx(brute[i].first).margin(1e-12));
    CHECK(dp[i].error == Approx(brute[i].second).margin(1e-12));
    // The config carried by the point really has those objective values.
    CHECK(space.memory(dp[i].choice) == Approx(dp[i].memory).margin(1e-12));
    CHECK(space.proxy_error(dp[i].choice) == Approx(dp[i].error).margin(1e-12));
  }
}

}  // namespace

TEST_CASE("DP front equals brute force, ungrouped, all 9 pairs", "[search]") {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SensitivityTable t = random_table(4, seed);  // 9^4 = 6561 configs
    GroupOptions off;
    off.enabled = false;
    CandidateSets sets = all_pairs(t);
    SearchSpace space = build_search_space(t, group_layers(t, sets, off), MemoryMeasure::Nominal);
    check_same_front(exact_front(space), brute_force_front(t, space, 1e9), space);
    check_same_front(exact_front(space, 4.0), brute_force_front(t, space, 4.0), space);
  }
}

TEST_CASE("DP front equals brute force with effective bits (real-valued costs)", "[search]") {
  SensitivityTable t = random_table(4, 11);
  GroupOptions off;
  off.enabled = false;
  CandidateSets sets = all_pairs(t);
  SearchSpace space = build_search_space(t, group_layers(t, sets, off), MemoryMeasure::Effective);
  check_same_front(exact_front(space), brute_force_front(t, space, 1e9), space);
  check_same_front(exact_front(space, 5.0), brute_force_front(t, space, 5.0), space);
}

TEST_CASE("DP front equals brute force over groups", "[search]") {
  SensitivityTable t = test::synthetic_table(24, 5, 3, 0.05);
  std::vector<double> cost;
  for (const auto& p : t.pairs) cost.push_back(p.mean_bits());
  CandidateSets sets = prune_pairs(t, cost, {});
  LayerGroups groups = group_layers(t, sets, {});
  REQUIRE(groups.groups.size() >= 3);
  REQUIRE(groups.groups.size() <= 7);  // 5^7 = 78k configs at most
  SearchSpace space = build_search_space(t, groups, MemoryMeasure::Nominal);
  check_same_front(exact_front(space), brute_force_front(t, space, 1e9), space);
}

TEST_CASE("Pruning keeps the exact ungrouped front of the additive proxy", "[search]") {
  // A config using a dominated pair is dominated by swapping in its dominator, so the fronts agree.
  SensitivityTable t = random_table(6, 21);
  std::vector<double> cost;
  for (const auto& p : t.pairs) cost.push_back(p.mean_bits());
  GroupOptions off;
  off.enabled = false;
  CandidateSets full = all_pairs(t);
  CandidateSets pruned = prune_pairs(t, cost, {});
  auto full_front = exact_front(build_search_space(t, group_layers(t, full, off), MemoryMeasure::Nominal));
  auto pruned_front = exact_front(build_search_space(t, group_layers(t, pruned, off), MemoryMeasure::Nominal));
  REQUIRE(full_front.size() == pruned_front.size());
  for (size_t i = 0; i < full_front.size(); ++i) {
    CHECK(full_front[i].memory == pruned_front[i].memory);
    CHECK(full_front[i].error == Approx(pruned_front[i].error).margin(1e-12));
  }
}
