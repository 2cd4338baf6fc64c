// Front utilities: non-dominated filter, hypervolume ratio (hand-computed areas) and knee (hand-computed).
#include <catch2/catch.hpp>

#include "search/pareto_front.h"

using namespace kvt::search;

namespace {
ParetoFront points(const std::vector<std::pair<double, double>>& xy) {
  ParetoFront f;
  for (const auto& [m, e] : xy) f.push_back({{}, {}, m, e});
  return f;
}
}  // namespace

TEST_CASE("Non-dominated filter keeps the staircase", "[search]") {
  ParetoFront f = nondominated(points({{4, 5}, {2, 10}, {3, 10}, {6, 0}, {4, 5}, {5, 6}, {2, 11}}));
  REQUIRE(f.size() == 3);
  CHECK(f[0].memory == 2);
  CHECK(f[0].error == 10);
  CHECK(f[1].memory == 4);
  CHECK(f[2].memory == 6);
  CHECK(truncate_front(f, 4.0).size() == 2);
}

TEST_CASE("Hypervolume ratio matches hand-computed areas", "[search]") {
  // Reference (2,10),(4,5),(6,0) normalizes to (0,1),(0.5,0.5),(1,0); with reference point (1.1,1.1) its area is
  // 0.5·0.1 + 0.5·0.6 + 0.1·1.1 = 0.46. Without the first point: 0.5·0.6 + 0.1·1.1 = 0.41.
  ParetoFront exact = points({{2, 10}, {4, 5}, {6, 0}});
  HypervolumeReport same = hypervolume_ratio(exact, exact);
  CHECK(same.reference == Approx(0.46));
  CHECK(same.ratio == Approx(1.0));
  HypervolumeReport partial = hypervolume_ratio(points({{4, 5}, {6, 0}}), exact);
  CHECK(partial.searched == Approx(0.41));
  CHECK(partial.ratio == Approx(0.41 / 0.46));
  // A worse point (4, 7) → normalized (0.5, 0.7): 0.5·0.4 + 0.1·1.1 = 0.31 with (6,0).
  CHECK(hypervolume_ratio(points({{4, 7}, {6, 0}}), exact).searched == Approx(0.31));
  // Points outside the reference box add nothing; an empty front scores 0.
  CHECK(hypervolume_ratio(points({{8, 20}}), exact).ratio == 0);
  CHECK(hypervolume_ratio({}, exact).ratio == 0);
}

TEST_CASE("Knee is the point farthest from the chord", "[search]") {
  // Normalized: (0,1), (0.25,0.3), (0.75,0.1), (1,0); distances to x+y=1: 0, 0.318, 0.106, 0.
  CHECK(knee_index(points({{2, 10}, {3, 3}, {5, 1}, {6, 0}})) == 1);
  CHECK(knee_index(points({{2, 10}, {6, 0}})) == 0);
  CHECK(knee_index({}) == -1);
}
