// The layer-major batched forward against a plain reference forward written here, per-prompt runs,
// causality, and GQA ≡ MHA with repeated KV heads.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "lib/model/forward.h"
#include "lib/model/model.h"
#include "lib/model/safetensors.h"
#include "lib/model/weight_store.h"
#include "tests/support/fixture_model.h"

using namespace kvt;

namespace {

// A deliberately plain forward: fp64, one prompt, repeat_interleave for GQA, RoPE from its formula.
at::Tensor reference_logits(const std::string& dir, const model::ModelConfig& c, const std::vector<int64_t>& ids) {
  auto m = model::Model::open(dir);
  auto get = [&](int l, const char* name) {
    auto w = m.layer(l, at::kDouble, at::kCPU);
    std::string n = name;
    if (n == "in") return w.input_norm;
    if (n == "q") return w.q_proj;
    if (n == "k") return w.k_proj;
    if (n == "v") return w.v_proj;
    if (n == "qb") return w.q_bias;
    if (n == "kb") return w.k_bias;
    if (n == "vb") return w.v_bias;
    if (n == "o") return w.o_proj;
    if (n == "post") return w.post_attention_norm;
    if (n == "gate") return w.gate_proj;
    if (n == "up") return w.up_proj;
    return w.down_proj;
  };
  const int64_t T = ids.size(), D = c.head_dim, H = c.num_heads, G = c.num_heads / c.num_kv_heads;
  auto rms = [&](at::Tensor x, at::Tensor w) { return w * x / at::sqrt(x.pow(2).mean(-1, true) + c.rms_norm_eps); };
  // RoPE angles: position t, frequency j → t · theta^(-2j/D).
  at::Tensor angle = at::empty({T, D / 2}, at::kDouble);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < D / 2; ++j) angle[t][j] = double(t) * std::pow(c.rope_theta, -2.0 * j / D);
  at::Tensor cos = at::cat({angle.cos(), angle.cos()}, 1), sin = at::cat({angle.sin(), angle.sin()}, 1);
  auto rope = [&](at::Tensor x) {  // [heads, T, D]
    auto rot = at::cat({-x.narrow(2, D / 2, D / 2), x.narrow(2, 0, D / 2)}, 2);
    return x * cos + rot * sin;
  };
  // Llama's o_proj and MLP biases, read straight from the files (not through Model::layer).
  model::WeightStore raw(dir);
  auto bias = [&](int l, const std::string& name) {
    return raw.view("model.layers." + std::to_string(l) + "." + name + ".bias").to(at::kDouble);
  };
  auto linear = [&](at::Tensor in, at::Tensor w, int l, const std::string& name, bool with_bias) {
    at::Tensor y = at::matmul(in, w.t());
    return with_bias ? y + bias(l, name) : y;
  };
  at::Tensor x = m.embed(at::tensor(ids, at::kLong), at::kDouble, at::kCPU);
  for (int l = 0; l < c.num_layers; ++l) {
    at::Tensor h = rms(x, get(l, "in"));
    at::Tensor q = at::matmul(h, get(l, "q").t()), k = at::matmul(h, get(l, "k").t()),
               v = at::matmul(h, get(l, "v").t());
    if (c.attention_bias) {
      q = q + get(l, "qb");
      k = k + get(l, "kb");
      v = v + get(l, "vb");
    }
    q = rope(q.view({T, H, D}).transpose(0, 1));
    k = rope(k.view({T, c.num_kv_heads, D}).transpose(0, 1)).repeat_interleave(G, 0);
    v = v.view({T, c.num_kv_heads, D}).transpose(0, 1).repeat_interleave(G, 0);
    at::Tensor scores = at::matmul(q, k.transpose(1, 2)) / std::sqrt(double(D));
    for (int64_t t = 0; t < T; ++t)
      for (int64_t s = t + 1; s < T; ++s) scores.select(1, t).select(1, s).fill_(-1e300);
    at::Tensor out = at::matmul(at::softmax(scores, -1), v).transpose(0, 1).reshape({T, H * D});
    x = x + linear(out, get(l, "o"), l, "self_attn.o_proj", c.o_proj_bias);
    h = rms(x, get(l, "post"));
    at::Tensor gate = linear(h, get(l, "gate"), l, "mlp.gate_proj", c.mlp_bias),
               up = linear(h, get(l, "up"), l, "mlp.up_proj", c.mlp_bias);
    x = x + linear(at::silu(gate) * up, get(l, "down"), l, "mlp.down_proj", c.mlp_bias);
  }
  x = rms(x, m.final_norm(at::kDouble, at::kCPU));
  return at::matmul(x, m.lm_head(at::kDouble, at::kCPU).t());
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

// Max difference relative to the largest logit: fp32 matmuls of different shapes round differently.
double relative_diff(const at::Tensor& a, const at::Tensor& b) {
  return max_abs_diff(a, b) / std::max(1.0, b.abs().max().item<double>());
}

}  // namespace

