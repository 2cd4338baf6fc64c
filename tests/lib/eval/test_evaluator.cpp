// End-to-end evaluation (lib/eval/evaluator.h) on generated fixture models.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "lib/core/error.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/evaluator.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using namespace kvt::eval;

namespace {

struct Fixture {
  model::Model model;
  std::vector<std::vector<int64_t>> sequences;
};

Fixture make_fixture(const std::string& name, int layers = 3) {
  test::FixtureSpec spec;
  spec.layers = layers;
  spec.attention_scale = 0.5;
  auto model = model::Model::open(test::write_fixture_model(test::fresh_test_dir(name), spec));
  return {std::move(model), test::random_prompts({24, 31, 40, 17}, spec.vocab, 5)};
}

EvalOptions per_token_options() {
  EvalOptions o;
  o.scheme = quant::lookup_scheme("per-token-asym");
  return o;
}

EvalConfig named(const std::string& name, const KvConfig& config) { return {name, "searched", "", config}; }

}  // namespace

TEST_CASE("a 16-bit config reproduces full-precision perplexity exactly", "[lib][eval]") {
  Fixture f = make_fixture("eval_fp16");
  EvalOptions options = per_token_options();
  auto result = evaluate_configs(f.model, f.sequences, {named("all16", uniform_config({16, 16}, 3))}, options);
  REQUIRE(result.rows.size() == 2);
  const ConfigResult &fp = result.rows[0], &same = result.rows[1];
  CHECK(fp.kind == "full-precision");
  CHECK(same.perplexity == fp.perplexity);  // bit for bit
  CHECK(same.mean_kl == 0.0);
  CHECK(same.top1_agreement == 1.0);
  CHECK(same.effective_bits == 16.0);

  // Independent reference: the runtime's token_logprobs over the same continuation tokens.
  auto logprobs = model::token_logprobs(f.model, f.sequences, options.forward);
  double nll = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < f.sequences.size(); ++i) {
    int64_t first = std::max<int64_t>(int64_t(f.sequences[i].size()) / 2, 1);
    for (size_t t = size_t(first); t < f.sequences[i].size(); ++t, ++tokens) nll -= logprobs[i][t - 1];
  }
  CHECK(fp.tokens == tokens);
  CHECK(result.scored_tokens == tokens);
  CHECK(fp.perplexity == Approx(std::exp(nll / double(tokens))).epsilon(1e-12));
}

TEST_CASE("quantized configs: KL > 0, lower bits lose more, batching changes results only by float rounding",
          "[lib][eval]") {
  Fixture f = make_fixture("eval_kl");
  EvalOptions options = per_token_options();
  std::vector<EvalConfig> configs = {named("KV8", uniform_config({8, 8}, 3)), named("KV2", uniform_config({2, 2}, 3))};
  auto result = evaluate_configs(f.model, f.sequences, configs, options);
  const ConfigResult &kv8 = result.rows[1], &kv2 = result.rows[2];
  CHECK(kv8.mean_kl > 0.0);
  CHECK(kv2.mean_kl > 10 * kv8.mean_kl);
  CHECK(kv2.top1_agreement < kv8.top1_agreement);
  CHECK(kv2.kl_stderr > 0.0);
  CHECK(kv8.perplexity != result.rows[0].perplexity);

  options.batch_tokens = 1;  // one sequence per forward: other GEMM shapes, so fp32 rounding differs
  auto small = evaluate_configs(f.model, f.sequences, configs, options);
  // fp32 logits from other GEMM blockings differ by a few u·|logit| (u = 2^-24, |logit| ≲ 10: ~1e-6 absolute), so
  // the mean NLL moves by ~1e-6 and perplexity by ~1e-6 relative (bound 1e-5); KL is a difference of nearby log-
  // probabilities, so that noise is relative to the KL itself: ~1e-6 / Δlogit ≲ 1e-3 relative at KV8's Δ ~ 1e-3.
  for (size_t r = 0; r < result.rows.size(); ++r) {
    CHECK(small.rows[r].perplexity == Approx(result.rows[r].perplexity).epsilon(1e-5));
    CHECK(small.rows[r].mean_kl == Approx(result.rows[r].mean_kl).epsilon(1e-3).margin(1e-12));
  }
  // Same inputs, same numbers.
  auto again = evaluate_configs(f.model, f.sequences, configs, per_token_options());
  for (size_t r = 0; r < result.rows.size(); ++r) CHECK(again.rows[r].mean_kl == result.rows[r].mean_kl);
}

TEST_CASE("a config quantizing only layer k changes nothing before layer k (capture hook)", "[lib][eval]") {
  Fixture f = make_fixture("eval_layer_k", 4);
  const auto scheme = quant::lookup_scheme("per-token-asym");
  const model::ModelConfig& mc = f.model.config();
  auto capture = [&](const KvConfig* config) {
    std::map<std::pair<int, int>, at::Tensor> outputs;  // (layer, prompt) → attention output
    model::ForwardHooks hooks;
    if (config)
      hooks.attention = [&](const model::AttentionInputs& in) {
        quant::DecodeState state{int64_t(f.sequences[size_t(in.prompt)].size()) / 2, quant::PrefillMode::Quantized};
        return config_attention(in.q, in.k, in.v, *config, in.layer, scheme, state, mc.sliding_window);
      };
    hooks.on_capture = [&](const model::AttentionInputs& in, const at::Tensor& out) {
      outputs[{in.layer, in.prompt}] = out.clone();
    };
    hooks.skip_lm_head = true;
    model::forward(f.model, f.sequences, {}, hooks);
    return outputs;
  };
  auto reference = capture(nullptr);
  for (int k : {1, 2}) {
    KvConfig only_k = uniform_config({16, 16}, mc.num_layers);
    only_k.layers[size_t(k)] = {2, 2};
    auto quantized = capture(&only_k);
    for (int l = 0; l < mc.num_layers; ++l)
      for (int p = 0; p < int(f.sequences.size()); ++p) {
        bool same = at::equal(reference[{l, p}], quantized[{l, p}]);
        INFO("k " << k << " layer " << l << " prompt " << p);
        CHECK(same == (l < k));
      }
  }
}

