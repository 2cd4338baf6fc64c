// profile_model on generated fixture models: wiring through the runtime's capture hook, provenance,
// determinism, and the table compatibility check.
#include "tests/calibration/profiler_test_util.h"  // first: Catch2 after ATen

#include <cmath>

#include "calibration/profiler/layer_profiler.h"
#include "calibration/profiler/profiler.h"
#include "calibration/profiler/summary.h"
#include "calibration/profiler/table_compat.h"
#include "lib/core/error.h"
#include "lib/model/model.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/scheme_registry.h"
#include "tests/support/fixture_model.h"
#include "tests/support/tolerance.h"

using namespace kvt;
using kvt::profile::ProfileOptions;

namespace {

ProfileOptions options_for(const std::string& scheme) {
  ProfileOptions o;
  o.scheme = quant::lookup_scheme(scheme);
  return o;
}

}  // namespace

TEST_CASE("profile_model fills a valid table with provenance", "[calibration][profiler]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("profiler_table"), test::profiler_fixture_spec(4));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({40, 70}, m.config().vocab_size, 9);
  SensitivityTable t = profile::profile_model(m, prompts, "calib123", options_for("kivi"));
  CHECK(t.tool_version == KVT_VERSION);
  CHECK(t.model_hash == m.hash());
  CHECK(t.model_path == dir);
  CHECK(t.calib_hash == "calib123");
  CHECK(t.scheme == "kivi");
  CHECK(t.scheme_params["key"]["axis"] == "per-channel");
  CHECK(t.scheme_params["prompt_len"] == "half");
  CHECK(t.prefill_mode == "prefill-fp");
  CHECK(t.num_layers == 3);
  CHECK(t.num_kv_heads == 2);
  CHECK(t.head_dim == 32);
  CHECK(t.num_prompts == 2);
  CHECK(t.num_tokens == 110);
  CHECK((t.pairs == default_candidate_pairs()));
  CHECK(t.kv_elements_per_token_per_layer == 128.0);
  CHECK_NOTHROW(t.validate("t"));
  // KIVI at 40 + 70 tokens: 32 + 64 tokens quantized, 8 + 6 residual. KV8 per tensor: codes 96·64 bytes,
  // 96·64/32 groups × 4 bytes, 14·64·2 residual bytes, over 110·64 elements.
  double kv8_bits = 8.0 * (96 * 64 + 96 * 64 / 32 * 4 + 14 * 64 * 2) / (110 * 64);
  CHECK(t.effective_bits[size_t(t.pair_index({8, 8}))] == Approx(kv8_bits));
  for (int l = 0; l < 3; ++l) {
    CHECK(t.e_o[l][t.pair_index({8, 8})] < t.e_o[l][t.pair_index({4, 4})]);
    CHECK(t.e_o[l][t.pair_index({4, 4})] < t.e_o[l][t.pair_index({2, 2})]);
    CHECK(t.e_o[l][t.pair_index({8, 8})] > 0);
  }
  std::string summary = profile::sensitivity_summary(t);
  CHECK_THAT(summary, Catch::Contains("Most sensitive layers (mean e_o over pairs)"));
  CHECK_THAT(summary, Catch::Contains("Keys vs values: K2V8"));
}

TEST_CASE("profile_model equals the layer profiler on independently captured q/k/v", "[calibration][profiler]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("profiler_capture"), test::profiler_fixture_spec(5));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({33, 50}, m.config().vocab_size, 2);
  ProfileOptions o = options_for("per-token-asym");
  o.pairs = {{8, 4}, {2, 2}};
  o.prefill = quant::PrefillMode::Quantized;
  o.prompt_length.tokens = 20;
  SensitivityTable t = profile::profile_model(m, prompts, "", o);

  std::vector<profile::LayerProfiler> layers;
  for (int l = 0; l < 3; ++l) layers.emplace_back(o.scheme, o.pairs, 2, 32, 0, o.chunk_rows);
  model::ForwardHooks hooks;
  hooks.skip_lm_head = true;
  hooks.on_capture = [&](const model::AttentionInputs& in, const at::Tensor& out) {
    // The runtime's own attention output is what 16/16 masked attention gives.
    at::Tensor fp = quant::quantized_attention(in.q, in.k, in.v, o.scheme, {16, 16}, {});
    // Both are fp32 with different blocking (chunked rows vs one matmul): rounding only (tests/support/tolerance.h).
    const double tolerance = test::fp32_attention_tolerance(in.q, in.k, in.v);
    CHECK((fp - out).abs().max().item<double>() <= tolerance);
    layers[size_t(in.layer)].add_prompt(in.q.clone(), in.k.clone(), in.v.clone(), {20, quant::PrefillMode::Quantized});
  };
  model::forward(m, prompts, {}, hooks);
  for (int l = 0; l < 3; ++l) {
    auto e = layers[size_t(l)].result();
    for (size_t p = 0; p < 2; ++p) {
      CHECK(t.e_o[size_t(l)][p] == e[p].e_o);
      CHECK(t.e_k[size_t(l)][p] == e[p].e_k);
      CHECK(t.e_a[size_t(l)][p] == e[p].e_a);
      CHECK(t.e_o_per_head[size_t(l)][p] == e[p].e_o_per_head);
    }
  }
}

