// The end-to-end layer sensitivities (calibration/profiler/layer_kl.h): layer KL against `evaluate` of the same
// single-layer config, the 16-bit pair, the Fisher estimate against a finite-difference KL, and the proxy
// choice recorded in the table.
#include "tests/calibration/profiler_test_util.h"  // first: Catch2 after ATen

#include <c10/core/InferenceMode.h>

#include <cmath>

#include "calibration/profiler/layer_kl.h"
#include "calibration/profiler/profiler.h"
#include "lib/core/error.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/evaluator.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using kvt::profile::ProfileOptions;

namespace {

ProfileOptions kivi_options() {
  ProfileOptions o;
  o.scheme = quant::lookup_scheme("kivi");
  o.pairs = {{16, 16}, {8, 4}, {4, 2}, {2, 4}, {2, 2}};
  return o;
}

}  // namespace

TEST_CASE("layer KL: 16/16 is 0, and each entry equals evaluate of the config quantizing only that layer",
          "[calibration][layer_kl]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("layer_kl_eval"), test::profiler_fixture_spec(21));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({70, 90, 41}, m.config().vocab_size, 5);
  ProfileOptions o = kivi_options();
  const auto kl = profile::layer_kl(m, prompts, o);
  REQUIRE(kl.size() == 3);

  eval::EvalOptions e;
  e.scheme = o.scheme;
  e.prefill = o.prefill;
  e.prompt_length = o.prompt_length;
  e.batch_tokens = o.batch_tokens;
  for (int l = 0; l < 3; ++l) {
    CHECK(kl[size_t(l)][0] == 0.0);
    std::vector<eval::EvalConfig> configs;
    for (size_t p = 1; p < o.pairs.size(); ++p) {
      KvConfig c = eval::uniform_config({16, 16}, 3);
      c.layers[size_t(l)] = o.pairs[p];
      configs.push_back({"only", "searched", "", c});
    }
    eval::EvaluationResult r = eval::evaluate_configs(m, prompts, configs, e);
    for (size_t p = 1; p < o.pairs.size(); ++p) {
      INFO("layer " << l << " pair " << o.pairs[p].name());
      CHECK(kl[size_t(l)][p] > 0);
      // The same operations in the same order on the same batch: equal up to the last bits of the double sums.
      CHECK(kl[size_t(l)][p] == Approx(r.rows[p].mean_kl).epsilon(1e-12));
    }
  }
}

TEST_CASE("layer KL is the same in one batch or many", "[calibration][layer_kl]") {
  std::string dir =
      test::write_fixture_model(test::fresh_test_dir("layer_kl_batches"), test::profiler_fixture_spec(22));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({40, 50, 60}, m.config().vocab_size, 6);
  ProfileOptions o = kivi_options();
  const auto one = profile::layer_kl(m, prompts, o);
  o.batch_tokens = 50;
  const auto many = profile::layer_kl(m, prompts, o);
  for (size_t l = 0; l < one.size(); ++l)
    for (size_t p = 0; p < one[l].size(); ++p) {
      // fp32 forwards over different row counts may block the matmuls differently: rounding-level differences in
      // the logits (~1e-6 relative) change a KL of order 1e-3 by far less than 1 %.
      CHECK(many[l][p] == Approx(one[l][p]).epsilon(1e-2));
    }
}

