#include "search/dp_front.h"

#include <algorithm>

#include "lib/core/error.h"

namespace kvt::search {

namespace {

struct State {
  double memory_sum;  // in measure units, before dividing by SearchSpace::memory_divisor
  double error_sum;
  int previous;  // index into the previous unit's states
  int choice;    // choice of this unit
};

}  // namespace

ParetoFront exact_front(const SearchSpace& space, double max_memory) {
  const double max_memory_sum = max_memory * space.memory_divisor;
  std::vector<std::vector<State>> stages;
  stages.push_back({State{0.0, 0.0, -1, -1}});
  for (const auto& unit : space.units) {
    const auto& previous = stages.back();
    std::vector<State> candidates;
    candidates.reserve(previous.size() * unit.choices.size());
    for (size_t s = 0; s < previous.size(); ++s)
      for (size_t c = 0; c < unit.choices.size(); ++c) {
        double memory = previous[s].memory_sum + unit.memory_sum[c];
        if (!within_budget(memory, max_memory_sum)) continue;
        candidates.push_back(
            {memory, previous[s].error_sum + unit.error_sum[c], static_cast<int>(s), static_cast<int>(c)});
      }
    // Memory ascending, then error, then the earlier path: the survivors are the Pareto states.
    std::sort(candidates.begin(), candidates.end(), [](const State& a, const State& b) {
      if (a.memory_sum != b.memory_sum) return a.memory_sum < b.memory_sum;
      if (a.error_sum != b.error_sum) return a.error_sum < b.error_sum;
      if (a.previous != b.previous) return a.previous < b.previous;
      return a.choice < b.choice;
    });
    std::vector<State> kept;
    for (const auto& state : candidates)
      if (kept.empty() || state.error_sum < kept.back().error_sum) kept.push_back(state);
    stages.push_back(std::move(kept));
  }

  ParetoFront front;
  const auto& last = stages.back();
  for (size_t s = 0; s < last.size(); ++s) {
    FrontPoint point;
    point.choice.assign(space.units.size(), -1);
    int index = static_cast<int>(s);
    for (size_t u = space.units.size(); u > 0; --u) {
      const State& state = stages[u][index];
      point.choice[u - 1] = state.choice;
      index = state.previous;
    }
    KVT_ASSERT(index == 0, "backtracking ends at the empty config");
    point.layer_pairs = space.layer_pairs(point.choice);
    point.memory = last[s].memory_sum / space.memory_divisor;
    point.error = last[s].error_sum;
    front.push_back(std::move(point));
  }
  return front;
}

}  // namespace kvt::search
