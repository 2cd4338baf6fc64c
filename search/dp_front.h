// The exact Pareto front of the additive proxy by dynamic programming over search units and memory totals
// (a multiple-choice knapsack kept in Pareto form). It is the oracle for NSGA-II and a fast path.
#pragma once
#include <limits>

#include "search/objectives.h"
#include "search/pareto_front.h"

namespace kvt::search {

// Every Pareto-optimal (memory, Σ e_o) point of `space` with memory <= max_memory, one config per point.
// Unit by unit, the reachable (memory total, error total) states are extended by each choice and dominated
// states are dropped; memory costs are >= 0, so states over the budget are dropped early too.
// Ties (same memory and error) keep the config with the lowest choice indices of the earliest units.
// Cost: O(units · states · choices · log), states <= distinct memory totals (<= 12·L+1 for nominal bits).
ParetoFront exact_front(const SearchSpace& space, double max_memory = std::numeric_limits<double>::infinity());

}  // namespace kvt::search
