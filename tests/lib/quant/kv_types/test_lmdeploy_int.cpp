// int8 / int4 KV-cache types of LMDeploy (lib/quant/kv_types/lmdeploy_int.cpp). Expected values follow
// TurboMind's src/turbomind/kernels/attention/quantization.h: scale = T((max − min) · 1/(2^b − 1)),
// zero = min, both in the model dtype T; q = cvt.rni.sat(T(T(x − zero) · T(1/scale))), capped at 2^b − 1;
// x̂ = T(q · scale + zero). cvt.rni rounds to nearest even; NaN → 0. Every intermediate below is worked out
// by hand in the comments; the comparisons are exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/kv_types.h"

using namespace kvt::quant;

namespace {
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
}  // namespace

TEST_CASE("LMDeploy int8: unit scale, fp16 inputs, ties to even", "[lib][quant][kv_types]") {
  // min 0, max 255: scale = 255 · fl(1/255) = 1.0000000591 → fp32 1 → fp16 1; zero 0; inverse 1.
  // fp16(100.4) = 100.375 (step 1/16) → 100; fp16(254.6) = 254.625 (step 1/8) → 255; 2.5 → 2 and 3.5 → 4.
  const std::vector<float> x = {0.0f, 255.0f, 1.0f, 2.5f, 3.5f, 100.4f, 254.6f, 128.0f};
  CHECK(fake_quantize_row(find_kv_type("int8"), x) ==
        std::vector<float>{0.0f, 255.0f, 1.0f, 2.0f, 4.0f, 100.0f, 255.0f, 128.0f});
}

TEST_CASE("LMDeploy int8: the scale and its inverse are held in fp16 or bf16", "[lib][quant][kv_types]") {
  // x = {−1, 1, 0}; max − min = 2; 2 · fl(1/255) = 0.0078431377.
  // fp16: scale = 1028 · 2^-17 = 0.007843017578125; inverse fp16(127.50195) = 127.5.
  //   x = 1: T(2 · 127.5) = 255 → x̂ = T(255 · scale − 1) = T(0.99996948) = 1 (step 2^-11).
  //   x = 0: 127.5 → 128 (even) → x̂ = 128 · scale − 1 = 2^-8 exactly.
  // bf16: scale = 129 · 2^-14 = 0.00787353515625; inverse bf16(127.0078) = 127.
  //   x = 1: 254 → x̂ = bf16(0.99987793) = 1 (step 2^-8);  x = 0: 127 → x̂ = 127 · scale − 1 = −2^-14.
  const std::vector<float> x = {-1.0f, 1.0f, 0.0f};
  CHECK(fake_quantize_row(find_kv_type("int8"), x) == std::vector<float>{-1.0f, 1.0f, 0.00390625f});
  KvTypeParams bf16;
  bf16.half_type = HalfType::BF16;
  CHECK(fake_quantize_row(find_kv_type("int8"), x, bf16) == std::vector<float>{-1.0f, 1.0f, -0.00006103515625f});
}

TEST_CASE("LMDeploy int4: 16 levels, ties to even, cap at 15", "[lib][quant][kv_types]") {
  // min 0, max 15: scale = 15 · fl(1/15) = 1.0000000522 → 1. fp16(7.49) = 7.48828125 → 7; 0.5 → 0; 1.5 → 2;
  // 7.5 → 8; 14.5 → 14; 2.5 → 2.
  const std::vector<float> x = {0.0f, 15.0f, 0.5f, 1.5f, 7.49f, 7.5f, 14.5f, 2.5f};
  CHECK(fake_quantize_row(find_kv_type("int4"), x) ==
        std::vector<float>{0.0f, 15.0f, 0.0f, 2.0f, 7.0f, 8.0f, 14.0f, 2.0f});
}

TEST_CASE("LMDeploy: a constant row is reproduced in the model dtype", "[lib][quant][kv_types]") {
  // scale 0 → inverse inf → (x − zero) · inf = 0 · inf = NaN → q = 0 → x̂ = zero = fp16(3.3) = 3.30078125.
  const std::vector<float> x(8, 3.3f);
  for (const char* name : {"int8", "int4"})
    CHECK(fake_quantize_row(find_kv_type(name), x) == std::vector<float>(8, 3.30078125f));
}

TEST_CASE("LMDeploy: NaN elements are skipped by min/max and decode to the zero point", "[lib][quant][kv_types]") {
  // __hmin/__hmax return the other operand for a NaN; cvt.rni.sat.u8 of NaN is 0 → x̂ = zero.
  CHECK(fake_quantize_row(find_kv_type("int8"), {kNaN, 0.0f, 255.0f, 3.0f}) ==
        std::vector<float>{0.0f, 0.0f, 255.0f, 3.0f});
  // An infinite element makes the scale infinite: every x̂ = 0 · inf + zero is NaN.
  for (float v : fake_quantize_row(find_kv_type("int8"), {kInf, 0.0f, 1.0f})) CHECK(std::isnan(v));
}

TEST_CASE("LMDeploy: fp16 parameters can overflow at the top of the fp16 range", "[lib][quant][kv_types]") {
  // x = {0, 65504 (fp16 max)}: scale = 65504 · fl(1/255) = 256.878 → fp16 257 (step 1/4 in [256, 512));
  // inverse fp16(1/257) = 0.0038909912109375; q(65504) = T(254.875) → 255; x̂ = T(255 · 257) = T(65535) = inf,
  // beyond fp16's 65504: the fp16 decode overflows where an fp32 one would not.
  const std::vector<float> y = fake_quantize_row(find_kv_type("int8"), {0.0f, 65504.0f});
  CHECK(y[0] == 0.0f);
  CHECK(y[1] == kInf);
}

TEST_CASE("LMDeploy int8/int4 store the codes plus 32 bits per token per head", "[lib][quant][kv_types]") {
  CHECK(find_kv_type("int8").bits_per_element(128) == 8.25);
  CHECK(find_kv_type("int4").bits_per_element(128) == 4.25);
  CHECK(find_kv_type("int4").bits_per_element(64) == 4.5);
}
