// nvfp4 KV-cache type (lib/quant/kv_types/nvfp4.cpp). Expected values follow NVIDIA ModelOpt's
// NVFP4QTensor (modelopt/torch/quantization/qtensor/nvfp4_tensor.py): s2 = amax / (6 · 448); block scale
// fp8_e4m3fn(block_amax / (6 · s2)) with 0 → 1; x̂ = e2m1(x / (scale · s2)) · scale · s2, where e2m1 rounds to
// the nearest of ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, ties to the even code (_cast_fp4: searchsorted plus the
// 0.75/1.75/3.5 adjustment), saturating at 6. With s2 = 1 and block scale 1 every step below is exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/kv_types.h"

using namespace kvt::quant;

namespace {
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const std::vector<float> kTies = {0.0f, 0.25f,  0.75f,  1.25f, 1.75f, 2.5f, 3.5f, 5.0f,
                                  6.0f, -0.25f, -0.75f, -2.5f, -5.5f, 0.3f, 2.9f, 4.9f};
// 0.25 → 0, 0.75 → 1, 1.25 → 1, 1.75 → 2, 2.5 → 2, 3.5 → 4, 5 → 4 (ties to even codes); −5.5 → −6.
const std::vector<float> kTiesExpected = {0.0f, 0.0f,  1.0f,  1.0f,  2.0f,  2.0f, 4.0f, 4.0f,
                                          6.0f, -0.0f, -1.0f, -2.0f, -6.0f, 0.5f, 3.0f, 4.0f};

KvTypeParams global(float s2) {
  KvTypeParams p;
  p.global_scale = s2;
  return p;
}
}  // namespace

TEST_CASE("nvfp4 rounds to e2m1 with ties to even codes", "[lib][quant][kv_types]") {
  // s2 = 1, block amax 6 → block scale 6 / 6 = 1.
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), kTies, global(1.0f)) == kTiesExpected);
}

TEST_CASE("nvfp4 derives the global scale from amax / (6 * 448)", "[lib][quant][kv_types]") {
  // Scaled by 448: amax 2688 → s2 = 1; block scale 2688 / 6 = 448 (fp8 e4m3 max, exact); x / 448 = kTies.
  std::vector<float> x, expected;
  for (size_t i = 0; i < kTies.size(); ++i) {
    x.push_back(kTies[i] * 448.0f);
    expected.push_back(kTiesExpected[i] * 448.0f);
  }
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), x) == expected);
}

TEST_CASE("nvfp4's block scale is rounded to fp8 e4m3", "[lib][quant][kv_types]") {
  // s2 = 1: block amax 6.375 → 1.0625 → halfway between e4m3 1 and 1.125 → 1. So 6.375 → e2m1 6 → 6, and a
  // block of zeros gets the scale 1.0 (ModelOpt sets zero block scales to 1) and stays 0.
  std::vector<float> x(32, 0.0f);
  x[0] = 6.375f;
  x[1] = 0.5f;
  x[2] = -3.2f;  // → −3
  const std::vector<float> y = fake_quantize_row(find_kv_type("nvfp4"), x, global(1.0f));
  CHECK(y[0] == 6.0f);
  CHECK(y[1] == 0.5f);
  CHECK(y[2] == -3.0f);
  for (int j = 16; j < 32; ++j) CHECK(y[j] == 0.0f);
  // s2 = 0.5: block scale 6.375 / 3 = 2.125 → e4m3 step 0.25 in [2, 4) → halfway → 2; denominator 2 · 0.5 = 1.
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), x, global(0.5f))[0] == 6.0f);
  // s2 = 0.125: block scale 8.5 → step 1 in [8, 16) → halfway → 8; denominator 1; 0.3 → 0.5
  std::vector<float> z(16, 0.0f);
  z[0] = 6.375f;
  z[1] = 0.3f;
  const std::vector<float> w = fake_quantize_row(find_kv_type("nvfp4"), z, global(0.125f));
  CHECK(w[0] == 6.0f);
  CHECK(w[1] == 0.5f);
}

TEST_CASE("nvfp4 NaN and overflow follow the ModelOpt reference", "[lib][quant][kv_types]") {
  const KvType& t = find_kv_type("nvfp4");
  std::vector<float> x(32, 1.0f);
  x[3] = kNaN;
  // Without a calibrated global scale, torch.amax is NaN: every element becomes NaN.
  for (float v : fake_quantize_row(t, x)) CHECK(std::isnan(v));
  // With one, only the NaN's block is NaN (its block amax is NaN).
  const std::vector<float> y = fake_quantize_row(t, x, global(1.0f / 6.0f));
  for (int j = 0; j < 16; ++j) CHECK(std::isnan(y[j]));
  for (int j = 16; j < 32; ++j) CHECK(y[j] == 1.0f);  // block scale 1 / (6/6) = 1 → 1 → e2m1 1
  // A calibrated global scale too small for the block: block scale 3000 / 6 = 500 ≥ 480 → torch's e4m3fn cast
  // gives NaN, so the block is NaN.
  std::vector<float> big(16, 0.0f);
  big[0] = 3000.0f;
  for (float v : fake_quantize_row(t, big, global(1.0f))) CHECK(std::isnan(v));
  // An all-zero tensor: s2 = 0 and 0 / 0 = NaN block scales (the reference has no guard for it).
  for (float v : fake_quantize_row(t, std::vector<float>(16, 0.0f))) CHECK(std::isnan(v));
}

TEST_CASE("nvfp4: a constant block maps to the top code", "[lib][quant][kv_types]") {
  // s2 = 1: block amax 3 → block scale 3/6 = 0.5 (an e4m3 value) → 3 / 0.5 = 6 → e2m1 6 → 6 · 0.5 = 3.
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), std::vector<float>(16, 3.0f), global(1.0f)) ==
        std::vector<float>(16, 3.0f));
  // −3.3: block scale 0.55 → e4m3 0.5625 (step 1/16 in [0.5, 1): 8.8 → 9); −3.3 / 0.5625 = −5.87 → −6 → −3.375.
  CHECK(fake_quantize_row(find_kv_type("nvfp4"), std::vector<float>(16, -3.3f), global(1.0f)) ==
        std::vector<float>(16, -3.375f));
}

TEST_CASE("nvfp4 stores 4.5 bits per element", "[lib][quant][kv_types]") {
  CHECK(find_kv_type("nvfp4").bits_per_element(128) == 4.5);  // 16 × 4 bits + 8-bit scale per 16
  CHECK(find_kv_type("nvfp4").tensor_param_bits == 32);
}
