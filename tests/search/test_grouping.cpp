// Inter-layer grouping: partition by candidate set, DBSCAN inside each part, partition validation.
#include <catch2/catch.hpp>

#include "lib/core/error.h"
#include "search/grouping.h"
#include "tests/search/synthetic_table.h"

using namespace kvt;
using namespace kvt::search;

namespace {

// Layer 0 prefers K4V8 over K8V4 (its own candidate set); layers 1, 2, 5 have Table-3 errors scaled by
// 1.00, 1.01, 1.02 (5-D distances ≈ 0.011, within eps 0.05); layers 3, 4 are scaled by 1.5 and 1.51;
// layer 6 by 0.5 (≥ 0.5 away from everyone: DBSCAN noise → a singleton group).
SensitivityTable constructed_table() {
  SensitivityTable t;
  t.num_layers = 7;
  t.pairs = default_candidate_pairs();
  std::vector<double> base = test::table3_errors_in_default_order();
  for (double factor : {1.0, 1.0, 1.01, 1.5, 1.51, 1.02, 0.5}) {
    std::vector<double> row;
    for (double b : base) row.push_back(b * factor);
    t.e_o.push_back(row);
  }
  int k4v8 = t.pair_index({4, 8});
  t.e_o[0][k4v8] = 0.09;  // below K8V4's 0.100 at the same 6 bits
  return t;
}

std::vector<double> nominal_costs(const SensitivityTable& t) {
  std::vector<double> c;
  for (const auto& p : t.pairs) c.push_back(p.mean_bits());
  return c;
}

std::vector<std::vector<int>> layers_of(const LayerGroups& groups) {
  std::vector<std::vector<int>> out;
  for (const auto& g : groups.groups) out.push_back(g.layers);
  return out;
}

}  // namespace

TEST_CASE("Grouping matches hand-computed clusters", "[search]") {
  SensitivityTable t = constructed_table();
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  REQUIRE(sets.per_layer[0] != sets.per_layer[1]);
  CHECK(t.pairs[sets.per_layer[0][1]].name() == "K4V8");
  LayerGroups groups = group_layers(t, sets, {});
  CHECK(layers_of(groups) == std::vector<std::vector<int>>{{0}, {1, 2, 5}, {3, 4}, {6}});
  for (const auto& g : groups.groups) CHECK(g.candidates == sets.per_layer[g.layers.front()]);

  // A large eps merges the two scaled clusters but never crosses candidate sets; layer 0 stays alone.
  GroupOptions wide;
  wide.eps = 10;
  CHECK(layers_of(group_layers(t, sets, wide)) == std::vector<std::vector<int>>{{0}, {1, 2, 3, 4, 5, 6}});

  GroupOptions off;
  off.enabled = false;
  CHECK(group_layers(t, sets, off).groups.size() == 7);
}

TEST_CASE("Explicit groups are parsed and validated", "[search]") {
  SensitivityTable t = constructed_table();
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  GroupOptions given;
  given.explicit_groups = "0; 3,4; 1-2,5; 6";
  CHECK(layers_of(group_layers(t, sets, given)) == std::vector<std::vector<int>>{{0}, {1, 2, 5}, {3, 4}, {6}});

  auto parse = [&](const std::string& text) { return parse_layer_groups(text, sets, 7); };
  REQUIRE_THROWS_WITH(parse("0;1-2,5;3,4;4,6"), Catch::Contains("layer 4 is in group 2 and in group 3"));
  REQUIRE_THROWS_WITH(parse("0;1-2,5;3,4"), Catch::Contains("layer 6 is in no group"));
  REQUIRE_THROWS_WITH(parse("0,1;2,5;3,4;6"), Catch::Contains("layer 1 in group 0 has a different candidate set"));
  REQUIRE_THROWS_WITH(parse("0;1-9"), Catch::Contains("layer 9 is out of range"));
  REQUIRE_THROWS_WITH(parse("0;x"), Catch::Contains("'x' is not a layer number"));
  REQUIRE_THROWS_WITH(parse("0;;1-6"), Catch::Contains("a group is empty"));
  REQUIRE_THROWS_WITH(parse("0;6-1"), Catch::Contains("descending"));
  REQUIRE_THROWS_AS(parse("0;1-2,5;3,4;4,6"), InputError);
}

TEST_CASE("Partition validation names the offending layer", "[search]") {
  SensitivityTable t = constructed_table();
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  const auto& standard = sets.per_layer[1];
  LayerGroups groups{{{{0}, sets.per_layer[0]}, {{1, 2, 3, 4, 5, 6, 7}, standard}}};
  REQUIRE_THROWS_WITH(validate_layer_groups(groups, sets, 7, "groups.txt"),
                      Catch::Contains("groups.txt: layer 7 in group 1 is out of range"));
  groups.groups[1].layers.pop_back();
  CHECK_NOTHROW(validate_layer_groups(groups, sets, 7, "groups.txt"));
  groups.groups.push_back({{}, standard});
  REQUIRE_THROWS_WITH(validate_layer_groups(groups, sets, 7, "groups.txt"), Catch::Contains("group 2 has no layers"));
}

TEST_CASE("Grouping rejects bad options", "[search]") {
  SensitivityTable t = constructed_table();
  CandidateSets sets = prune_pairs(t, nominal_costs(t), {});
  GroupOptions bad;
  bad.eps = 0;
  REQUIRE_THROWS_WITH(group_layers(t, sets, bad), Catch::Contains("--eps"));
  bad.eps = 0.05;
  bad.min_samples = 0;
  REQUIRE_THROWS_WITH(group_layers(t, sets, bad), Catch::Contains("--min-samples"));
}

TEST_CASE("Layer lists print as ranges", "[search]") {
  CHECK(format_layer_list({0, 1, 2, 3, 7, 9, 10}) == "0-3,7,9-10");
  CHECK(format_layer_list({5}) == "5");
  CHECK(format_layer_list({}).empty());
}
