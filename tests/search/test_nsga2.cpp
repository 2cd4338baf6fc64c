// NSGA-II (pagmo) against the exact DP front; determinism, resume and the pluggable objective.
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "search/checkpoint.h"
#include "search/dp_front.h"
#include "search/nsga2_search.h"
#include "search/pruning.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

namespace {

SearchSpace space_for(const SensitivityTable& t, bool grouped) {
  std::vector<double> cost;
  for (const auto& p : t.pairs) cost.push_back(p.mean_bits());
  GroupOptions groups;
  groups.enabled = grouped;
  return build_search_space(t, group_layers(t, prune_pairs(t, cost, {}), groups), MemoryMeasure::Nominal);
}

Nsga2Options small_options(int population, int generations, unsigned seed = 3) {
  Nsga2Options o;
  o.population = population;
  o.generations = generations;
  o.seed = seed;
  return o;
}

}  // namespace

TEST_CASE("NSGA-II finds the exact front of a grouped space", "[search]") {
  SensitivityTable t = test::synthetic_table(32, 9);
  SearchSpace space = space_for(t, true);
  REQUIRE(space.units.size() <= 6);
  ParetoFront exact = exact_front(space, 6.0);
  Nsga2Result result = run_nsga2(space, t.pairs, small_options(32, 60), 6.0, {}, "fp");
  for (const auto& p : result.front) CHECK(p.memory <= 6.0);
  CHECK(hypervolume_ratio(result.front, exact).ratio >= 0.99);
  // Every searched point is a real config with the objective values the DP would give it.
  for (const auto& p : result.front) {
    CHECK(space.memory(p.choice) == p.memory);
    CHECK(space.proxy_error(p.choice) == p.error);
  }
}

TEST_CASE("NSGA-II approaches the exact front per layer (ungrouped)", "[search]") {
  SensitivityTable t = test::synthetic_table(10, 4);
  SearchSpace space = space_for(t, false);
  REQUIRE(space.units.size() == 10);  // 5^10 ≈ 9.8 M configs
  ParetoFront exact = exact_front(space, 6.0);
  Nsga2Result result = run_nsga2(space, t.pairs, small_options(64, 150), 6.0, {}, "fp");
  HypervolumeReport hv = hypervolume_ratio(result.front, exact);
  INFO("HV ratio " << hv.ratio << ", front " << result.front.size() << " of " << exact.size());
  CHECK(hv.ratio >= 0.97);
  CHECK(hv.ratio <= 1.0 + 1e-12);  // nothing can beat the exact front
}

TEST_CASE("NSGA-II with the same seed gives the same population", "[search]") {
  SensitivityTable t = test::synthetic_table(12, 2);
  SearchSpace space = space_for(t, false);
  auto a = run_nsga2(space, t.pairs, small_options(16, 25, 7), 6.0, {}, "fp");
  auto b = run_nsga2(space, t.pairs, small_options(16, 25, 7), 6.0, {}, "fp");
  auto c = run_nsga2(space, t.pairs, small_options(16, 25, 8), 6.0, {}, "fp");
  CHECK(a.state.genes == b.state.genes);
  CHECK(a.state.fitness == b.state.fitness);
  CHECK(a.state.genes != c.state.genes);
}

TEST_CASE("NSGA-II resumed from a checkpoint equals an uninterrupted run", "[search]") {
  SensitivityTable t = test::synthetic_table(12, 2);
  SearchSpace space = space_for(t, false);
  Nsga2Options options = small_options(16, 30, 5);
  options.checkpoint_every = 10;
  std::vector<Nsga2State> checkpoints;
  Nsga2Hooks record;
  record.on_checkpoint = [&](const Nsga2State& s) { checkpoints.push_back(s); };
  auto straight = run_nsga2(space, t.pairs, options, 6.0, {}, "fp", record);
  REQUIRE(checkpoints.size() == 3);
  CHECK(checkpoints[0].generation == 10);
  CHECK(checkpoints[2].generation == 30);

  // Through the JSON form, as a rerun would read it from the output directory.
  Nsga2State at10 = nsga2_state_from_json(nlohmann::json::parse(to_json(checkpoints[0]).dump()), "ckpt");
  CHECK(at10.fitness == checkpoints[0].fitness);
  REQUIRE(at10.archive.size() == checkpoints[0].archive.size());
  CHECK(at10.archive.back().error == checkpoints[0].archive.back().error);
  Nsga2Hooks resume;
  resume.resume = &at10;
  auto resumed = run_nsga2(space, t.pairs, options, 6.0, {}, "fp", resume);
  CHECK(resumed.resumed_from == 10);
  CHECK(resumed.state.genes == straight.state.genes);
  CHECK(resumed.state.fitness == straight.state.fitness);
  REQUIRE(resumed.front.size() == straight.front.size());
  for (size_t i = 0; i < resumed.front.size(); ++i) {
    CHECK(resumed.front[i].choice == straight.front[i].choice);
    CHECK(resumed.front[i].error == straight.front[i].error);
  }

  // Extending a finished run: 30 generations resumed to 40 equals 40 from scratch.
  options.generations = 40;
  Nsga2Hooks extend;
  extend.resume = &checkpoints[2];
  auto extended = run_nsga2(space, t.pairs, options, 6.0, {}, "fp", extend);
  auto fresh = run_nsga2(space, t.pairs, options, 6.0, {}, "fp");
  CHECK(extended.state.genes == fresh.state.genes);
}

