// DBSCAN (Ester et al. 1996) with scikit-learn's conventions, used for inter-layer grouping
// (KVTuner §5.3: eps = 0.05, min_samples = 2). None of the allowed libraries ships DBSCAN, so it lives here.
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace kvt::search {

// Clusters the rows of `points` ([n_points, n_features]) by Euclidean distance.
// Conventions (as sklearn.cluster.DBSCAN): a point's neighbourhood includes itself and every point at
// distance <= eps; a point is a core point when its neighbourhood holds >= min_samples points; clusters are
// numbered 0, 1, ... in the order of their lowest-index core point; a border point reachable from several
// clusters joins the lowest-numbered one; label -1 marks noise.
// @throws InternalError when eps <= 0 or min_samples < 1 (callers validate user options first).
std::vector<int> dbscan(const Eigen::MatrixXd& points, double eps, int min_samples);

}  // namespace kvt::search