TEST_CASE("forward matches a plain reference forward for every architecture", "[lib][model]") {
  for (std::string arch : {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"}) {
    for (bool tied : {false, true}) {
      test::FixtureSpec spec;
      spec.architecture = arch;
      spec.tied = tied;
      spec.sharded = tied;  // cover both file layouts
      auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_" + arch + (tied ? "_tied" : "")), spec);
      auto c = test::fixture_config(spec);
      auto prompts = test::random_prompts({7, 13, 1, 20}, spec.vocab, 5);
      auto m = model::Model::open(dir);
      auto logits = model::forward(m, prompts, {});
      REQUIRE(logits.size() == prompts.size());
      for (size_t p = 0; p < prompts.size(); ++p) {
        INFO(arch << " tied=" << tied << " prompt " << p);
        auto ref = reference_logits(dir, c, prompts[p]);
        REQUIRE(logits[p].sizes() == ref.sizes());
        // fp32 against fp64: each of the ~10 sequential products per layer (inner sizes ≤ 96) and the LM head adds
        // ≤ n·u relative (u = 2^-24, γ_n: Higham §3.1), ≈ 2 layers × 10 × 96 · 6e-8 ≈ 1.2e-4 of the logit scale;
        // these fixtures' logits stay below 5, so ≲ 6e-4 < 1e-3.
        CHECK(max_abs_diff(logits[p], ref) < 1e-3);
      }
    }
  }
}

TEST_CASE("Llama attention_bias (q/k/v/o) and mlp_bias (gate/up/down) match the reference forward", "[lib][model]") {
  // transformers LlamaAttention: bias=config.attention_bias on q/k/v *and* o_proj; LlamaMLP: bias=config.mlp_bias.
  test::FixtureSpec spec;
  spec.attention_bias = true;
  spec.mlp_bias = true;
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_llama_bias"), spec);
  auto c = test::fixture_config(spec);
  auto m = model::Model::open(dir);
  REQUIRE(m.config().attention_bias);
  REQUIRE(m.config().o_proj_bias);
  REQUIRE(m.config().mlp_bias);
  auto prompts = test::random_prompts({9, 4}, spec.vocab, 11);
  auto logits = model::forward(m, prompts, {});
  // The same weights without the biases give other logits, so the comparison below sees them.
  auto no_bias = c;
  no_bias.attention_bias = no_bias.o_proj_bias = no_bias.mlp_bias = false;
  for (size_t p = 0; p < prompts.size(); ++p) {
    INFO("prompt " << p);
    auto ref = reference_logits(dir, c, prompts[p]);
    CHECK(max_abs_diff(logits[p], ref) < 1e-3);  // same bound as the per-architecture test above
    CHECK(max_abs_diff(reference_logits(dir, no_bias, prompts[p]), ref) > 1e-2);
  }
}

TEST_CASE("layer-major batched forward equals one prompt at a time", "[lib][model]") {
  test::FixtureSpec spec;
  spec.layers = 3;
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_batch"), spec);
  auto m = model::Model::open(dir);
  auto prompts = test::random_prompts({5, 31, 12}, spec.vocab, 9);
  auto batched = model::forward(m, prompts, {});
  for (size_t p = 0; p < prompts.size(); ++p) {
    auto single = model::forward(m, {prompts[p]}, {});
    // The same fp32 operations with other GEMM blockings: per product ≤ n·u ≈ 96 · 6e-8 ≈ 6e-6 relative.
    CHECK(relative_diff(batched[p], single[0]) < 1e-5);
  }
}

TEST_CASE("logits at position t do not depend on later tokens", "[lib][model]") {
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_causal"), spec);
  auto m = model::Model::open(dir);
  auto a = test::random_prompts({24}, spec.vocab, 3)[0];
  auto b = a;
  for (size_t t = 12; t < b.size(); ++t) b[t] = (b[t] + 17) % spec.vocab;
  auto la = model::forward(m, {a}, {})[0], lb = model::forward(m, {b}, {})[0];
  CHECK(max_abs_diff(la.narrow(0, 0, 12), lb.narrow(0, 0, 12)) < 1e-5);
  CHECK(max_abs_diff(la.narrow(0, 12, 12), lb.narrow(0, 12, 12)) > 1e-3);  // the change is visible after t
}

TEST_CASE("GQA with n KV heads equals MHA with those KV heads repeated", "[lib][model]") {
  test::FixtureSpec spec;
  spec.heads = 4;
  spec.kv_heads = 2;
  auto gqa_dir = test::write_fixture_model(test::fresh_test_dir("fwd_gqa"), spec);
  // Build the MHA twin: k/v projections with each KV head's rows repeated for its query group.
  auto c = test::fixture_config(spec);
  auto mha_dir = test::fresh_test_dir("fwd_mha");
  {
    model::SafetensorsFile src(gqa_dir + "/model.safetensors");
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& info : src.tensors()) {
      at::Tensor t = src.view(info).clone();
      bool is_kv =
          info.name.find("k_proj.weight") != std::string::npos || info.name.find("v_proj.weight") != std::string::npos;
      if (is_kv)
        t = t.view({c.num_kv_heads, c.head_dim, c.hidden_size}).repeat_interleave(2, 0).reshape({-1, c.hidden_size});
      tensors.push_back({info.name, t});
    }
    model::write_safetensors(mha_dir + "/model.safetensors", tensors);
    auto mc = c;
    mc.num_kv_heads = c.num_heads;
    std::ofstream(mha_dir + "/config.json") << model::to_hf_config_json(mc).dump(2);
  }
  auto prompts = test::random_prompts({19}, spec.vocab, 4);
  auto gqa = model::forward(model::Model::open(gqa_dir), prompts, {})[0];
  auto mha = model::forward(model::Model::open(mha_dir), prompts, {})[0];
  CHECK(relative_diff(gqa, mha) < 1e-5);
}

