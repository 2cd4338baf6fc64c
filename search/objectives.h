// The two search objectives (KVTuner §5.1; docs/method.md §5, §7) and the search space they are evaluated over.
// Memory: nominal equivalent bits f_m = Σ_l (b_k + b_v) / 2L (the paper's), effective bits (the profiler's
// storage accounting: codes + scales/zero-points + full-precision residual), or bytes per token.
// Error proxy: Σ_l e_o^l(pair_l). inferred: the paper searches on task accuracy; the sum of per-layer errors is
// additive, so the exact front can be found by dynamic programming. It ignores the compounding across layers
// (KVTuner §4.1), so it is a ranking proxy, not a predicted accuracy.
#pragma once
#include <string>
#include <vector>

#include "lib/core/sensitivity_table.h"
#include "search/grouping.h"

namespace kvt::search {

enum class MemoryMeasure { Nominal, Effective, Bytes };

// "nominal" | "effective" | "bytes". @throws InputError naming --memory.
MemoryMeasure parse_memory_measure(const std::string& text);
std::string to_string(MemoryMeasure measure);
// Axis label with unit, e.g. "nominal bits per KV element".
std::string memory_label(MemoryMeasure measure);

// Per-pair memory cost of one layer in the measure's units: bits per element for Nominal and Effective,
// bytes per token for Bytes. @throws InputError when the table lacks effective_bits (or the element count).
std::vector<double> pair_memory_cost(const SensitivityTable& table, MemoryMeasure measure);

// Scores of one per-layer config (indices into table.pairs).
struct ConfigScore {
  double nominal_bits = 0;     // f_m
  double effective_bits = 0;   // mean over layers of table.effective_bits; NaN when the table has none
  double bytes_per_token = 0;  // Σ_l elements·effective_bits/8; NaN when the table has no storage accounting
  double proxy_error = 0;      // Σ_l e_o
};
ConfigScore score_config(const SensitivityTable& table, const std::vector<int>& layer_pairs);

// The memory value in the measure (bits are means over layers, bytes are sums).
double memory_of(const ConfigScore& score, MemoryMeasure measure);

// A budget in bits converted to the measure (bytes: effective bits × elements per token × layers / 8).
double budget_in_measure(const SensitivityTable& table, double budget_bits, MemoryMeasure measure);

// memory <= budget up to rounding in the last digits (sums of many doubles).
bool within_budget(double memory, double budget);

// One decision of the search: a group of layers that share a pair; `choices` index into table.pairs.
// Costs are totals over the unit's layers: memory in measure units summed (not yet divided by L), error summed.
struct SearchUnit {
  std::vector<int> layers;
  std::vector<int> choices;
  std::vector<double> memory_sum;
  std::vector<double> error_sum;
};

struct SearchSpace {
  int num_layers = 0;
  MemoryMeasure measure = MemoryMeasure::Nominal;
  double memory_divisor = 1;  // memory value = Σ memory_sum / memory_divisor (L for bits, 1 for bytes)
  std::vector<SearchUnit> units;

  // Per-layer pair indices for one choice index per unit.
  std::vector<int> layer_pairs(const std::vector<int>& choice) const;
  double memory(const std::vector<int>& choice) const;
  double proxy_error(const std::vector<int>& choice) const;
};

SearchSpace build_search_space(const SensitivityTable& table, const LayerGroups& groups, MemoryMeasure measure);

}  // namespace kvt::search
