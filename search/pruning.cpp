#include "search/pruning.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lib/core/error.h"

namespace kvt::search {

namespace {

bool dominates(size_t a, size_t b, const std::vector<double>& cost, const std::vector<double>& error,
               const PruneOptions& options) {
  if (a == b || cost[a] > cost[b]) return false;
  double tol = std::max(options.abs_tol, options.rel_tol * std::max(std::fabs(error[a]), std::fabs(error[b])));
  if (error[a] > error[b] + tol) return false;  // a is meaningfully worse
  if (cost[a] < cost[b]) return true;
  if (error[a] < error[b] - tol) return true;
  // Same cost, errors equal within tol: one representative survives.
  if (error[a] != error[b]) return error[a] < error[b];
  return a < b;
}

}  // namespace

void validate(const PruneOptions& options) {
  if (!std::isfinite(options.rel_tol) || options.rel_tol < 0)
    throw InputError("--prune-rel-tol: expected a finite value >= 0", 620);
  if (!std::isfinite(options.abs_tol) || options.abs_tol < 0)
    throw InputError("--prune-abs-tol: expected a finite value >= 0", 620);
}

std::vector<int> pareto_indices(const std::vector<double>& cost, const std::vector<double>& error,
                                const PruneOptions& options) {
  KVT_ASSERT(cost.size() == error.size(), "cost and error sizes differ");
  std::vector<int> kept;
  for (size_t b = 0; b < cost.size(); ++b) {
    bool dominated = false;
    for (size_t a = 0; a < cost.size() && !dominated; ++a) dominated = dominates(a, b, cost, error, options);
    if (!dominated) kept.push_back(static_cast<int>(b));
  }
  return kept;
}

CandidateSets prune_pairs(const SensitivityTable& table, const std::vector<double>& pair_cost,
                          const PruneOptions& options) {
  validate(options);
  if (pair_cost.size() != table.pairs.size())
    throw InputError("pruning: " + std::to_string(pair_cost.size()) + " pair costs for " +
                         std::to_string(table.pairs.size()) + " pairs",
                     621);
  CandidateSets sets;
  for (int l = 0; l < table.num_layers; ++l) {
    std::vector<int> kept = pareto_indices(pair_cost, table.proxy_errors()[l], options);
    std::sort(kept.begin(), kept.end(), [&](int a, int b) {
      if (table.pairs[a] != table.pairs[b]) return table.pairs[a] < table.pairs[b];
      return a < b;
    });
    sets.per_layer.push_back(std::move(kept));
  }
  return sets;
}

}  // namespace kvt::search
