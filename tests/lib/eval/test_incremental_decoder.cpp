// The step-by-step decoder with a growing quantized cache (lib/eval/incremental_decoder.h) against the
// teacher-forced forward with decode-state-exact masks over the same tokens.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/generation_check.h"
#include "lib/eval/incremental_decoder.h"
#include "lib/model/model.h"
#include "lib/quant/scheme_registry.h"
#include "tests/support/fixture_model.h"

using namespace kvt;
using namespace kvt::eval;

namespace {

model::Model fixture(const std::string& name, test::FixtureSpec spec, int sliding_window = 0) {
  std::string dir = test::write_fixture_model(test::fresh_test_dir(name), spec);
  if (sliding_window > 0) {  // the fixture writer has no sliding window; add it to config.json
    auto path = std::filesystem::path(dir) / "config.json";
    nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
    j["sliding_window"] = sliding_window;
    std::ofstream(path) << j.dump(2);
  }
  return model::Model::open(dir);
}

// Logits of the teacher-forced forward over prompt + generated[:-1], rows P−1 … P+N−2: [B][N, V].
std::vector<at::Tensor> teacher_forced(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                       const Generation& g, const KvConfig& config, const quant::QuantScheme& scheme,
                                       quant::PrefillMode mode) {
  std::vector<std::vector<int64_t>> full;
  for (size_t b = 0; b < prompts.size(); ++b) {
    full.push_back(prompts[b]);
    full.back().insert(full.back().end(), g.tokens[b].begin(), g.tokens[b].end() - 1);
  }
  const int64_t p = int64_t(prompts[0].size());
  model::ForwardHooks hooks;
  hooks.attention = [&](const model::AttentionInputs& in) {
    return config_attention(in.q, in.k, in.v, config, in.layer, scheme, {p, mode}, model.config().sliding_window);
  };
  auto logits = model::forward(model, full, {}, hooks);
  for (auto& l : logits) l = l.narrow(0, p - 1, l.size(0) - p + 1);
  return logits;
}

// max |decode − teacher forced| over every step and sequence.
double max_difference(const Generation& g, const std::vector<at::Tensor>& tf) {
  double worst = 0;
  for (size_t b = 0; b < tf.size(); ++b)
    for (size_t i = 0; i < g.step_logits.size(); ++i)
      worst = std::max(worst, (g.step_logits[i][int64_t(b)] - tf[b][int64_t(i)]).abs().max().item<double>());
  return worst;
}

void check_decode_matches(const model::Model& model, const KvConfig& config, const quant::QuantScheme& scheme,
                          int prompt_len, int new_tokens) {
  auto prompts = test::random_prompts({prompt_len, prompt_len, prompt_len}, model.config().vocab_size, 17);
  DecoderWeights weights = load_decoder_weights(model, {});
  for (auto mode : {quant::PrefillMode::FullPrecision, quant::PrefillMode::Quantized}) {
    INFO("prefill " << quant::prefill_mode_name(mode) << ", scheme " << scheme.name);
    Generation g = greedy_generate(weights, config, scheme, mode, prompts, new_tokens, true);
    auto tf = teacher_forced(model, prompts, g, config, scheme, mode);
    const double decode_error = max_difference(g, tf);
    CHECK(decode_error < 2e-4);
    // The tolerance can tell a real difference: the other prefill mode and full precision are far off.
    auto other = teacher_forced(
        model, prompts, g, config, scheme,
        mode == quant::PrefillMode::Quantized ? quant::PrefillMode::FullPrecision : quant::PrefillMode::Quantized);
    auto fp = teacher_forced(model, prompts, g, uniform_config({16, 16}, model.config().num_layers), scheme, mode);
    CHECK(max_difference(g, fp) > 50 * std::max(decode_error, 1e-6));
    if (prompt_len > 1) CHECK(max_difference(g, other) > 50 * std::max(decode_error, 1e-6));
    // Greedy tokens are the teacher-forced argmax.
    for (size_t b = 0; b < prompts.size(); ++b)
      for (int i = 0; i < new_tokens; ++i) CHECK(g.tokens[b][size_t(i)] == tf[b][i].argmax().item<int64_t>());
  }
}

}  // namespace

TEST_CASE("full-precision decode equals the plain forward over the generated tokens", "[lib][eval]") {
  test::FixtureSpec spec;
  spec.layers = 3;
  auto model = fixture("decode_fp", spec);
  auto prompts = test::random_prompts({9, 9}, spec.vocab, 2);
  DecoderWeights weights = load_decoder_weights(model, {});
  Generation g = greedy_generate(weights, uniform_config({16, 16}, 3), quant::lookup_scheme("per-token-asym"),
                                 quant::PrefillMode::FullPrecision, prompts, 12, true);
  std::vector<std::vector<int64_t>> full = prompts;
  for (size_t b = 0; b < 2; ++b) full[b].insert(full[b].end(), g.tokens[b].begin(), g.tokens[b].end() - 1);
  auto logits = model::forward(model, full, {});
  for (size_t b = 0; b < 2; ++b)
    for (int i = 0; i < 12; ++i)
      CHECK(at::allclose(g.step_logits[size_t(i)][int64_t(b)], logits[b][8 + i], 1e-4, 1e-4));
}

