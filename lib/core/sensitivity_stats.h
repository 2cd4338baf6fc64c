// The one summary of a sensitivity matrix (e_o, layer KL or Fisher; [layer][pair]) that every report prints:
// per-pair statistics over layers (the paper's Table 3 averages) and the layers ranked from most to least
// sensitive. The profiler's console summary and the search's report.md both call these.
#pragma once
#include <vector>

namespace kvt {

struct PairStats {
  double mean = 0, min = 0, max = 0;  // over layers
  int min_layer = 0, max_layer = 0;   // the first layer holding the min / max
};

// [pair]. An empty matrix gives an empty result; rows must all have the same length.
std::vector<PairStats> pair_stats(const std::vector<std::vector<double>>& errors);

// Each layer's mean error over all pairs, [layer].
std::vector<double> layer_means(const std::vector<std::vector<double>>& errors);

// Layer indices from the highest to the lowest mean error over pairs; ties keep layer order (stable).
std::vector<int> layers_by_sensitivity(const std::vector<std::vector<double>>& errors);

}  // namespace kvt
