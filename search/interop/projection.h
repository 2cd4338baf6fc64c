// A projected config: what an engine actually stores per layer (engines cannot run every per-layer K≠V
// config), and its bits and proxy error next to the searched config's (docs/method.md §5, §17).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/core/sensitivity_table.h"
#include "search/interop/storage_type.h"

namespace kvt::interop {

struct LayerStorage {
  StorageType key, value;
  PrecisionPair nominal_pair() const { return {key.nominal_bits, value.nominal_bits}; }
};
using ProjectedConfig = std::vector<LayerStorage>;  // [layer]

struct BitsSummary {
  double nominal_bits = 0;            // f_m: mean of (b_k + b_v) / 2 over layers (and heads)
  double effective_bits = 0;          // the same mean over effective bits (scales included)
  std::optional<double> proxy_error;  // Σ_l e_o[l][pair_l]; empty without a table or when a pair is missing
  std::string proxy_note;             // why proxy_error is empty
};

// Proxy error of one layer at `pair`: the table's e_o, 0 for KV16 (unquantized) when the table lacks it.
std::optional<double> layer_proxy_error(const SensitivityTable& table, int layer, const PrecisionPair& pair);

// Bits and proxy error of a projected config; `table` may be null.
BitsSummary summarize(const ProjectedConfig& config, const SensitivityTable* table);

// The searched config stored by kvtuner's own quantizer (its K and V group rules). Per-head configs average
// over layers × heads; their proxy error needs every layer's heads to share one pair (the table is per layer).
BitsSummary summarize_searched(const KvConfig& config, const SchemeStorage& storage, const SensitivityTable* table);
inline BitsSummary summarize_searched(const KvConfig& config, int group_size, const SensitivityTable* table) {
  return summarize_searched(config, SchemeStorage::uniform(group_size), table);
}

// Per-layer pairs an engine has to cover: per-head configs take each layer's largest K and V over heads.
std::vector<PrecisionPair> covering_layer_pairs(const KvConfig& config);

// The cheapest dtype of `menu` with at least `bits` nominal bits; the widest one when none is wide enough
// (`widened` false then). Ties: lower effective bits, then menu order.
StorageType round_up(const std::vector<StorageType>& menu, int bits, bool* widened = nullptr);

// "0-3:fp8,4-35:nvfp4": runs of equal names as a-b (or a single index) joined by commas.
std::string layer_range_string(const std::vector<std::string>& names);

// One (K type, V type) for every layer, chosen from menu × menu within `budget_effective_bits`:
// with a table, the lowest proxy error among pairs the table can score (ties: fewer bits, then menu order);
// without, the most effective bits (ties: more key bits, then menu order). When nothing fits, the cheapest
// pair, and `fits` is set to false. `key_equals_value`: only pairs with the same dtype for K and V.
LayerStorage best_global_pair(const std::vector<StorageType>& menu, bool key_equals_value, double budget_effective_bits,
                              int num_layers, const SensitivityTable* table, bool* fits);

}  // namespace kvt::interop