TEST_CASE("effective bits follow the storage accounting by hand", "[lib][eval]") {
  model::ModelConfig mc = test::fixture_config({});  // 2 layers, 2 KV heads, head_dim 16
  const auto per_token = quant::lookup_scheme("per-token-asym");
  // Per-token groups of 16 channels: b code bits + (16-bit scale + 16-bit zero) / 16 elements = b + 2.
  CHECK(cache_storage(uniform_config({4, 4}, 2), per_token, mc, 50).effective_bits() == Approx(6.0));
  CHECK(cache_storage(uniform_config({8, 4}, 2), per_token, mc, 50).effective_bits() == Approx(8.0));
  KvConfig mixed;
  mixed.layers = {{8, 8}, {2, 2}};
  auto mixed_storage = cache_storage(mixed, per_token, mc, 50);
  CHECK(mixed_storage.effective_bits() == Approx((10.0 + 4.0) / 2));
  CHECK(mixed_storage.nominal_bits() == Approx(5.0));

  // KIVI on head_dim 32 with 70 tokens: keys per-channel (32-token groups, residual 32) quantize 64 tokens,
  // values per-token (32-channel groups, residual 32) too; 6 tokens stay at 16 bits.
  mc.head_dim = 32;
  const auto kivi = quant::lookup_scheme("kivi");
  const double per_head = 70.0 * 32;  // elements per head per tensor
  const double key_bytes = 64 * 32 * 4 / 8.0 + (64.0 / 32 * 32) * 2 * 2 + 6 * 32 * 2;
  const double value_bytes = 64 * 32 * 4 / 8.0 + (64.0 * 32 / 32) * 2 * 2 + 6 * 32 * 2;
  CHECK(cache_storage(uniform_config({4, 4}, 2), kivi, mc, 70).effective_bits() ==
        Approx(8 * (key_bytes + value_bytes) / (2 * per_head)));

  // Per-head: KV head 0 at KV8, head 1 at KV2 → the mean of 10 and 4 bits.
  KvConfig heads;
  mc.head_dim = 16;
  heads.heads = {{{8, 8}, {2, 2}}, {{8, 8}, {2, 2}}};
  CHECK(cache_storage(heads, per_token, mc, 9).effective_bits() == Approx(7.0));
}

TEST_CASE("per-head configs: equal heads match the per-layer config, mismatched shapes are errors", "[lib][eval]") {
  Fixture f = make_fixture("eval_per_head", 2);
  KvConfig per_layer = uniform_config({4, 2}, 2), per_head;
  per_head.heads = {{{4, 2}, {4, 2}}, {{4, 2}, {4, 2}}};
  KvConfig mixed;
  mixed.heads = {{{8, 8}, {2, 2}}, {{16, 16}, {4, 4}}};
  auto result = evaluate_configs(f.model, f.sequences,
                                 {named("layer", per_layer), named("head", per_head), named("mixed", mixed)},
                                 per_token_options());
  CHECK(result.rows[1].mean_kl == result.rows[2].mean_kl);
  CHECK(result.rows[3].mean_kl > 0.0);
  CHECK(result.rows[3].mean_kl != result.rows[1].mean_kl);

  KvConfig three_heads;
  three_heads.heads = {{{4, 4}, {4, 4}, {4, 4}}, {{4, 4}, {4, 4}, {4, 4}}};
  CHECK_THROWS_WITH(evaluate_configs(f.model, f.sequences, {named("x", three_heads)}, per_token_options()),
                    Catch::Contains("3 KV heads") && Catch::Contains("input.970"));
  CHECK_THROWS_WITH(evaluate_configs(f.model, f.sequences, {{"y", "searched", "y.yaml", uniform_config({4, 4}, 5)}},
                                     per_token_options()),
                    Catch::Contains("y.yaml") && Catch::Contains("5 layers") && Catch::Contains("model has 2"));
  EvalOptions options = per_token_options();
  options.prompt_length = quant::parse_prompt_length("20");
  CHECK_THROWS_WITH(evaluate_configs(f.model, f.sequences, {}, options), Catch::Contains("--prompt-len"));
  CHECK_THROWS_WITH(evaluate_configs(f.model, {}, {}, per_token_options()), Catch::Contains("no held-out sequences"));
}

TEST_CASE("token batches hold whole sequences within the token budget", "[lib][eval]") {
  std::vector<std::vector<int64_t>> seqs = {std::vector<int64_t>(5), std::vector<int64_t>(5), std::vector<int64_t>(9),
                                            std::vector<int64_t>(2)};
  using B = std::vector<std::pair<size_t, size_t>>;
  CHECK(token_batches(seqs, 10) == B{{0, 2}, {2, 3}, {3, 4}});
  CHECK(token_batches(seqs, 11) == B{{0, 2}, {2, 4}});
  CHECK(token_batches(seqs, 1) == B{{0, 1}, {1, 2}, {2, 3}, {3, 4}});
  CHECK(token_batches(seqs, 1000) == B{{0, 4}});
}
