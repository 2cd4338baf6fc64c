// DBSCAN against clusters worked out by hand (scikit-learn conventions: distance <= eps, the point counts in
// its own neighbourhood, clusters numbered by their first core point, border points to the first cluster).
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "search/dbscan.h"

using kvt::search::dbscan;

namespace {
Eigen::MatrixXd column(const std::vector<double>& xs) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(xs.size()), 1);
  for (size_t i = 0; i < xs.size(); ++i) m(static_cast<Eigen::Index>(i), 0) = xs[i];
  return m;
}
}  // namespace

TEST_CASE("DBSCAN chains, separates and marks noise", "[search]") {
  // eps 0.05, min_samples 2. 0.00-0.03-0.06 chain (gaps 0.03) → cluster 0 although 0.00↔0.06 is 0.06 > eps;
  // 0.50-0.52 → cluster 1; 1.00 is alone → noise; 0.30 comes before the {0.5, 0.52} cluster in index order
  // but is noise, so it does not take a cluster number.
  auto labels = dbscan(column({0.00, 0.03, 0.30, 0.50, 0.06, 0.52, 1.00}), 0.05, 2);
  CHECK(labels == std::vector<int>{0, 0, -1, 1, 0, 1, -1});
}

TEST_CASE("DBSCAN border points join the first cluster that reaches them", "[search]") {
  // a = {0.00, 0.01, 0.02}, b = 0.06, c = {0.10, 0.11, 0.12}, eps 0.045. Within eps: the a's among
  // themselves, a2-b (0.04), b-c0 (0.04), the c's among themselves; a1-b and b-c1 are 0.05 apart.
  // Neighbourhood sizes (self included): a0 3, a1 3, a2 4, b 3, c0 4, c1 3, c2 3.
  // min_samples 3: every point is core and b links a and c into one cluster.
  auto linked = dbscan(column({0.00, 0.01, 0.02, 0.06, 0.10, 0.11, 0.12}), 0.045, 3);
  CHECK(linked == std::vector<int>{0, 0, 0, 0, 0, 0, 0});
  // min_samples 4: only a2 and c0 are core. a2 (index 2) is the first core point: cluster 0 takes a0, a1
  // and the border point b; c0 then starts cluster 1 with c1, c2, and b stays in cluster 0.
  auto split = dbscan(column({0.00, 0.01, 0.02, 0.06, 0.10, 0.11, 0.12}), 0.045, 4);
  CHECK(split == std::vector<int>{0, 0, 0, 0, 1, 1, 1});
}

TEST_CASE("DBSCAN uses Euclidean distance in several dimensions", "[search]") {
  // (0,0) and (0.03,0.03): distance 0.0424 <= 0.05 → one cluster. (0.2, 0) and (0.2, 0.06): 0.06 → apart.
  Eigen::MatrixXd points(4, 2);
  points << 0.0, 0.0, 0.03, 0.03, 0.2, 0.0, 0.2, 0.06;
  CHECK(dbscan(points, 0.05, 2) == std::vector<int>{0, 0, -1, -1});
  // min_samples 1: every point is a core point, isolated ones are singleton clusters.
  CHECK(dbscan(points, 0.05, 1) == std::vector<int>{0, 0, 1, 2});
}

TEST_CASE("DBSCAN rejects invalid parameters as a bug", "[search]") {
  CHECK_THROWS_AS(dbscan(column({0.0}), 0.0, 2), kvt::InternalError);
  CHECK_THROWS_AS(dbscan(column({0.0}), 0.05, 0), kvt::InternalError);
  CHECK(dbscan(column({}), 0.05, 2).empty());
}
