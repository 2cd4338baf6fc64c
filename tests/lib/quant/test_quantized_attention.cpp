// Masked teacher-forced attention against a slow step-by-step decoder with its own growing quantized cache.
#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include <cmath>
#include <vector>

#include "lib/core/error.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/scheme_registry.h"
#include "lib/quant/streaming_cache.h"
#include "lib/quant/uniform_quantizer.h"
#include "tests/support/tolerance.h"

using namespace kvt::quant;
using kvt::PrecisionPair;
using kvt::test::fp32_attention_tolerance;
using kvt::test::max_abs_diff;
using kvt::test::random_normal;

namespace {

// The reference cache: token vectors kept one by one; a flush quantizes every complete block of B
// not-yet-quantized tokens, group by group, through quantize_groups on explicitly gathered groups.
class SimulatedCache {
 public:
  SimulatedCache(TensorQuantSpec spec, int bits, int64_t head_dim) : spec_(spec), bits_(bits), head_dim_(head_dim) {}

  void append(const at::Tensor& token) { stored_.push_back(token.to(at::kDouble).clone()); }  // [H_kv, D]

  void flush() {
    if (bits_ == 16) return;
    int64_t block = spec_.residual > 0 ? spec_.residual : (spec_.axis == QuantAxis::PerChannel ? spec_.group_size : 1);
    while (first_unquantized_ + block <= int64_t(stored_.size())) {
      quantize_block(first_unquantized_, block);
      first_unquantized_ += block;
    }
  }

  at::Tensor view() const { return at::stack(stored_, 1); }  // [H_kv, len, D]

 private:
  void quantize_block(int64_t first, int64_t count) {
    const int64_t heads = stored_[0].size(0);
    if (spec_.axis == QuantAxis::PerToken) {
      int64_t g = spec_.group_size > 0 ? spec_.group_size : head_dim_;
      for (int64_t s = first; s < first + count; ++s)
        for (int64_t h = 0; h < heads; ++h)
          for (int64_t c = 0; c < head_dim_; c += g) {
            at::Tensor group = stored_[s][h].narrow(0, c, g).clone().view({1, g});
            stored_[s][h].narrow(0, c, g).copy_(
                quantize_groups(group, 1, bits_, spec_.symmetric).dequantized.view({g}));
          }
      return;
    }
    const int64_t g = spec_.group_size;
    for (int64_t s0 = first; s0 < first + count; s0 += g)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t d = 0; d < head_dim_; ++d) {
          at::Tensor group = at::empty({1, g}, at::kDouble);
          for (int64_t i = 0; i < g; ++i) group[0][i] = stored_[s0 + i][h][d];
          at::Tensor deq = quantize_groups(group, 1, bits_, spec_.symmetric).dequantized;
          for (int64_t i = 0; i < g; ++i) stored_[s0 + i][h][d] = deq[0][i];
        }
  }

  TensorQuantSpec spec_;
  int bits_;
  int64_t head_dim_;
  std::vector<at::Tensor> stored_;
  int64_t first_unquantized_ = 0;
};

// Attention of query t (all heads) over cache views holding tokens 0..t, in double precision.
void attend(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values, int64_t t, int window,
            at::Tensor& out) {
  const int64_t heads = q.size(0), head_dim = q.size(2), group = heads / keys.size(0);
  const int64_t first = window > 0 ? std::max<int64_t>(0, t - window + 1) : 0;
  for (int64_t h = 0; h < heads; ++h) {
    at::Tensor k = keys[h / group].narrow(0, first, t + 1 - first);
    at::Tensor v = values[h / group].narrow(0, first, t + 1 - first);
    at::Tensor p = at::softmax(at::mv(k, q[h][t].to(at::kDouble)) / std::sqrt(double(head_dim)), 0);
    out[h][t] = at::mv(v.t(), p);
  }
}

// Decodes token by token: prefill of state.prompt_len tokens, then one token per step.
template <class Cache>
at::Tensor decode(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, Cache& keys, Cache& values,
                  const DecodeState& state, int window) {
  const int64_t tokens = q.size(1);
  at::Tensor out = at::zeros(q.sizes(), at::kDouble);
  const int64_t prompt = state.prompt_len;
  if (prompt > 0) {
    for (int64_t s = 0; s < prompt; ++s) {
      keys.append(k.select(1, s));
      values.append(v.select(1, s));
    }
    if (state.prefill == PrefillMode::Quantized) keys.flush(), values.flush();
    for (int64_t t = 0; t < prompt; ++t) attend(q, keys.view(), values.view(), t, window, out);
    if (state.prefill == PrefillMode::FullPrecision) keys.flush(), values.flush();
  }
  for (int64_t t = prompt; t < tokens; ++t) {
    keys.append(k.select(1, t));
    values.append(v.select(1, t));
    attend(q, keys.view(), values.view(), t, window, out);
    keys.flush();
    values.flush();
  }
  return out;
}

at::Tensor simulate(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const QuantScheme& scheme,
                    PrecisionPair pair, const DecodeState& state, int window) {
  SimulatedCache keys(scheme.key, pair.key_bits, q.size(2)), values(scheme.value, pair.value_bits, q.size(2));
  return decode(q, k, v, keys, values, state, window);
}

// Adapts the library cache (one tensor) to the decode() loop above.
struct LibraryCache {
  StreamingTensorCache cache;
  void append(const at::Tensor& token) { cache.append(token.unsqueeze(1)); }
  void flush() { cache.flush(); }
  at::Tensor view() const { return cache.view().to(at::kDouble); }
};

