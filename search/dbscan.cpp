#include "search/dbscan.h"

#include "lib/core/error.h"

namespace kvt::search {

std::vector<int> dbscan(const Eigen::MatrixXd& points, double eps, int min_samples) {
  KVT_ASSERT(eps > 0, "dbscan: eps must be > 0");
  KVT_ASSERT(min_samples >= 1, "dbscan: min_samples must be >= 1");
  const Eigen::Index n = points.rows();
  // Layer counts are small (<= a few hundred), so the full neighbourhood lists are cheap.
  std::vector<std::vector<Eigen::Index>> neighbours(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      if ((points.row(i) - points.row(j)).norm() <= eps) neighbours[i].push_back(j);

  std::vector<bool> is_core(static_cast<size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) is_core[i] = static_cast<int>(neighbours[i].size()) >= min_samples;

  std::vector<int> labels(static_cast<size_t>(n), -1);
  int next_label = 0;
  for (Eigen::Index seed = 0; seed < n; ++seed) {
    if (labels[seed] != -1 || !is_core[seed]) continue;
    // Expand the cluster from `seed`: cores spread it, border points only join it.
    std::vector<Eigen::Index> stack{seed};
    labels[seed] = next_label;
    while (!stack.empty()) {
      Eigen::Index p = stack.back();
      stack.pop_back();
      if (!is_core[p]) continue;
      for (Eigen::Index q : neighbours[p]) {
        if (labels[q] != -1) continue;
        labels[q] = next_label;
        stack.push_back(q);
      }
    }
    ++next_label;
  }
  return labels;
}

}  // namespace kvt::search
