// The one sensitivity summary (lib/core/sensitivity_stats.h) on a hand-computed 3-layer × 2-pair matrix.
#include <catch2/catch.hpp>

#include "lib/core/sensitivity_stats.h"

TEST_CASE("pair statistics and the layer ranking of a small matrix", "[core]") {
  // [layer][pair]: layer means 0.25, 0.55, 0.25 → ranking 1, then 0 and 2 in layer order (a tie).
  const std::vector<std::vector<double>> e = {{0.1, 0.4}, {0.3, 0.8}, {0.2, 0.3}};
  auto stats = kvt::pair_stats(e);
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].mean == Approx(0.2));
  CHECK(stats[0].min == 0.1);
  CHECK(stats[0].min_layer == 0);
  CHECK(stats[0].max == 0.3);
  CHECK(stats[0].max_layer == 1);
  CHECK(stats[1].mean == Approx(0.5));
  CHECK(stats[1].min_layer == 2);
  CHECK(stats[1].max_layer == 1);
  auto means = kvt::layer_means(e);
  REQUIRE(means.size() == 3);
  CHECK(means[1] == Approx(0.55));
  CHECK(kvt::layers_by_sensitivity(e) == std::vector<int>{1, 0, 2});
  CHECK(kvt::pair_stats({}).empty());
  // Equal values keep the first layer for min and max.
  auto flat = kvt::pair_stats({{1.0}, {1.0}});
  CHECK(flat[0].min_layer == 0);
  CHECK(flat[0].max_layer == 0);
}
