// One-screen text summary of a sensitivity table: per-pair errors over layers, the most and least sensitive
// layers, and key vs value sensitivity.
#pragma once
#include <string>

#include "lib/core/sensitivity_table.h"

namespace kvt::profile {

// Layers are ranked by e_o at the pair with the fewest bits (ties: fewer key bits). Key vs value compares
// K<lo>V<hi> with K<hi>V<lo> (lowest and highest widths among the pairs) when both are present.
std::string sensitivity_summary(const SensitivityTable& table, int layers_listed = 3);

}  // namespace kvt::profile
