// PrecisionPair names, parsing and the pair lists (lib/core/precision.h), against hand-written cases.
#include "lib/core/precision.h"

#include <catch2/catch.hpp>

#include "lib/core/error.h"

using namespace kvt;

TEST_CASE("precision pairs: KVTuner names, f_m contribution and the official list order", "[core]") {
  CHECK(PrecisionPair{8, 8}.name() == "KV8");
  CHECK(PrecisionPair{8, 4}.name() == "K8V4");
  CHECK(PrecisionPair{4, 2}.mean_bits() == 3.0);
  CHECK(PrecisionPair{16, 16}.is_full_precision());
  // Decreasing total bits, then decreasing key bits: K8V4 (12) before K4V8 (12) before KV4 (8).
  CHECK(PrecisionPair{8, 4} < PrecisionPair{4, 8});
  CHECK(PrecisionPair{4, 8} < PrecisionPair{4, 4});
}

TEST_CASE("precision pairs: every accepted spelling, and the errors", "[core]") {
  CHECK(parse_precision_pair("KV8") == PrecisionPair{8, 8});
  CHECK(parse_precision_pair("k8v4") == PrecisionPair{8, 4});
  CHECK(parse_precision_pair(" 4,2 ") == PrecisionPair{4, 2});
  CHECK(parse_precision_pair("2:16") == PrecisionPair{2, 16});
  CHECK_THROWS_WITH(parse_precision_pair("KV9"), Catch::Contains("[kvt.input.102]") && Catch::Contains("'KV9'"));
  CHECK_THROWS_WITH(parse_precision_pair("K8"), Catch::Contains("[kvt.input.101]"));
  CHECK_THROWS_WITH(parse_precision_pair("banana"), Catch::Contains("[kvt.input.101]"));
  CHECK_THROWS_WITH(parse_pair_list(""), Catch::Contains("[kvt.input.103]"));
  CHECK_THROWS_WITH(pairs_from_bits({}), Catch::Contains("[kvt.input.103]"));
  CHECK_THROWS_WITH(pairs_from_bits({4, 9}), Catch::Contains("[kvt.input.102]") && Catch::Contains("9"));
}

TEST_CASE("pair lists: sorted and unique, the default candidates and the uniform references", "[core]") {
  CHECK(pair_list_text(parse_pair_list("KV2,KV8,K8V4,KV8")) == "KV8,K8V4,KV2");
  CHECK(pair_list_text(pairs_from_bits({4, 2})) == "KV4,K4V2,K2V4,KV2");
  CHECK(default_candidate_pairs().size() == 9);
  CHECK(pair_list_text(default_candidate_pairs()) == "KV8,K8V4,K4V8,K8V2,K2V8,KV4,K4V2,K2V4,KV2");
  CHECK(pair_list_text(uniform_reference_pairs()) == "KV8,K8V4,KV4,K4V2,KV2");
}
