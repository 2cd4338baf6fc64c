// Group layouts and the streaming schedule (flush blocks, residual window, prefill modes) on hand-computed cases.
#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include "lib/core/error.h"
#include "lib/quant/streaming_quantizer.h"
#include "lib/quant/uniform_quantizer.h"

using namespace kvt::quant;
using kvt::test::max_abs_diff;
using kvt::test::random_normal;

namespace {
constexpr int64_t N = kNeverQuantized;
std::vector<int64_t> steps(const TensorQuantSpec& spec, int64_t tokens, DecodeState state, int bits = 4) {
  at::Tensor t = quantized_from_steps(spec, bits, tokens, state);
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}
const TensorQuantSpec kPerChannel4{QuantAxis::PerChannel, 4, 4, false};  // KIVI-like, groups/residual of 4 tokens
const TensorQuantSpec kPerToken{QuantAxis::PerToken, 0, 0, false};       // per-token-asym
}  // namespace

TEST_CASE("per-token groups split head_dim at the group size", "[lib][quant]") {
  // One token, D = 8: [0..3] and [10..40] are each exact on a 2-bit grid when quantized separately.
  at::Tensor x = at::tensor({0.f, 1.f, 2.f, 3.f, 10.f, 20.f, 30.f, 40.f}).view({1, 1, 8});
  CHECK(max_abs_diff(fake_quantize_kv(x, {QuantAxis::PerToken, 4, 0, false}, 2), x) < 1e-5);
  CHECK(max_abs_diff(fake_quantize_kv(x, {QuantAxis::PerToken, 0, 0, false}, 2), x) > 1.0);
}

TEST_CASE("per-channel groups cover consecutive tokens of one channel", "[lib][quant]") {
  // Channel 0 over 8 tokens: [0, 1, 2, 3 | 100, 101, 102, 103]: exact at 2 bits with groups of 4 tokens.
  at::Tensor ch0 = at::tensor({0.f, 1.f, 2.f, 3.f, 100.f, 101.f, 102.f, 103.f});
  at::Tensor x = at::stack({ch0, ch0 * 2}, 1).view({1, 8, 2});  // [H=1, T=8, D=2]
  CHECK(max_abs_diff(fake_quantize_kv(x, kPerChannel4, 2), x) < 1e-4);
  CHECK(max_abs_diff(fake_quantize_kv(x, {QuantAxis::PerChannel, 8, 8, false}, 2), x) > 1.0);
  // Each group matches quantize_groups on the explicit slice.
  at::Tensor x2 = random_normal({2, 8, 3}, 5);
  at::Tensor xq = fake_quantize_kv(x2, kPerChannel4, 3);
  for (int h = 0; h < 2; ++h)
    for (int d = 0; d < 3; ++d)
      for (int b = 0; b < 2; ++b) {
        at::Tensor group = x2[h].narrow(0, 4 * b, 4).select(1, d).reshape({1, 4});
        at::Tensor expected = quantize_groups(group, 1, 3, false).dequantized.view({4});
        CHECK(max_abs_diff(xq[h].narrow(0, 4 * b, 4).select(1, d), expected) == 0.0);
      }
}

TEST_CASE("quantization steps of a KIVI-like schedule", "[lib][quant]") {
  // Blocks [0,4) and [4,8) complete; tokens 8, 9 stay full precision.
  CHECK(steps(kPerChannel4, 10, {0, PrefillMode::FullPrecision}) == std::vector<int64_t>{4, 4, 4, 4, 8, 8, 8, 8, N, N});
  // Prompt of 6: block 0 is quantized at prefill, seen from the first decode step (fp) or at once (quantized).
  CHECK(steps(kPerChannel4, 10, {6, PrefillMode::FullPrecision}) == std::vector<int64_t>{6, 6, 6, 6, 8, 8, 8, 8, N, N});
  CHECK(steps(kPerChannel4, 10, {6, PrefillMode::Quantized}) == std::vector<int64_t>{0, 0, 0, 0, 8, 8, 8, 8, N, N});
  // Prompt of 8 = two whole blocks.
  CHECK(steps(kPerChannel4, 9, {8, PrefillMode::FullPrecision}) == std::vector<int64_t>{8, 8, 8, 8, 8, 8, 8, 8, N});
  CHECK(steps(kPerChannel4, 10, {6, PrefillMode::Quantized}, 16) == std::vector<int64_t>(10, N));
}

TEST_CASE("quantization steps of a per-token schedule without residual", "[lib][quant]") {
  CHECK(steps(kPerToken, 5, {0, PrefillMode::FullPrecision}) == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK(steps(kPerToken, 5, {3, PrefillMode::FullPrecision}) == std::vector<int64_t>{3, 3, 3, 4, 5});
  CHECK(steps(kPerToken, 5, {3, PrefillMode::Quantized}) == std::vector<int64_t>{0, 0, 0, 4, 5});
  // A per-token residual window of 2 flushes pairs of tokens.
  CHECK(steps({QuantAxis::PerToken, 0, 2, false}, 5, {0, PrefillMode::FullPrecision}) ==
        std::vector<int64_t>{2, 2, 4, 4, N});
}

TEST_CASE("the final cache holds quantized complete blocks and a full-precision tail", "[lib][quant]") {
  at::Tensor x = random_normal({2, 10, 8}, 9);
  StreamedTensor s = stream_quantize(x, {QuantAxis::PerChannel, 4, 4, false}, 2, {});
  CHECK(s.quantized_tokens == 8);
  CHECK(at::equal(s.dequantized.narrow(1, 8, 2), x.narrow(1, 8, 2)));
  CHECK(at::equal(s.dequantized.narrow(1, 0, 8), fake_quantize_kv(x.narrow(1, 0, 8), kPerChannel4, 2)));
  CHECK(max_abs_diff(s.dequantized.narrow(1, 0, 8), x.narrow(1, 0, 8)) > 0.01);
  StreamedTensor full = stream_quantize(x, kPerChannel4, 16, {});
  CHECK(full.dequantized.is_same(x));
  CHECK(full.quantized_tokens == 0);
}

TEST_CASE("inconsistent specs and shapes are input errors", "[lib][quant]") {
  at::Tensor x = random_normal({1, 8, 8}, 1);
  CHECK_THROWS_WITH(fake_quantize_kv(x, {QuantAxis::PerToken, 3, 0, false}, 4),
                    Catch::Contains("does not divide head_dim"));
  CHECK_THROWS_WITH(fake_quantize_kv(x, {QuantAxis::PerChannel, 0, 0, false}, 4), Catch::Contains("group_size > 0"));
  CHECK_THROWS_WITH(stream_quantize(x, {QuantAxis::PerChannel, 4, 6, false}, 4, {}),
                    Catch::Contains("multiple of group_size"));
  CHECK_THROWS_AS(stream_quantize(x.view({8, 8}), kPerToken, 4, {}), kvt::InputError);
  CHECK_THROWS_AS(stream_quantize(x, kPerToken, 4, {-1, PrefillMode::FullPrecision}), kvt::InputError);
  CHECK_THROWS_WITH(parse_prefill_mode("half"), Catch::Contains("--prefill"));
  CHECK(parse_prefill_mode("quantized") == PrefillMode::Quantized);
}