TEST_CASE("NSGA-II calls a custom objective only on feasible configs, once each", "[search]") {
  SensitivityTable t = test::synthetic_table(8, 6);
  SearchSpace space = space_for(t, false);
  std::map<std::vector<std::string>, int> calls;
  ErrorObjective objective = [&](const std::vector<PrecisionPair>& config) {
    double bits = 0, error = 0;
    std::vector<std::string> names;
    for (size_t l = 0; l < config.size(); ++l) {
      bits += config[l].mean_bits() / config.size();
      error += 2 * t.e_o[l][t.pair_index(config[l])];
      names.push_back(config[l].name());
    }
    CHECK(bits <= 4.0 + 1e-12);
    ++calls[names];
    return error;
  };
  auto result = run_nsga2(space, t.pairs, small_options(16, 20), 4.0, objective, "custom");
  REQUIRE(!calls.empty());
  for (const auto& [config, count] : calls) CHECK(count == 1);
  for (const auto& p : result.front) CHECK(p.error == Approx(2 * space.proxy_error(p.choice)));
}

TEST_CASE("NSGA-II options and checkpoints are validated", "[search]") {
  SensitivityTable t = test::synthetic_table(8, 6);
  SearchSpace space = space_for(t, false);
  REQUIRE_THROWS_WITH(run_nsga2(space, t.pairs, small_options(50, 10), 6.0, {}, "fp"),
                      Catch::Contains("--pop 50") && Catch::Contains("multiple of 4"));
  REQUIRE_THROWS_WITH(run_nsga2(space, t.pairs, small_options(4, 10), 6.0, {}, "fp"), Catch::Contains("--pop 4"));
  REQUIRE_THROWS_WITH(run_nsga2(space, t.pairs, small_options(16, 0), 6.0, {}, "fp"),
                      Catch::Contains("--generations 0"));

  auto done = run_nsga2(space, t.pairs, small_options(16, 10), 6.0, {}, "fp");
  Nsga2Hooks resume;
  resume.resume = &done.state;
  REQUIRE_THROWS_WITH(run_nsga2(space, t.pairs, small_options(20, 10), 6.0, {}, "fp", resume),
                      Catch::Contains("checkpoint does not fit") && Catch::Contains("--pop is 20"));
  REQUIRE_THROWS_WITH(run_nsga2(space, t.pairs, small_options(16, 5), 6.0, {}, "fp", resume),
                      Catch::Contains("beyond --generations 5"));
  REQUIRE_THROWS_WITH(nsga2_state_from_json(nlohmann::json::object(), "x.json"), Catch::Contains("x.json"));
}

TEST_CASE("A space without choices yields its single config", "[search]") {
  SensitivityTable t = test::synthetic_table(3, 1);
  GroupOptions off;
  off.enabled = false;
  CandidateSets only_kv4;
  for (int l = 0; l < 3; ++l) only_kv4.per_layer.push_back({t.pair_index({4, 4})});
  SearchSpace space = build_search_space(t, group_layers(t, only_kv4, off), MemoryMeasure::Nominal);
  auto result = run_nsga2(space, t.pairs, small_options(8, 3), 6.0, {}, "fp");
  REQUIRE(result.front.size() == 1);
  CHECK(result.front[0].memory == 4.0);
  CHECK(run_nsga2(space, t.pairs, small_options(8, 3), 3.0, {}, "fp").front.empty());
}
