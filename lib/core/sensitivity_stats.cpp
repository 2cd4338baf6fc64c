#include "lib/core/sensitivity_stats.h"

#include <algorithm>
#include <numeric>

namespace kvt {

std::vector<PairStats> pair_stats(const std::vector<std::vector<double>>& errors) {
  std::vector<PairStats> out;
  if (errors.empty()) return out;
  out.resize(errors.front().size());
  for (size_t p = 0; p < out.size(); ++p) {
    PairStats& s = out[p];
    double sum = 0;
    for (size_t l = 0; l < errors.size(); ++l) {
      const double v = errors[l][p];
      sum += v;
      if (v < errors[size_t(s.min_layer)][p]) s.min_layer = int(l);
      if (v > errors[size_t(s.max_layer)][p]) s.max_layer = int(l);
    }
    s.mean = sum / double(errors.size());
    s.min = errors[size_t(s.min_layer)][p];
    s.max = errors[size_t(s.max_layer)][p];
  }
  return out;
}

std::vector<double> layer_means(const std::vector<std::vector<double>>& errors) {
  std::vector<double> means;
  for (const auto& row : errors)
    means.push_back(row.empty() ? 0.0 : std::accumulate(row.begin(), row.end(), 0.0) / double(row.size()));
  return means;
}

std::vector<int> layers_by_sensitivity(const std::vector<std::vector<double>>& errors) {
  const std::vector<double> means = layer_means(errors);
  std::vector<int> order(means.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return means[size_t(a)] > means[size_t(b)]; });
  return order;
}

}  // namespace kvt
