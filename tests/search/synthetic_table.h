// Synthetic sensitivity tables for search tests and the search benchmark (no profiler needed).
// e_o(layer, pair) = Table-3 average of the pair (KVTuner Table 3) × a per-layer sensitivity factor × jitter,
// with layers drawn from a few sensitivity levels so that grouping has something to find.
#pragma once
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/core/sensitivity_table.h"

namespace kvt::test {

// Per-token-asym, layer-averaged e_o of Llama-3.1-8B (KVTuner Table 3), in default_candidate_pairs() order:
// KV8, K8V4, K4V8, K8V2, KV4, K2V8, K4V2, K2V4, KV2.
inline std::vector<double> table3_errors_in_default_order() {
  std::vector<double> out;
  for (const auto& p : default_candidate_pairs()) {
    std::string n = p.name();
    out.push_back(n == "KV8"    ? 0.014
                  : n == "K8V4" ? 0.100
                  : n == "K8V2" ? 0.401
                  : n == "K4V8" ? 0.168
                  : n == "KV4"  ? 0.207
                  : n == "K4V2" ? 0.453
                  : n == "K2V8" ? 0.882
                  : n == "K2V4" ? 0.892
                                : 0.962);
  }
  return out;
}

// Uniform double in [0, 1) from the top 53 bits: the same on every standard library.
inline double unit_uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

inline SensitivityTable synthetic_table(int num_layers, uint64_t seed, int num_levels = 4, double jitter = 0.02) {
  SensitivityTable t;
  t.tool_version = "test";
  t.model_name = "Synthetic-" + std::to_string(num_layers) + "L";
  t.model_hash = "00000000000000aa";
  t.calib_hash = "00000000000000bb";
  t.scheme = "per-token-asym";
  t.num_layers = num_layers;
  t.num_kv_heads = 8;
  t.head_dim = 128;
  t.pairs = default_candidate_pairs();
  std::vector<double> base = table3_errors_in_default_order();
  std::mt19937_64 rng(seed);
  std::vector<double> level_factor;
  for (int k = 0; k < num_levels; ++k) level_factor.push_back(0.35 + 1.3 * k / std::max(1, num_levels - 1));
  for (int l = 0; l < num_layers; ++l) {
    double factor = level_factor[rng() % level_factor.size()];
    std::vector<double> row;
    for (double b : base) row.push_back(std::min(0.999, b * factor * (1 + jitter * (2 * unit_uniform(rng) - 1))));
    t.e_o.push_back(row);
  }
  for (const auto& p : t.pairs) t.effective_bits.push_back(p.mean_bits() + 0.25);  // +32/D scale overhead, D=128
  t.kv_elements_per_token_per_layer = 2.0 * t.num_kv_heads * t.head_dim;
  return t;
}

}  // namespace kvt::test
