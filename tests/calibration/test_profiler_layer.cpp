// LayerProfiler against a dense double-precision reference written here, the 16-bit zero case, and
// KVTuner's Lemma 1 (a dominant key makes key quantization harmless; near-uniform attention does not).
#include "tests/calibration/profiler_test_util.h"  // first: Catch2 after ATen

#include <cmath>
#include <limits>

#include "calibration/profiler/layer_profiler.h"
#include "lib/core/error.h"
#include "lib/quant/scheme_registry.h"

using namespace kvt::quant;
using kvt::PrecisionPair;
using kvt::profile::LayerProfiler;
using kvt::profile::PairErrors;
using kvt::test::normal_tensor;

namespace {

struct Prompt {
  at::Tensor q, k, v;
  DecodeState state;
};

std::vector<int64_t> to_vector(const at::Tensor& t) {
  at::Tensor c = t.cpu().contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

double mean_ratio(const at::Tensor& x, const at::Tensor& xq) {  // rows of the last dim
  at::Tensor num = (xq.to(at::kDouble) - x.to(at::kDouble)).pow(2).sum(-1).sqrt();
  at::Tensor den = x.to(at::kDouble).pow(2).sum(-1).sqrt();
  return (num / den).mean().item<double>();
}

// Dense errors of one prompt and one pair: full [T, T] score matrices per head, masks built entry by entry.
PairErrors dense_reference(const Prompt& p, const QuantScheme& scheme, PrecisionPair pair, int window) {
  const int64_t heads = p.q.size(0), tokens = p.q.size(1), dim = p.q.size(2), group = heads / p.k.size(0);
  StreamedTensor sk = stream_quantize(p.k, scheme.key, pair.key_bits, p.state);
  StreamedTensor sv = stream_quantize(p.v, scheme.value, pair.value_bits, p.state);
  std::vector<int64_t> tau_k = to_vector(sk.quantized_from), tau_v = to_vector(sv.quantized_from);
  const int64_t first = p.state.prefill == PrefillMode::FullPrecision ? std::min(p.state.prompt_len, tokens) : 0;
  PairErrors e;
  e.e_k = mean_ratio(p.k, sk.dequantized);
  e.e_v = mean_ratio(p.v, sv.dequantized);
  e.e_o_per_head.assign(size_t(p.k.size(0)), 0.0);
  double abs_sum = 0, entries = 0;
  const double neg_inf = -std::numeric_limits<double>::infinity();
  for (int64_t h = 0; h < heads; ++h) {
    at::Tensor q = p.q[h].to(at::kDouble), k = p.k[h / group].to(at::kDouble), v = p.v[h / group].to(at::kDouble);
    at::Tensor kq = sk.dequantized[h / group].to(at::kDouble), vq = sv.dequantized[h / group].to(at::kDouble);
    at::Tensor s_fp = at::mm(q, k.t()) / std::sqrt(double(dim)), s_q = at::mm(q, kq.t()) / std::sqrt(double(dim));
    at::Tensor mixed = s_fp.clone(), masked = s_fp.clone();
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t s = 0; s < tokens; ++s) {
        bool visible = s <= t && (window == 0 || s > t - window);
        if (!visible) {
          mixed[t][s] = neg_inf;
          masked[t][s] = neg_inf;
        } else if (t >= tau_k[size_t(s)]) {
          mixed[t][s] = s_q[t][s];
        }
      }
    at::Tensor a = at::softmax(masked, 1), a_q = at::softmax(mixed, 1);
    at::Tensor o = at::mm(a, v);
    for (int64_t t = first; t < tokens; ++t) {
      at::Tensor o_q = at::zeros({dim}, at::kDouble);
      for (int64_t s = 0; s <= t; ++s) o_q += a_q[t][s] * (t >= tau_v[size_t(s)] ? vq[s] : v[s]);
      e.e_o_per_head[size_t(h / group)] += ((o_q - o[t]).norm() / o[t].norm()).item<double>();
      for (int64_t s = 0; s <= t; ++s)
        if (window == 0 || s > t - window) {
          abs_sum += std::abs((a_q[t][s] - a[t][s]).item<double>());
          entries += 1;
        }
    }
  }
  const double rows = double(tokens - first);
  for (double& x : e.e_o_per_head) {
    x /= rows * double(group);
    e.e_o += x / double(e.e_o_per_head.size());
  }
  e.e_a = abs_sum / entries;
  return e;
}

Prompt random_prompt(int64_t heads, int64_t kv_heads, int64_t tokens, int64_t dim, DecodeState state, uint64_t seed) {
  return {normal_tensor({heads, tokens, dim}, seed), normal_tensor({kv_heads, tokens, dim}, seed + 1) * 2.0 + 0.5,
          normal_tensor({kv_heads, tokens, dim}, seed + 2), state};
}

}  // namespace