TEST_CASE("bf16 weights load and bf16 compute stays close to fp32", "[lib][model]") {
  test::FixtureSpec spec;
  spec.dtype = "BF16";
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_bf16"), spec);
  auto m = model::Model::open(dir);
  CHECK(m.weight_dtypes().at("BF16") > 0);
  auto prompts = test::random_prompts({16}, spec.vocab, 2);
  auto f32 = model::forward(m, prompts, {})[0];
  model::ForwardOptions bf16;
  bf16.dtype = at::kBFloat16;
  auto b16 = model::forward(m, prompts, bf16)[0];
  double scale = f32.abs().max().item<double>();
  CHECK(max_abs_diff(f32, b16) < 0.1 * scale);
  CHECK(max_abs_diff(f32, b16) > 0);  // bf16 compute really ran in bf16
}

TEST_CASE("capture hook sees post-RoPE q/k/v of every layer and prompt, attention can be replaced", "[lib][model]") {
  test::FixtureSpec spec;
  spec.layers = 3;
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_hooks"), spec);
  auto m = model::Model::open(dir);
  auto prompts = test::random_prompts({6, 9}, spec.vocab, 8);
  int calls = 0;
  model::ForwardHooks hooks;
  hooks.on_capture = [&](const model::AttentionInputs& in, const at::Tensor& out) {
    CHECK(in.layer == calls / 2);
    CHECK(in.prompt == calls % 2);
    CHECK(in.q.sizes() == at::IntArrayRef({spec.heads, (int64_t)prompts[in.prompt].size(), spec.head_dim}));
    CHECK(in.k.sizes() == at::IntArrayRef({spec.kv_heads, (int64_t)prompts[in.prompt].size(), spec.head_dim}));
    CHECK(max_abs_diff(out, model::causal_attention(in.q, in.k, in.v)) < 1e-5);
    ++calls;
  };
  auto plain = model::forward(m, prompts, {}, hooks);
  CHECK(calls == 6);
  // Replacing attention by the same causal attention changes nothing; by zeros, changes the logits.
  model::ForwardHooks same;
  same.attention = [](const model::AttentionInputs& in) { return model::causal_attention(in.q, in.k, in.v); };
  CHECK(max_abs_diff(model::forward(m, prompts, {}, same)[1], plain[1]) < 1e-5);
  model::ForwardHooks zero;
  zero.attention = [](const model::AttentionInputs& in) { return at::zeros_like(in.q); };
  CHECK(max_abs_diff(model::forward(m, prompts, {}, zero)[1], plain[1]) > 1e-3);
}

TEST_CASE("token_logprobs are log-softmax of the logits at the next token", "[lib][model]") {
  test::FixtureSpec spec;
  auto dir = test::write_fixture_model(test::fresh_test_dir("fwd_logprobs"), spec);
  auto m = model::Model::open(dir);
  auto prompts = test::random_prompts({10}, spec.vocab, 6);
  auto logits = model::forward(m, prompts, {})[0].to(at::kDouble);
  auto lp = model::token_logprobs(m, prompts, {})[0];
  REQUIRE(lp.size() == 9);
  for (size_t t = 0; t + 1 < prompts[0].size(); ++t) {
    double expected = at::log_softmax(logits[t], 0)[prompts[0][t + 1]].item<double>();
    CHECK(lp[t] == Approx(expected).margin(1e-6));
  }
}
