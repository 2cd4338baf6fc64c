// bench_search: the search stages on an 80-layer synthetic table (tests/search/synthetic_table.h).
// Prints DP wall time (target <= 100 ms), NSGA-II wall time and its hypervolume ratio to the exact front
// (target >= 0.99 within 2 s), grouped and per layer, and DP time ÷ brute force on a small table (equal fronts).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

#include "search/dp_front.h"
#include "search/nsga2_search.h"
#include "search/pruning.h"
#include "tests/bench/bench_timing.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

namespace {

// Process CPU seconds of f (the search is single-threaded; wall time suffers on a loaded machine).
double cpu_seconds_of(const std::function<void()>& f) {
  std::clock_t start = std::clock();
  f();
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

// Median of `runs` timings after one warm-up run.
double median_seconds(int runs, const std::function<void()>& f) {
  f();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) t.push_back(kvt::bench::wall_seconds(f));
  return kvt::bench::median(t);
}

SearchSpace make_space(const SensitivityTable& t, bool grouped, bool prune) {
  std::vector<double> cost;
  for (const auto& p : t.pairs) cost.push_back(p.mean_bits());
  CandidateSets sets;
  if (prune) {
    sets = prune_pairs(t, cost, {});
  } else {
    for (int l = 0; l < t.num_layers; ++l) {
      std::vector<int> all;
      for (size_t p = 0; p < t.pairs.size(); ++p) all.push_back(static_cast<int>(p));
      sets.per_layer.push_back(all);
    }
  }
  GroupOptions g;
  g.enabled = grouped;
  return build_search_space(t, group_layers(t, sets, g), MemoryMeasure::Nominal);
}

// Every config of a small space; returns the number of front points (textbook filter via nondominated()).
size_t brute_force_front_size(const SearchSpace& space, double max_memory) {
  std::vector<FrontPoint> all;
  std::vector<int> choice(space.units.size(), 0);
  while (true) {
    double memory = space.memory(choice);
    if (within_budget(memory, max_memory)) all.push_back({{}, {}, memory, space.proxy_error(choice)});
    size_t u = 0;
    while (u < choice.size() && ++choice[u] == static_cast<int>(space.units[u].choices.size())) choice[u++] = 0;
    if (u == choice.size()) break;
  }
  return nondominated(all).size();
}

}  // namespace

int main() {
  const double bound = 6.0;  // the largest default budget (bits)
  SensitivityTable table = test::synthetic_table(80, 2025, 8, 0.03);
  std::printf("bench_search: 80-layer synthetic table, 9 pairs, memory bound %.0f bits\n\n", bound);
  std::printf("%-10s %6s %6s %8s | %5s %5s %10s %10s %9s %7s\n", "space", "units", "front", "DP ms", "pop", "gens",
              "GA wall s", "GA cpu s", "HV ratio", "points");
  for (bool grouped : {true, false}) {
    SearchSpace space = make_space(table, grouped, true);
    ParetoFront exact;
    double dp = median_seconds(9, [&] { exact = exact_front(space, bound); });
    struct Setting {
      int pop, gens;
    };
    for (Setting s : {Setting{64, 300}, Setting{160, 500}, Setting{200, 600}}) {  // 160 × 500 is the default
      Nsga2Options o;
      o.population = s.pop;
      o.generations = s.gens;
      o.seed = 1;
      Nsga2Result result;
      double cpu = 0;
      double wall = kvt::bench::wall_seconds(
          [&] { cpu = cpu_seconds_of([&] { result = run_nsga2(space, table.pairs, o, bound, {}, "bench"); }); });
      double hv = hypervolume_ratio(result.front, exact).ratio;
      std::printf("%-10s %6zu %6zu %8.3f | %5d %5d %10.3f %10.3f %9.4f %7zu\n", grouped ? "grouped" : "per-layer",
                  space.units.size(), exact.size(), dp * 1e3, s.pop, s.gens, wall, cpu, hv, result.front.size());
    }
  }

  // DP ÷ brute force on a table small enough to enumerate (all 9 pairs, 6 layers: 531441 configs).
  SensitivityTable small = test::synthetic_table(6, 7, 6, 0.1);
  SearchSpace space = make_space(small, false, false);
  size_t dp_points = 0, brute_points = 0;
  double dp = median_seconds(9, [&] { dp_points = exact_front(space, bound).size(); });
  double brute = median_seconds(3, [&] { brute_points = brute_force_front_size(space, bound); });
  std::printf(
      "\nDP vs brute force, 6 layers x 9 pairs (531441 configs): DP %.3f ms, brute force %.1f ms, ratio %.5f, "
      "fronts %zu / %zu points (%s)\n",
      dp * 1e3, brute * 1e3, dp / brute, dp_points, brute_points, dp_points == brute_points ? "equal" : "DIFFER");
  return dp_points == brute_points ? 0 : 1;
}