TEST_CASE("profiling twice gives identical tables", "[calibration][profiler]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("profiler_repeat"), test::profiler_fixture_spec(6));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({45}, m.config().vocab_size, 3);
  ProfileOptions o = options_for("kivi");
  o.pairs = pairs_from_bits({2, 4});
  CHECK(to_json(profile::profile_model(m, prompts, "h", o)).dump() ==
        to_json(profile::profile_model(m, prompts, "h", o)).dump());
}

TEST_CASE("a table made for another model or scheme is rejected", "[calibration][profiler]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("profiler_compat"), test::profiler_fixture_spec(7));
  model::Model m = model::Model::open(dir);
  ProfileOptions o = options_for("per-token-asym");
  o.pairs = {{4, 4}};
  SensitivityTable t = profile::profile_model(m, test::random_prompts({16}, m.config().vocab_size, 1), "", o);
  CHECK_NOTHROW(profile::check_table_compatible(t, m.hash(), "per-token-asym", "t.json"));
  CHECK_THROWS_WITH(profile::check_table_compatible(t, "0123456789abcdef", "per-token-asym", "t.json"),
                    Catch::Contains("t.json") && Catch::Contains("not for this model"));
  CHECK_THROWS_WITH(profile::check_table_compatible(t, m.hash(), "kivi", "t.json"),
                    Catch::Contains("made with scheme 'per-token-asym'"));
  CHECK_THROWS_AS(profile::check_table_compatible(t, m.hash(), "nope", "t.json"), UnsupportedError);
  // A table read back from JSON keeps what the check needs.
  SensitivityTable back = sensitivity_table_from_json(to_json(t), "t.json");
  CHECK_NOTHROW(profile::check_table_compatible(back, m.hash(), quant::lookup_scheme("per-token-asym"), "t.json"));
  back.scheme_params["key"]["group_size"] = 16;
  CHECK_THROWS_WITH(profile::check_table_compatible(back, m.hash(), "per-token-asym", "t.json"),
                    Catch::Contains("differ"));
}

TEST_CASE("profile options are checked before the forward", "[calibration][profiler]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("profiler_options"), test::profiler_fixture_spec(8));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({16, 20}, m.config().vocab_size, 1);
  ProfileOptions o = options_for("per-token-asym");
  o.prompt_length.tokens = 20;
  CHECK_THROWS_WITH(profile::profile_model(m, prompts, "", o), Catch::Contains("--prompt-len 20"));
  o.prefill = quant::PrefillMode::Quantized;
  CHECK_NOTHROW(profile::validate_profile_options(m.config(), prompts, o));
  o.pairs = {};
  CHECK_THROWS_AS(profile::profile_model(m, prompts, "", o), InputError);
  ProfileOptions half;  // the default: half of each prompt is its prefill
  CHECK(half.prompt_length.prefill_tokens(41) == 20);
  CHECK(half.prompt_length.option_text() == "half");
  half.prompt_length.tokens = 30;
  CHECK(half.prompt_length.prefill_tokens(20) == 20);
  half.prompt_length.tokens = -1;
  half.prompt_length.fraction = 1.0;
  half.scheme = quant::lookup_scheme("per-token-asym");
  CHECK_THROWS_WITH(profile::validate_profile_options(m.config(), prompts, half), Catch::Contains("[0, 1)"));
  ProfileOptions kivi = options_for("kivi");
  test::FixtureSpec narrow = test::profiler_fixture_spec(8);
  narrow.head_dim = 16;
  narrow.hidden = 32;
  model::Model m16 = model::Model::open(test::write_fixture_model(test::fresh_test_dir("profiler_narrow"), narrow));
  CHECK_THROWS_WITH(profile::profile_model(m16, prompts, "", kivi), Catch::Contains("does not divide head_dim 16"));
}
