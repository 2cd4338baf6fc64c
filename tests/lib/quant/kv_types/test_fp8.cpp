// fp8_e4m3 / fp8_e5m2 KV-cache types (lib/quant/kv_types/fp8.cpp). Expected values: vLLM's cache writer
// csrc/quantization/fp8/nvidia/quant_utils.cuh stores __nv_cvt_float_to_fp8(x / scale, __NV_SATFINITE, type)
// and reads float(fp8) * scale; SGLang's set_kv_buffer divides by the scale and casts with torch .to() (no
// saturation). The fp8 grids are those of the OCP FP8 formats. All products by power-of-two scales are exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/kv_types.h"

using namespace kvt::quant;

namespace {
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

void check_equal(const std::vector<float>& got, const std::vector<float>& expected) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", expected " << expected[i]);
    if (std::isnan(expected[i]))
      CHECK(std::isnan(got[i]));
    else
      CHECK(got[i] == expected[i]);
  }
}
}  // namespace

TEST_CASE("fp8_e4m3 with the default scale 1.0 rounds to the e4m3fn grid and saturates", "[lib][quant][kv_types]") {
  const KvType& t = find_kv_type("fp8_e4m3");
  CHECK(KvTypeParams{}.scale == 1.0f);  // the engines' value without calibration
  CHECK(KvTypeParams{}.fp8_overflow == Fp8Overflow::Saturate);
  const std::vector<float> x = {0.0f,    1.0f,         -1.0f,         448.0f, 500.0f, -1e6f, 1.0625f, 1.1875f,
                                0.0625f, 0.001953125f, 0.0009765625f, kInf,   -kInf,  kNaN,  3.3f,    -0.3f};
  // 1.0625 and 1.1875 are halfway cases (→ 1 and 1.25, even mantissas); 2^-9 is the smallest subnormal and
  // 2^-10 is halfway to 0. 3.3 lies in [2, 4) with step 0.25 → 3.25; 0.3 in [0.25, 0.5) with step 1/32 →
  // 0.3125 (9.6/32 → 10/32).
  check_equal(fake_quantize_row(t, x), {0.0f, 1.0f, -1.0f, 448.0f, 448.0f, -448.0f, 1.0f, 1.25f, 0.0625f, 0.001953125f,
                                        0.0f, 448.0f, -448.0f, kNaN, 3.25f, -0.3125f});
}

TEST_CASE("fp8_e4m3 divides by the calibrated scale and multiplies back", "[lib][quant][kv_types]") {
  const KvType& t = find_kv_type("fp8_e4m3");
  KvTypeParams p;
  p.scale = 2.0f;
  // 3 / 2 = 1.5 (on the grid); 2.125 / 2 = 1.0625 → halfway → 1 → 2; 1000 / 2 = 500 → saturates to 448 → 896.
  check_equal(fake_quantize_row(t, {3.0f, 2.125f, 1000.0f, -1000.0f}, p), {3.0f, 2.0f, 896.0f, -896.0f});
  p.scale = 0.5f;  // small values gain resolution: 0.3 / 0.5 = 0.6 → step 1/16 in [0.5, 1) → 0.625 → 0.3125
  check_equal(fake_quantize_row(t, {0.3f, 300.0f}, p), {0.3125f, 224.0f});
}

TEST_CASE("fp8_e4m3: TensorRT-LLM multiplies by the reciprocal of the scale", "[lib][quant][kv_types]") {
  // s = 0.03 (fp32 0.029999999329): x = 0.046875 gives x / s = 1.5625 exactly, halfway between e4m3 1.5 and
  // 1.625 → 1.5 (even). fl(1/s) = 33.333334 is a little above 1/s, so x · fl(1/s) = 1.5625001 → 1.625.
  const KvType& t = find_kv_type("fp8_e4m3");
  KvTypeParams p;
  p.scale = 0.03f;
  CHECK(fake_quantize_row(t, {0.046875f}, p)[0] == 1.5f * p.scale);
  p.fp8_reciprocal_scale = true;
  CHECK(fake_quantize_row(t, {0.046875f}, p)[0] == 1.625f * p.scale);
  p.scale = 2.0f;  // a power of two: both orders are exact and agree
  check_equal(fake_quantize_row(t, {3.0f, 2.125f, 1000.0f}, p), {3.0f, 2.0f, 896.0f});
}

TEST_CASE("fp8_e4m3 with SGLang's torch cast turns overflow into NaN", "[lib][quant][kv_types]") {
  const KvType& t = find_kv_type("fp8_e4m3");
  KvTypeParams p;
  p.fp8_overflow = Fp8Overflow::TorchCast;
  check_equal(fake_quantize_row(t, {464.0f, 470.0f, -1e6f, kInf, 448.0f, kNaN}, p),
              {448.0f, kNaN, kNaN, kNaN, 448.0f, kNaN});
}

TEST_CASE("fp8_e5m2 rounds to the e5m2 grid, saturating or to infinity", "[lib][quant][kv_types]") {
  const KvType& t = find_kv_type("fp8_e5m2");
  // 1.125 and 1.375 are halfway (→ 1, 1.5); 61440 is halfway between 57344 and 2^16 → overflow.
  const std::vector<float> x = {1.125f, 1.375f, 0.0000152587890625f, 57344.0f, 61440.0f, 60000.0f, kInf, kNaN};
  check_equal(fake_quantize_row(t, x), {1.0f, 1.5f, 0.0000152587890625f, 57344.0f, 57344.0f, 57344.0f, 57344.0f, kNaN});
  KvTypeParams p;
  p.fp8_overflow = Fp8Overflow::TorchCast;
  check_equal(fake_quantize_row(t, x, p), {1.0f, 1.5f, 0.0000152587890625f, 57344.0f, kInf, 57344.0f, kInf, kNaN});
}

TEST_CASE("fp8: a constant row rounds every element alike, zeros stay zero", "[lib][quant][kv_types]") {
  // Element-wise: 3.3 → 3.25 (e4m3 step 0.25 in [2, 4)) and → 3.5 (e5m2 step 0.5 in [2, 4): 6.6 → 7 halves).
  check_equal(fake_quantize_row(find_kv_type("fp8_e4m3"), std::vector<float>(8, 3.3f)), std::vector<float>(8, 3.25f));
  check_equal(fake_quantize_row(find_kv_type("fp8_e5m2"), std::vector<float>(8, 3.3f)), std::vector<float>(8, 3.5f));
  check_equal(fake_quantize_row(find_kv_type("fp8_e4m3"), std::vector<float>(8, 0.0f)), std::vector<float>(8, 0.0f));
}

TEST_CASE("fp8 types store 8 bits per element", "[lib][quant][kv_types]") {
  CHECK(find_kv_type("fp8_e4m3").bits_per_element(128) == 8.0);
  CHECK(find_kv_type("fp8_e5m2").bits_per_element(96) == 8.0);
  CHECK(find_kv_type("fp8_e4m3").tensor_param_bits == 32);  // the fp32 scale, once per tensor
}
