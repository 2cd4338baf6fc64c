#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include "lib/core/error.h"
#include "lib/quant/scheme_registry.h"

using namespace kvt::quant;

TEST_CASE("registered schemes carry the reference parameters", "[lib][quant]") {
  CHECK(scheme_names() == std::vector<std::string>{"per-token-asym", "kivi"});
  QuantScheme kivi = lookup_scheme("kivi");
  CHECK(kivi.key.axis == QuantAxis::PerChannel);
  CHECK(kivi.key.group_size == 32);
  CHECK(kivi.key.residual == 32);
  CHECK(kivi.value.axis == QuantAxis::PerToken);
  CHECK(kivi.value.group_size == 32);
  CHECK(kivi.value.effective_group_size(128) == 32);
  CHECK(kivi.key.flush_block_tokens() == 32);
  QuantScheme pt = lookup_scheme("per-token-asym");
  CHECK(pt.key.effective_group_size(128) == 128);
  CHECK(pt.value.flush_block_tokens() == 1);
  CHECK_FALSE(pt.key.symmetric);
}

TEST_CASE("an unknown scheme names the available ones", "[lib][quant]") {
  CHECK_THROWS_AS(lookup_scheme("per-channel-sym"), kvt::UnsupportedError);
  CHECK_THROWS_WITH(lookup_scheme("per-channel-sym"), Catch::Contains("per-token-asym") && Catch::Contains("kivi"));
}

TEST_CASE("scheme parameters round-trip through JSON", "[lib][quant]") {
  QuantScheme kivi = lookup_scheme("kivi");
  QuantScheme back = scheme_from_params("kivi", scheme_params_json(kivi), "t.json");
  CHECK(back.key == kivi.key);
  CHECK(back.value == kivi.value);
  QuantScheme custom = custom_scheme({QuantAxis::PerChannel, 16, 64, true}, {QuantAxis::PerToken, 8, 0, false});
  QuantScheme custom_back = scheme_from_params("custom", scheme_params_json(custom), "t.json");
  CHECK(custom_back.key == custom.key);
  CHECK(custom_back.value == custom.value);
  nlohmann::json tampered = scheme_params_json(kivi);
  tampered["key"]["group_size"] = 64;
  CHECK_THROWS_WITH(scheme_from_params("kivi", tampered, "t.json"),
                    Catch::Contains("t.json") && Catch::Contains("differ"));
  CHECK_THROWS_WITH(scheme_from_params("kivi", nlohmann::json::object(), "t.json"), Catch::Contains("\"key\""));
  tampered["key"]["axis"] = "diagonal";
  CHECK_THROWS_WITH(scheme_from_params("custom", tampered, "t.json"), Catch::Contains("diagonal"));
}
