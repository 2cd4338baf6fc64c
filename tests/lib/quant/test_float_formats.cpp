// Rounding to fp16, bf16 and fp8 (lib/quant/float_formats.h). Expected values follow from the format
// definitions (IEEE 754 binary16; bfloat16; OCP FP8 e4m3fn / e5m2) with round to nearest, ties to even, and
// from the overflow rules of CUDA's __NV_SATFINITE and PyTorch's float8 casts (c10/util/Float8_e4m3fn.h,
// Float8_e5m2.h). Every expected value is exact, so every comparison is exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "lib/quant/float_formats.h"

using namespace kvt::quant;

namespace {
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
float p2(int e) { return std::ldexp(1.0f, e); }
}  // namespace

TEST_CASE("fp16 rounding: ties to even, subnormals, overflow", "[lib][quant][kv_types]") {
  CHECK(round_to_fp16(1.0f) == 1.0f);
  CHECK(round_to_fp16(1.0f + p2(-11)) == 1.0f);                      // halfway 1 / 1+2^-10 → even (1)
  CHECK(round_to_fp16(1.0f + 3 * p2(-11)) == 1.0f + p2(-9));         // halfway 1+2^-10 / 1+2^-9 → even
  CHECK(round_to_fp16(1.0f + p2(-11) + p2(-20)) == 1.0f + p2(-10));  // just above halfway
  CHECK(round_to_fp16(65504.0f) == 65504.0f);
  CHECK(round_to_fp16(65519.0f) == 65504.0f);
  CHECK(round_to_fp16(65520.0f) == kInf);  // halfway to 2^16 → even → overflow
  CHECK(round_to_fp16(-1e6f) == -kInf);
  CHECK(round_to_fp16(p2(-24)) == p2(-24));  // smallest subnormal
  CHECK(round_to_fp16(p2(-25)) == 0.0f);     // halfway 0 / 2^-24 → even (0)
  CHECK(round_to_fp16(3 * p2(-26)) == p2(-24));
  CHECK(round_to_fp16(3 * p2(-25)) == p2(-23));  // halfway 2^-24 / 2^-23 → even
  CHECK(std::signbit(round_to_fp16(-0.0f)));
  CHECK(std::signbit(round_to_fp16(-p2(-26))));  // underflow keeps the sign
  CHECK(std::isnan(round_to_fp16(kNaN)));
  CHECK(round_to_fp16(kInf) == kInf);
  CHECK(round_to_fp16(0.1f) == 0.0999755859375f);  // 1638 · 2^-14
}

TEST_CASE("bf16 rounding: ties to even, overflow", "[lib][quant][kv_types]") {
  CHECK(round_to_bf16(1.0f + p2(-8)) == 1.0f);
  CHECK(round_to_bf16(1.0f + 3 * p2(-8)) == 1.0f + p2(-6));
  CHECK(round_to_bf16((2.0f - p2(-7)) * p2(127)) == (2.0f - p2(-7)) * p2(127));  // the largest bf16
  CHECK(round_to_bf16((2.0f - p2(-8)) * p2(127)) == kInf);  // halfway to 2^128 → even → overflow
  CHECK(round_to_bf16(std::numeric_limits<float>::max()) == kInf);
  CHECK(std::isnan(round_to_bf16(kNaN)));
}

TEST_CASE("fp8 e4m3fn: grid, ties, subnormals, saturation vs torch cast", "[lib][quant][kv_types]") {
  const auto sat = [](float x) { return round_to_fp8(x, Fp8Format::E4M3FN, Fp8Overflow::Saturate); };
  const auto torch = [](float x) { return round_to_fp8(x, Fp8Format::E4M3FN, Fp8Overflow::TorchCast); };
  CHECK(fp8_max(Fp8Format::E4M3FN) == 448.0f);
  CHECK(sat(1.0625f) == 1.0f);   // halfway 1 / 1.125 → even mantissa (1)
  CHECK(sat(1.1875f) == 1.25f);  // halfway 1.125 / 1.25 → even (1.25)
  CHECK(sat(-1.1875f) == -1.25f);
  CHECK(sat(p2(-9)) == p2(-9));  // smallest subnormal
  CHECK(sat(p2(-10)) == 0.0f);   // halfway 0 / 2^-9 → 0
  CHECK(sat(3 * p2(-10)) == p2(-8));
  CHECK(sat(448.0f) == 448.0f);
  CHECK(sat(464.0f) == 448.0f);  // halfway 448 / (480) → even: 448 in both modes
  CHECK(torch(464.0f) == 448.0f);
  CHECK(sat(470.0f) == 448.0f);      // rounds past 448: saturates ...
  CHECK(std::isnan(torch(470.0f)));  // ... or is NaN (0x7F) in torch's cast
  CHECK(sat(-1e6f) == -448.0f);
  CHECK(sat(kInf) == 448.0f);
  CHECK(sat(-kInf) == -448.0f);
  CHECK(std::isnan(torch(kInf)));
  CHECK(std::isnan(sat(kNaN)));
  CHECK(std::isnan(torch(kNaN)));
  CHECK(std::signbit(sat(-0.0f)));
}

TEST_CASE("fp8 e5m2: grid, ties, subnormals, saturation vs torch cast", "[lib][quant][kv_types]") {
  const auto sat = [](float x) { return round_to_fp8(x, Fp8Format::E5M2, Fp8Overflow::Saturate); };
  const auto torch = [](float x) { return round_to_fp8(x, Fp8Format::E5M2, Fp8Overflow::TorchCast); };
  CHECK(fp8_max(Fp8Format::E5M2) == 57344.0f);
  CHECK(sat(1.125f) == 1.0f);  // halfway 1 / 1.25 → even (1)
  CHECK(sat(1.375f) == 1.5f);  // halfway 1.25 / 1.5 → even (1.5)
  CHECK(sat(p2(-16)) == p2(-16));
  CHECK(sat(p2(-17)) == 0.0f);
  CHECK(sat(60000.0f) == 57344.0f);
  CHECK(torch(60000.0f) == 57344.0f);
  CHECK(sat(61440.0f) == 57344.0f);  // halfway 57344 / 65536 → 65536: overflow
  CHECK(torch(61440.0f) == kInf);
  CHECK(torch(-kInf) == -kInf);
  CHECK(sat(kInf) == 57344.0f);
  CHECK(std::isnan(sat(kNaN)));
}
