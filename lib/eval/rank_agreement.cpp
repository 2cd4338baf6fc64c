#include "lib/eval/rank_agreement.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lib/core/error.h"

namespace kvt::eval {

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (double(i) + double(j)) / 2.0 + 1.0;  // positions i..j share their mean rank
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

std::optional<double> spearman(const std::vector<double>& a, const std::vector<double>& b) {
  KVT_ASSERT(a.size() == b.size(), "spearman: the two score lists differ in length");
  const size_t n = a.size();
  if (n < 2) return std::nullopt;
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  const double mean = (double(n) + 1.0) / 2.0;  // the mean of average ranks is always (n + 1) / 2
  double cov = 0, var_a = 0, var_b = 0;
  for (size_t i = 0; i < n; ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    var_a += (ra[i] - mean) * (ra[i] - mean);
    var_b += (rb[i] - mean) * (rb[i] - mean);
  }
  if (var_a == 0 || var_b == 0) return std::nullopt;
  return cov / std::sqrt(var_a * var_b);
}

}  // namespace kvt::eval