struct Inputs {
  at::Tensor q, k, v;
};
Inputs random_inputs(int64_t heads, int64_t kv_heads, int64_t tokens, int64_t head_dim, uint64_t seed) {
  return {random_normal({heads, tokens, head_dim}, seed), random_normal({kv_heads, tokens, head_dim}, seed + 1) * 1.5,
          random_normal({kv_heads, tokens, head_dim}, seed + 2)};
}

}  // namespace

TEST_CASE("masked attention equals step-by-step decoding with a growing quantized cache", "[lib][quant]") {
  const Inputs in = random_inputs(4, 2, 37, 8, 21);
  const std::vector<QuantScheme> schemes{
      lookup_scheme("per-token-asym"),
      custom_scheme({QuantAxis::PerChannel, 4, 8, false}, {QuantAxis::PerToken, 4, 8, false}),  // KIVI-like, small
      custom_scheme({QuantAxis::PerToken, 4, 0, true}, {QuantAxis::PerChannel, 4, 0, false}),   // different K/V blocks
  };
  const std::vector<PrecisionPair> pairs{{2, 4}, {4, 2}, {16, 2}, {3, 16}};
  const std::vector<DecodeState> states{{0, PrefillMode::FullPrecision},
                                        {13, PrefillMode::FullPrecision},
                                        {13, PrefillMode::Quantized},
                                        {16, PrefillMode::Quantized}};
  for (const QuantScheme& scheme : schemes)
    for (PrecisionPair pair : pairs)
      for (const DecodeState& state : states)
        for (int window : {0, 7})
          for (int64_t chunk : {int64_t(64), int64_t(5)}) {
            CAPTURE(scheme.name, scheme_params_json(scheme).dump(), pair.name(), state.prompt_len,
                    prefill_mode_name(state.prefill), window, chunk);
            at::Tensor expected = simulate(in.q, in.k, in.v, scheme, pair, state, window);
            at::Tensor got = quantized_attention(in.q, in.k, in.v, scheme, pair, state, window, chunk);
            REQUIRE(got.sizes() == in.q.sizes());
            CHECK(max_abs_diff(got, expected) <= fp32_attention_tolerance(in.q, in.k, in.v));
          }
}

TEST_CASE("the library streaming cache decodes like the simulated one", "[lib][quant]") {
  const Inputs in = random_inputs(4, 2, 29, 8, 5);
  QuantScheme kivi_like = custom_scheme({QuantAxis::PerChannel, 4, 8, false}, {QuantAxis::PerToken, 4, 8, false});
  for (const DecodeState& state : {DecodeState{0, PrefillMode::FullPrecision}, DecodeState{10, PrefillMode::Quantized},
                                   DecodeState{10, PrefillMode::FullPrecision}}) {
    LibraryCache keys{StreamingTensorCache(kivi_like.key, 2)}, values{StreamingTensorCache(kivi_like.value, 4)};
    at::Tensor got = decode(in.q, in.k, in.v, keys, values, state, 0);
    CHECK(max_abs_diff(got, simulate(in.q, in.k, in.v, kivi_like, {2, 4}, state, 0)) <=
          fp32_attention_tolerance(in.q, in.k, in.v));
    CHECK(keys.cache.quantized_tokens() == 24);
    CHECK(keys.cache.residual_tokens() == 5);
  }
}

TEST_CASE("the masks matter: a fully quantized cache for every query differs", "[lib][quant]") {
  const Inputs in = random_inputs(2, 1, 40, 8, 3);
  QuantScheme kivi_like = custom_scheme({QuantAxis::PerChannel, 4, 8, false}, {QuantAxis::PerToken, 4, 8, false});
  DecodeState state{0, PrefillMode::FullPrecision};
  at::Tensor exact = quantized_attention(in.q, in.k, in.v, kivi_like, {2, 2}, state);
  StreamedTensor k = stream_quantize(in.k, kivi_like.key, 2, state),
                 v = stream_quantize(in.v, kivi_like.value, 2, state);
  k.quantized_from.zero_();  // every query sees the final cache
  v.quantized_from.zero_();
  CHECK(max_abs_diff(masked_attention(in.q, in.k, in.v, k, v), exact) > 1e-2);
  at::Tensor full = quantized_attention(in.q, in.k, in.v, kivi_like, {16, 16}, state);
  CHECK(max_abs_diff(exact, full) > 1e-2);
}

TEST_CASE("16/16 is plain causal attention", "[lib][quant]") {
  const Inputs in = random_inputs(6, 2, 33, 16, 8);
  at::Tensor out = quantized_attention(in.q, in.k, in.v, lookup_scheme("kivi"), {16, 16}, {});
  at::Tensor reference = at::zeros(in.q.sizes(), at::kDouble);
  for (int64_t t = 0; t < 33; ++t) attend(in.q, in.k.to(at::kDouble), in.v.to(at::kDouble), t, 0, reference);
  CHECK(max_abs_diff(out, reference) <= fp32_attention_tolerance(in.q, in.k, in.v));  // fp32 vs an fp64 reference
  CHECK(quantized_attention(in.q.to(at::kBFloat16), in.k.to(at::kBFloat16), in.v.to(at::kBFloat16),
                            lookup_scheme("per-token-asym"), {4, 4}, {})
            .scalar_type() == at::kBFloat16);
}

TEST_CASE("bad attention shapes are input errors", "[lib][quant]") {
  const Inputs in = random_inputs(3, 2, 5, 8, 1);
  CHECK_THROWS_WITH(quantized_attention(in.q, in.k, in.v, lookup_scheme("kivi"), {4, 4}, {}),
                    Catch::Contains("H_kv dividing H"));
  CHECK_THROWS_AS(quantized_attention(in.k, in.k, in.v.narrow(1, 0, 4), lookup_scheme("kivi"), {4, 4}, {}),
                  kvt::InputError);
}