TEST_CASE("layer profiler errors equal a dense reference, averaged over prompts", "[calibration][profiler]") {
  const std::vector<PrecisionPair> pairs{{8, 8}, {8, 2}, {2, 8}, {4, 4}, {16, 2}, {3, 16}, {16, 16}};
  const QuantScheme kivi_like = custom_scheme({QuantAxis::PerChannel, 4, 8, false}, {QuantAxis::PerToken, 4, 8, false});
  for (const QuantScheme& scheme : {lookup_scheme("per-token-asym"), kivi_like})
    for (int window : {0, 6})
      for (PrefillMode mode : {PrefillMode::FullPrecision, PrefillMode::Quantized}) {
        CAPTURE(scheme.name, window, prefill_mode_name(mode));
        std::vector<Prompt> prompts{random_prompt(4, 2, 21, 8, {0, mode}, 10),
                                    random_prompt(4, 2, 30, 8, {11, mode}, 20)};
        LayerProfiler profiler(scheme, pairs, 2, 8, window, 7);
        for (const Prompt& p : prompts) CHECK(profiler.add_prompt(p.q, p.k, p.v, p.state));
        std::vector<PairErrors> got = profiler.result();
        REQUIRE(got.size() == pairs.size());
        for (size_t i = 0; i < pairs.size(); ++i) {
          CAPTURE(pairs[i].name());
          PairErrors a = dense_reference(prompts[0], scheme, pairs[i], window);
          PairErrors b = dense_reference(prompts[1], scheme, pairs[i], window);
          CHECK(got[i].e_o == Approx((a.e_o + b.e_o) / 2).epsilon(1e-4).margin(1e-7));
          CHECK(got[i].e_k == Approx((a.e_k + b.e_k) / 2).epsilon(1e-4).margin(1e-7));
          CHECK(got[i].e_v == Approx((a.e_v + b.e_v) / 2).epsilon(1e-4).margin(1e-7));
          CHECK(got[i].e_a == Approx((a.e_a + b.e_a) / 2).epsilon(1e-3).margin(1e-8));
          for (size_t h = 0; h < 2; ++h)
            CHECK(got[i].e_o_per_head[h] ==
                  Approx((a.e_o_per_head[h] + b.e_o_per_head[h]) / 2).epsilon(1e-4).margin(1e-7));
        }
      }
}

TEST_CASE("16-bit pairs have zero error and fewer bits more error", "[calibration][profiler]") {
  Prompt p = random_prompt(4, 2, 40, 16, {0, PrefillMode::FullPrecision}, 3);
  const std::vector<PrecisionPair> pairs{{16, 16}, {16, 4}, {4, 16}, {8, 8}, {4, 4}, {2, 2}};
  LayerProfiler profiler(lookup_scheme("per-token-asym"), pairs, 2, 16);
  profiler.add_prompt(p.q, p.k, p.v, p.state);
  std::vector<PairErrors> e = profiler.result();
  CHECK(e[0].e_o == 0.0);
  CHECK(e[0].e_k == 0.0);
  CHECK(e[0].e_v == 0.0);
  CHECK(e[0].e_a == 0.0);
  CHECK(e[0].e_o_per_head == std::vector<double>{0.0, 0.0});
  CHECK(e[1].e_k == 0.0);
  CHECK(e[1].e_a == 0.0);
  CHECK(e[1].e_o > 0.0);
  CHECK(e[2].e_v == 0.0);
  CHECK(e[2].e_a > 0.0);
  CHECK(e[3].e_o < e[4].e_o);
  CHECK(e[4].e_o < e[5].e_o);
  CHECK(e[3].e_k < e[4].e_k);
  CHECK(e[4].e_k < e[5].e_k);
}