TEST_CASE("the diagonal Fisher agrees with a finite-difference KL for a small perturbation",
          "[calibration][layer_kl]") {
  test::FixtureSpec spec = test::profiler_fixture_spec(23);
  spec.layers = 2;
  spec.vocab = 37;
  std::string dir = test::write_fixture_model(test::fresh_test_dir("layer_kl_fisher"), spec);
  model::Model m = model::Model::open(dir);
  const int64_t T = 12, P = 6;
  const auto prompt = test::random_prompts({int(T)}, m.config().vocab_size, 7)[0];
  ProfileOptions o = kivi_options();
  o.forward.dtype = at::kDouble;  // no rounding noise in the finite difference
  o.prompt_length.tokens = P;
  const int layer = 0;
  const int64_t row = P - 2, coord = 5;  // an attention output that every scored position sees

  // Monte-Carlo Fisher: S copies of the prompt, each with its own label draw.
  const int S = 1000;
  std::vector<std::vector<int64_t>> copies(S, prompt);
  const auto g2 = profile::attention_output_squared_gradients(m, copies, o, 11);
  at::Tensor samples = g2[layer].view({S, T, -1}).select(1, row).select(1, coord);  // [S]
  const double f = samples.mean().item<double>();
  const double se = samples.std().item<double>() / std::sqrt(double(S));
  REQUIRE(f > 0);

  // Finite difference: KL(P_fp ‖ P with a_{layer}[row, coord] += ε), summed over the scored positions.
  const double eps = 1e-3;
  std::vector<std::vector<int64_t>> one = {prompt};
  eval::ReferenceLogits reference;
  double kl = 0;
  {
    c10::InferenceMode guard;
    model::PackedForward packed(m, one, o.forward);
    auto run = [&](const model::ForwardHooks& hooks) {
      at::Tensor x = packed.embed();
      for (int l = 0; l < m.config().num_layers; ++l) x = packed.layer(l, packed.weights(l), x, hooks);
      return packed.logits(x, 0);
    };
    reference = eval::make_reference(run({}), prompt, eval::scored_span(T, P));
    model::ForwardHooks perturbed;
    perturbed.on_attention_rows = [&](int l, const at::Tensor& rows) {
      if (l != layer) return rows;
      at::Tensor out = rows.clone();
      out[row][coord] += eps;
      return out;
    };
    kl = eval::compare_with_reference(run(perturbed), reference).kl_sum;
  }
  // ½ F ε² (second order); the third-order term is O(ε) relative (1e-3 here), the Monte-Carlo error 4 standard
  // errors of the mean of S independent draws.
  const double predicted = 0.5 * f * eps * eps;
  const double tolerance = 0.5 * 4.0 * se * eps * eps + 1e-2 * kl;
  INFO("fisher " << f << " ± " << se << ", predicted KL " << predicted << ", finite-difference KL " << kl);
  CHECK(std::abs(predicted - kl) <= tolerance);
  CHECK(se < 0.1 * f);  // the check above is tight enough to mean something
}

TEST_CASE("profile --proxy: measured tables, the choice and its reason", "[calibration][layer_kl]") {
  std::string dir = test::write_fixture_model(test::fresh_test_dir("layer_kl_proxy"), test::profiler_fixture_spec(24));
  model::Model m = model::Model::open(dir);
  auto prompts = test::random_prompts({64, 64}, m.config().vocab_size, 8);
  ProfileOptions o = kivi_options();
  o.proxy = "eo";
  SensitivityTable eo = profile::profile_model(m, prompts, "h", o);
  CHECK(eo.proxy == "eo");
  CHECK(eo.kl.empty());
  CHECK(eo.fisher.empty());
  o.proxy = "auto";
  SensitivityTable automatic = profile::profile_model(m, prompts, "h", o);
  CHECK(automatic.proxy == "kl");  // a fixture model fits any budget of minutes
  CHECK_THAT(automatic.proxy_reason, Catch::Contains("fits"));
  CHECK(automatic.kl.size() == 3);
  CHECK(automatic.fisher.size() == 3);
  CHECK(automatic.e_o == eo.e_o);
  o.proxy_budget_minutes = 0;
  SensitivityTable cheap = profile::profile_model(m, prompts, "h", o);
  CHECK(cheap.proxy == "fisher");
  CHECK(cheap.kl.empty());
  CHECK(cheap.fisher == automatic.fisher);  // same seed, same draws
  o.proxy = "banana";
  CHECK_THROWS_WITH(profile::profile_model(m, prompts, "h", o), Catch::Contains("--proxy: unknown proxy 'banana'"));
  o.proxy = "kl";
  o.kl_tokens = 0;
  CHECK_THROWS_WITH(profile::profile_model(m, prompts, "h", o), Catch::Contains("--kl-tokens"));
}

TEST_CASE("leading_prompts keeps whole prompts up to the token cap, at least one", "[calibration][layer_kl]") {
  std::vector<std::vector<int64_t>> p = {{1, 2, 3}, {4, 5}, {6, 7, 8, 9}};
  CHECK(profile::leading_prompts(p, 1).size() == 1);
  CHECK(profile::leading_prompts(p, 5).size() == 2);
  CHECK(profile::leading_prompts(p, 8).size() == 2);
  CHECK(profile::leading_prompts(p, 9).size() == 3);
  CHECK(profile::layer_kl_forward_passes(6, {{16, 16}, {4, 2}, {2, 2}}) == Approx(1 + 2 * 3.5));
}
