// One-screen text summary of a sensitivity table: per-pair errors over layers, the most and least sensitive
// layers, and key vs value sensitivity.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "lib/core/sensitivity_table.h"

namespace kvt::profile {

// Layers are ranked by e_o at the pair with the fewest bits (ties: fewer key bits). Key vs value compares
// K<lo>V<hi> with K<hi>V<lo> (lowest and highest widths among the pairs) when both are present.
// Ends with end_to_end_summary.
std::string sensitivity_summary(const SensitivityTable& table, int layers_listed = 3);

// Spearman ρ between two of the table's error tables over the quantized pairs (16/16 left out): per layer and over
// every (layer, pair) entry. Empty when either table was not measured.
struct ProxyAgreement {
  std::vector<std::optional<double>> per_layer;
  std::optional<double> overall;
};
ProxyAgreement proxy_agreement(const SensitivityTable& table, const std::string& proxy, const std::string& reference);

// Per layer, the layer KL of the lowest-bit swapped pairs (e.g. K2V4 vs K4V2): keys are the sensitive side when
// lowering the keys costs more. Empty without the layer KL or a swapped pair.
struct SensitiveSide {
  PrecisionPair low_key, low_value;
  double kl_low_key = 0, kl_low_value = 0;
};
std::vector<SensitiveSide> sensitive_sides(const SensitivityTable& table);

// The proxy and its reason, the rank agreement of e_o and Fisher with the layer KL, and the sensitive side per layer.
std::string end_to_end_summary(const SensitivityTable& table);

}  // namespace kvt::profile
