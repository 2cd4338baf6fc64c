// Intra-layer Pareto pruning (KVTuner §5.3, App. D.1.1): per layer, keep the candidate pairs that are
// non-dominated in (memory cost, e_o). Both coordinates are minimized.
#pragma once
#include <vector>

#include "lib/core/sensitivity_table.h"

namespace kvt::search {

// inferred: the paper gives no noise rule. Two errors count as equal when they differ by at most
// max(abs_tol, rel_tol · max(e_a, e_b)); with both at 0 the comparison is exact.
struct PruneOptions {
  double rel_tol = 0.0;
  double abs_tol = 0.0;
};

// Per layer, indices into table.pairs, sorted by PrecisionPair order (decreasing bits, then key bits):
// the order the official lists use and the order genes index into.
struct CandidateSets {
  std::vector<std::vector<int>> per_layer;
};

// Indices of the non-dominated points among (cost[i], error[i]).
// Pair a dominates pair b when cost_a <= cost_b and error_a <= error_b + tol, and either
//   - cost_a < cost_b (tie rule: on errors equal within tol, the lower-cost pair is kept), or
//   - equal cost and error_a < error_b - tol, or
//   - equal cost, errors equal within tol, and a comes first in (lower error, then lower index).
// The relation is acyclic, so the result is never empty. Returned indices are ascending.
std::vector<int> pareto_indices(const std::vector<double>& cost, const std::vector<double>& error,
                                const PruneOptions& options);

// Prunes every layer of `table` with pair cost `pair_cost[p]` (e.g. nominal mean bits).
// @throws InputError when options are negative or not finite, or pair_cost has the wrong size.
CandidateSets prune_pairs(const SensitivityTable& table, const std::vector<double>& pair_cost,
                          const PruneOptions& options);

// Validates tolerances. @throws InputError naming the option.
void validate(const PruneOptions& options);

}  // namespace kvt::search
