// Uniform fake quantization against hand-computed values and its invariants (KVTuner vanilla_quantizer.py).
#include "tests/lib/quant/quant_test_util.h"  // first: Catch2 after ATen

#include "lib/core/error.h"
#include "lib/quant/uniform_quantizer.h"

using namespace kvt::quant;
using kvt::test::max_abs_diff;
using kvt::test::random_normal;

namespace {
at::Tensor row(std::vector<float> values) { return at::tensor(values).view({1, -1}); }
std::vector<float> as_vector(const at::Tensor& t) {
  at::Tensor c = t.to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
std::vector<int> codes_vector(const at::Tensor& t) {
  at::Tensor c = t.to(at::kInt).contiguous();
  return std::vector<int>(c.data_ptr<int>(), c.data_ptr<int>() + c.numel());
}
}  // namespace

TEST_CASE("asymmetric 2-bit quantization of hand-computed groups", "[lib][quant]") {
  // range 3 → s = 1; z = round(0.3) − (−2) = 2; x/s − z = [−1.7, −0.7, 0.3, 1.3] → q = [−2, −1, 0, 1].
  QuantizedGroups g = quantize_groups(row({0.3f, 1.3f, 2.3f, 3.3f}), 1, 2, false);
  CHECK(g.scale.item<float>() == Approx(1.0f));
  CHECK(g.zero_point.item<float>() == 2.0f);
  CHECK(codes_vector(g.codes) == std::vector<int>{-2, -1, 0, 1});
  // The zero-point snaps the minimum to the grid: x̂ = (q + z)·s = [0, 1, 2, 3], every error 0.3 ≤ s/2.
  auto xq = as_vector(g.dequantized);
  // fp32: s and z are exact here, x̂ = (q + z)·s has one rounding: ≤ u·3 ≈ 1.8e-7 for |x̂| ≤ 3 (u = 2^-24).
  for (int i = 0; i < 4; ++i) CHECK(xq[i] == Approx(float(i)).margin(1e-6));
}

TEST_CASE("rounding is half to even", "[lib][quant]") {
  // s = 1, z = 2: x/s − z = [−2, −1.5, −0.5, 1] → round half even [−2, −2, 0, 1] (half away would give −1 for −0.5).
  auto xq = as_vector(fake_quantize_groups(row({0.0f, 0.5f, 1.5f, 3.0f}), 1, 2, false));
  CHECK(xq == std::vector<float>{0.0f, 0.0f, 2.0f, 3.0f});
}

TEST_CASE("symmetric 3-bit quantization of a hand-computed group", "[lib][quant]") {
  // q_max = 3, s = max|x| / 3 = 1/3; x/s = [−3, 1.5, 0.75, 3] → q = [−3, 2, 1, 3].
  QuantizedGroups g = quantize_groups(row({-1.0f, 0.5f, 0.25f, 1.0f}), 1, 3, true);
  CHECK(codes_vector(g.codes) == std::vector<int>{-3, 2, 1, 3});
  auto xq = as_vector(g.dequantized);
  std::vector<float> expected{-1.0f, 2.0f / 3, 1.0f / 3, 1.0f};
  // fp32: s = 1/3 carries u relative error, x̂ = q·s one more rounding: ≤ 2u·|x̂| ≤ 1.2e-7 for |x̂| ≤ 1.
  for (int i = 0; i < 4; ++i) CHECK(xq[i] == Approx(expected[i]).margin(1e-6));
}

TEST_CASE("per-element error is at most half a step and codes stay in range", "[lib][quant]") {
  at::Tensor x = random_normal({64, 32}, 7) * 3.0 + 0.5;
  for (bool symmetric : {false, true}) {
    for (int bits = symmetric ? 2 : 1; bits <= 8; ++bits) {
      CAPTURE(bits, symmetric);
      QuantizedGroups g = quantize_groups(x, 1, bits, symmetric);
      at::Tensor err = (x - g.dequantized).abs();
      at::Tensor bound = g.scale * 0.5 * (1 + 1e-5) + 1e-6;  // fp32 rounding of x/s and (q + z)·s
      CHECK((err <= bound).all().item<bool>());
      CHECK(g.codes.min().item<int>() >= code_min(bits));
      CHECK(g.codes.max().item<int>() <= code_max(bits));
    }
  }
}

TEST_CASE("constant groups are reproduced exactly", "[lib][quant]") {
  at::Tensor x = at::tensor({0.0f, 1.7f, -3.14159f, 1000.25f, 1e-7f}).view({5, 1}).expand({5, 16}).contiguous();
  for (bool symmetric : {false, true})
    for (int bits : {2, 3, 4, 8}) {
      CAPTURE(bits, symmetric);
      CHECK(at::equal(fake_quantize_groups(x, 1, bits, symmetric), x));
    }
}

TEST_CASE("a range below the 1e-5 floor still satisfies the half-step bound", "[lib][quant]") {
  at::Tensor x = random_normal({8, 16}, 3) * 1e-7;
  QuantizedGroups g = quantize_groups(x, 1, 4, false);
  CHECK(g.scale.max().item<float>() == Approx(1e-5f / 15));
  CHECK(((x - g.dequantized).abs() <= g.scale * 0.5 * (1 + 1e-4)).all().item<bool>());
}

TEST_CASE("more bits give a smaller error on random data", "[lib][quant]") {
  at::Tensor x = random_normal({256, 128}, 11);
  auto error = [&](int bits) { return (x - fake_quantize_groups(x, 1, bits, false)).abs().mean().item<double>(); };
  double e2 = error(2), e3 = error(3), e4 = error(4), e8 = error(8);
  CHECK(e8 < e4);
  CHECK(e4 < e3);
  CHECK(e3 < e2);
  CHECK(e8 < e4 / 8);  // 4 more bits: about 16× smaller steps
}

TEST_CASE("groups run along the requested dimension", "[lib][quant]") {
  // Two groups along dim 0 (columns): column 0 = {0..3} exact at 2 bits, column 1 = {0, 10, 20, 30} exact too;
  // grouping along dim 1 instead would mix them and lose precision.
  at::Tensor x = at::tensor({0.f, 0.f, 1.f, 10.f, 2.f, 20.f, 3.f, 30.f}).view({4, 2});
  // Exact grid points: only the fp32 rounding of s = 10 and (q + z)·s remains, ≤ 2u·30 ≈ 3.6e-6.
  CHECK(max_abs_diff(fake_quantize_groups(x, 0, 2, false), x) < 1e-5);
  CHECK(max_abs_diff(fake_quantize_groups(x, 1, 2, false), x) > 0.1);
}

TEST_CASE("16 bits is the identity and unsupported widths are errors", "[lib][quant]") {
  at::Tensor x = random_normal({4, 8}, 1);
  CHECK(fake_quantize_groups(x, 1, 16, false).is_same(x));
  for (int bits : {0, 9, 12, 17, -2}) {
    CAPTURE(bits);
    CHECK_THROWS_AS(fake_quantize_groups(x, 1, bits, false), kvt::UnsupportedError);
  }
  CHECK_THROWS_WITH(fake_quantize_groups(x, 1, 1, true), Catch::Contains("symmetric"));
  CHECK_THROWS_WITH(fake_quantize_groups(x, 1, 12, false), Catch::Contains("12 bits"));
}

TEST_CASE("the result keeps the input dtype", "[lib][quant]") {
  at::Tensor x = random_normal({4, 8}, 2).to(at::kBFloat16);
  at::Tensor xq = fake_quantize_groups(x, 1, 4, false);
  CHECK(xq.scalar_type() == at::kBFloat16);
  CHECK(max_abs_diff(xq, x) < 1.0);
  CHECK_THROWS_AS(fake_quantize_groups(at::ones({2, 2}, at::kInt), 1, 4, false), kvt::InputError);
}

TEST_CASE("the CPU fast path and the ATen path give identical bits", "[lib][quant]") {
  // Per-token-like rows (group along the last dim), per-channel-like blocks (group along a middle dim),
  // constant groups, ties at .5 and values far from zero.
  at::Tensor x = random_normal({3, 8, 4, 16}, 17) * 5.0 + 2.0;
  x[0][0].fill_(1.25);
  x[1].narrow(1, 0, 2).fill_(-3.0);
  x[2][3] = at::arange(16, at::kFloat) * 0.5;
  for (int64_t dim : {3, 2, 1, 0})
    for (bool symmetric : {false, true})
      for (int bits = symmetric ? 2 : 1; bits <= 8; ++bits) {
        CAPTURE(dim, symmetric, bits);
        CHECK(at::equal(fake_quantize_groups(x, dim, bits, symmetric),
                        kvt::quant::detail::fake_quantize_groups_aten(x, dim, bits, symmetric)));
      }
  at::Tensor far = random_normal({16, 32}, 4) * 0.01 + 300.0;
  CHECK(at::equal(fake_quantize_groups(far, 1, 8, false),
                  kvt::quant::detail::fake_quantize_groups_aten(far, 1, 8, false)));
  at::Tensor strided = random_normal({32, 16}, 5).t();  // non-contiguous input
  CHECK(at::equal(fake_quantize_groups(strided, 1, 4, false),
                  kvt::quant::detail::fake_quantize_groups_aten(strided, 1, 4, false)));
}