TEST_CASE("Lemma 1: a dominant key makes key quantization harmless, near-uniform attention does not",
          "[calibration][profiler]") {
  // One head, D = 16, T = 64, every query 2·u for one unit direction u. The keys are random with their u
  // component removed, so full-precision scores are all 0 (uniform attention) while 2-bit key errors do have a
  // u component. Dominant case: the same keys, plus key 0 = 40·u (score 20 against 0), so softmax stays ≈ one-hot
  // on token 0 whatever the key errors. Per-token quantization gives the other keys identical errors in both cases.
  const int64_t tokens = 64, dim = 16;
  at::Tensor u = normal_tensor({dim}, 1);
  u = u / u.norm();
  at::Tensor q = (u * 2.0).view({1, 1, dim}).expand({1, tokens, dim}).contiguous();
  at::Tensor raw = normal_tensor({1, tokens, dim}, 2);
  at::Tensor small_keys = raw - at::matmul(raw, u).unsqueeze(-1) * u;  // orthogonal to u
  at::Tensor v = normal_tensor({1, tokens, dim}, 3);
  at::Tensor dominant_keys = small_keys.clone();
  dominant_keys[0][0] = u * 40.0;
  const std::vector<PrecisionPair> pairs{{2, 16}, {4, 16}};
  auto e_o = [&](const at::Tensor& k) {
    LayerProfiler profiler(lookup_scheme("per-token-asym"), pairs, 1, dim);
    profiler.add_prompt(q, k, v, {1, PrefillMode::FullPrecision});  // queries 1..63 see key 0 quantized
    return profiler.result();
  };
  std::vector<PairErrors> dominant = e_o(dominant_keys), uniform = e_o(small_keys);
  CHECK(dominant[0].e_k > 0.05);  // the dominant key itself is quantized coarsely...
  CHECK(dominant[0].e_o < 1e-3);  // ...yet the output barely moves
  CHECK(uniform[0].e_o > 100 * dominant[0].e_o);
  CHECK(uniform[0].e_o > 0.01);
  CHECK(uniform[1].e_o < uniform[0].e_o);
}

TEST_CASE("layer profiler rejects inconsistent inputs", "[calibration][profiler]") {
  CHECK_THROWS_AS(LayerProfiler(lookup_scheme("kivi"), {{4, 4}}, 2, 16), kvt::InputError);  // 32 does not divide 16
  CHECK_THROWS_AS(LayerProfiler(lookup_scheme("per-token-asym"), {{9, 4}}, 2, 16), kvt::UnsupportedError);
  CHECK_THROWS_AS(LayerProfiler(lookup_scheme("per-token-asym"), {}, 2, 16), kvt::InputError);
  LayerProfiler profiler(lookup_scheme("per-token-asym"), {{4, 4}}, 2, 16);
  Prompt p = random_prompt(4, 1, 8, 16, {}, 1);
  CHECK_THROWS_WITH(profiler.add_prompt(p.q, p.k, p.v, p.state), Catch::Contains("expected 2"));
  Prompt short_prompt = random_prompt(4, 2, 8, 16, {8, PrefillMode::FullPrecision}, 1);
  CHECK_FALSE(profiler.add_prompt(short_prompt.q, short_prompt.k, short_prompt.v, short_prompt.state));
  CHECK(profiler.prompts() == 1);
  CHECK(profiler.evaluated_prompts() == 0);
}