TEST_CASE("quantized decode loop equals the teacher-forced masks: per-token-asym, mixed pairs", "[lib][eval]") {
  test::FixtureSpec spec;
  spec.layers = 3;
  spec.attention_scale = 0.5;
  auto model = fixture("decode_per_token", spec);
  KvConfig config;
  config.layers = {{4, 2}, {2, 4}, {8, 2}};
  check_decode_matches(model, config, quant::lookup_scheme("per-token-asym"), 11, 14);
}

TEST_CASE("quantized decode loop equals the teacher-forced masks: KIVI blocks flushed during decode", "[lib][eval]") {
  test::FixtureSpec spec;
  spec.head_dim = 32;
  spec.hidden = 64;
  spec.heads = 2;
  spec.kv_heads = 1;
  spec.attention_scale = 0.4;
  auto model = fixture("decode_kivi", spec);
  // Prompt 37: block [0, 32) is quantized at prefill; block [32, 64) completes during decode (token 63).
  check_decode_matches(model, uniform_config({2, 2}, 2), quant::lookup_scheme("kivi"), 37, 40);
}

TEST_CASE("quantized decode loop equals the teacher-forced masks: sliding window and per-head pairs", "[lib][eval]") {
  test::FixtureSpec spec;
  spec.architecture = "MistralForCausalLM";
  spec.attention_scale = 0.5;
  auto model = fixture("decode_window", spec, 6);
  KvConfig per_head;
  per_head.heads = {{{2, 2}, {8, 4}}, {{16, 16}, {2, 4}}};
  check_decode_matches(model, per_head, quant::lookup_scheme("per-token-asym"), 8, 12);
}

TEST_CASE("a batch of prompts decodes like each prompt alone", "[lib][eval]") {
  test::FixtureSpec spec;
  auto model = fixture("decode_batch", spec);
  auto prompts = test::random_prompts({7, 7, 7}, spec.vocab, 9);
  DecoderWeights weights = load_decoder_weights(model, {});
  const auto scheme = quant::lookup_scheme("per-token-asym");
  KvConfig config = uniform_config({2, 2}, 2);
  Generation batch = greedy_generate(weights, config, scheme, quant::PrefillMode::Quantized, prompts, 10, true);
  for (size_t b = 0; b < prompts.size(); ++b) {
    Generation alone = greedy_generate(weights, config, scheme, quant::PrefillMode::Quantized, {prompts[b]}, 10, true);
    CHECK(alone.tokens[0] == batch.tokens[b]);
    for (int i = 0; i < 10; ++i)
      CHECK(at::allclose(alone.step_logits[size_t(i)][0], batch.step_logits[size_t(i)][int64_t(b)], 1e-4, 1e-4));
  }
}

TEST_CASE("decoder errors: unequal prompts, context overflow", "[lib][eval]") {
  test::FixtureSpec spec;
  spec.max_positions = 20;
  auto model = fixture("decode_errors", spec);
  DecoderWeights weights = load_decoder_weights(model, {});
  const auto scheme = quant::lookup_scheme("per-token-asym");
  KvConfig config = uniform_config({4, 4}, 2);
  CHECK_THROWS_WITH(greedy_generate(weights, config, scheme, quant::PrefillMode::FullPrecision, {{1, 2, 3}, {1, 2}}, 4),
                    Catch::Contains("one length"));
  CHECK_THROWS_WITH(
      greedy_generate(weights, config, scheme, quant::PrefillMode::FullPrecision, {std::vector<int64_t>(15, 1)}, 8),
      Catch::Contains("max_position_embeddings = 20") && Catch::Contains("input.973"));
  CHECK_THROWS_WITH(
      greedy_generate(weights, uniform_config({4, 4}, 3), scheme, quant::PrefillMode::FullPrecision, {{1}}, 2),
      Catch::Contains("3 layers"));
}

TEST_CASE("generation comparison: identical share and first divergence by hand", "[lib][eval]") {
  std::vector<std::vector<int64_t>> ref = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 9, 9, 9}};
  std::vector<std::vector<int64_t>> gen = {{1, 2, 0, 4}, {5, 6, 7, 8}, {0, 9, 9, 9}};
  GenerationResult r = compare_generations("x", ref, gen);
  CHECK(r.identical_fraction == Approx(10.0 / 12));
  CHECK(r.mean_first_divergence == Approx((2 + 4 + 0) / 3.0));
  CHECK(r.earliest_divergence == 0);
  CHECK(r.identical_prompts == 1);

  auto prompts =
      generation_prompts({std::vector<int64_t>(10, 1), std::vector<int64_t>(7, 2), std::vector<int64_t>(30, 3)},
                         quant::parse_prompt_length("half"), 2);
  REQUIRE(prompts.size() == 2);
  CHECK(prompts[0].size() == 3);  // min(10/2, 7/2)
  CHECK(prompts[1] == std::vector<int64_t>(3, 2));
}
