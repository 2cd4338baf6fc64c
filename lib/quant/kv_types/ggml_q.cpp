// llama.cpp's legacy block types q8_0, q5_1, q5_0, q4_1, q4_0 as KV-cache types (`--cache-type-k/-v`;
// docs/engine-types.md §5). Blocks of 32 consecutive elements along head_dim. The arithmetic is ggml's
// reference quantizer, which the CPU backend's `from_float` calls for these types
// (ggml/src/ggml-quants.c `quantize_row_<type>_ref`, `dequantize_row_<type>`; ggml/src/ggml-cpu/quants.c),
// in IEEE single precision without contraction into fused multiply-adds (ggml-base on x86-64):
//   q8_0  amax = MAX(amax, |x|) (the macro a > b ? a : b);  d = amax / 127;  id = d ? 1/d : 0
//         q = (int8_t) roundf(x · id)          (roundf: ties away from zero)        x̂ = q · fp16(d)
//   q4_0  max = the signed value of largest |x| (first one; `amax < |x|`);  d = max / −8;  id = d ? 1/d : 0
//         q = MIN(15, (int8_t)(x · id + 8.5f))  (truncation: round half up)          x̂ = (q − 8) · fp16(d)
//   q5_0  as q4_0 with d = max / −16,  q = MIN(31, (int8_t)(x · id + 16.5f)),         x̂ = (q − 16) · fp16(d)
//   q4_1  min, max (`v < min`, `v > max` from ±FLT_MAX);  d = (max − min) / 15;  id = d ? 1/d : 0
//         q = MIN(15, (int8_t)((x − min) · id + 0.5f))                               x̂ = q · fp16(d) + fp16(min)
//   q5_1  as q4_1 with d = (max − min) / 31,  q = (uint8_t)((x − min) · id + 0.5f)     x̂ = q · fp16(d) + fp16(min)
// The codes use the fp32 d (id) and min; only the stored d and m are rounded to fp16 (RNE), so a dequantized
// value carries both roundings. Float→int8/uint8 conversions of NaN or out-of-range values are undefined
// behaviour in C; on x86-64 (cvttss2si) they yield 0x80000000, whose low byte is 0: a NaN gets code 0.
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

namespace {

constexpr int kBlock = 32;

// (int8_t)(float) / (uint8_t)(float) as GCC compiles them on x86-64: cvttss2si to int32 (truncation toward
// zero; NaN and out-of-range give INT32_MIN), then the low byte.
int32_t cvtt_i32(float v) {
  if (!(v > -2147483904.0f && v < 2147483648.0f)) return INT32_MIN;
  return int32_t(v);
}
int to_int8(float v) { return int(int8_t(uint8_t(uint32_t(cvtt_i32(v)) & 0xFFu))); }
int to_uint8(float v) { return int(uint32_t(cvtt_i32(v)) & 0xFFu); }

void qdq_q8_0(const float* x, float* out, int64_t n, const KvTypeParams&) {
  for (int64_t b = 0; b < n; b += kBlock) {
    const float* xb = x + b;
    float amax = 0.0f;
    for (int j = 0; j < kBlock; ++j) {
      const float a = std::fabs(xb[j]);
      amax = amax > a ? amax : a;
    }
    const float d = amax / ((1 << 7) - 1);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float dh = round_to_fp16(d);
    for (int j = 0; j < kBlock; ++j) out[b + j] = float(to_int8(std::round(xb[j] * id))) * dh;
  }
}

// q4_0 / q5_0: symmetric around the signed extreme; `levels` = 8 or 16.
template <int Levels>
void qdq_sym(const float* x, float* out, int64_t n, const KvTypeParams&) {
  constexpr int q_max = 2 * Levels - 1;
  constexpr float offset = float(Levels) + 0.5f;
  for (int64_t b = 0; b < n; b += kBlock) {
    const float* xb = x + b;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kBlock; ++j) {
      if (amax < std::fabs(xb[j])) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -Levels;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float dh = round_to_fp16(d);
    for (int j = 0; j < kBlock; ++j) {
      const float x0 = xb[j] * id;
      int q = to_int8(x0 + offset);
      q = (q < q_max ? q : q_max) & q_max;  // MIN(...), then the stored bits
      out[b + j] = float(q - Levels) * dh;
    }
  }
}

// q4_1 / q5_1: min and range; `Bits` = 4 or 5.
template <int Bits>
void qdq_asym(const float* x, float* out, int64_t n, const KvTypeParams&) {
  constexpr int q_max = (1 << Bits) - 1;
  for (int64_t b = 0; b < n; b += kBlock) {
    const float* xb = x + b;
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < kBlock; ++j) {
      if (xb[j] < min) min = xb[j];
      if (xb[j] > max) max = xb[j];
    }
    const float d = (max - min) / q_max;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float dh = round_to_fp16(d);
    const float mh = round_to_fp16(min);
    for (int j = 0; j < kBlock; ++j) {
      const float x0 = (xb[j] - min) * id;
      int q;
      if constexpr (Bits == 4) {
        q = to_int8(x0 + 0.5f);
        q = (q < q_max ? q : q_max) & q_max;
      } else {
        q = to_uint8(x0 + 0.5f) & q_max;  // q5_1 has no MIN; the block keeps 5 bits
      }
      const float scaled = float(q) * dh;
      out[b + j] = scaled + mh;
    }
  }
}

}  // namespace

KvType ggml_q8_0_kv_type() {
  return {"q8_0",
          "llama.cpp q8_0: 32-element blocks, int8 codes, fp16 scale d = amax/127, roundf (8.5 bits)",
          KvGranularity::PerBlock,
          kBlock,
          8,
          16,
          0,
          &qdq_q8_0,
          false};
}

KvType ggml_q5_1_kv_type() {
  return {"q5_1",
          "llama.cpp q5_1: 32-element blocks, 5-bit codes, fp16 scale d = (max-min)/31 and fp16 min (6 bits)",
          KvGranularity::PerBlock,
          kBlock,
          5,
          32,
          0,
          &qdq_asym<5>,
          false};
}

KvType ggml_q5_0_kv_type() {
  return {"q5_0",
          "llama.cpp q5_0: 32-element blocks, 5-bit codes, fp16 scale d = max/-16 (5.5 bits)",
          KvGranularity::PerBlock,
          kBlock,
          5,
          16,
          0,
          &qdq_sym<16>,
          false};
}

KvType ggml_q4_1_kv_type() {
  return {"q4_1",
          "llama.cpp q4_1: 32-element blocks, 4-bit codes, fp16 scale d = (max-min)/15 and fp16 min (5 bits)",
          KvGranularity::PerBlock,
          kBlock,
          4,
          32,
          0,
          &qdq_asym<4>,
          false};
}

KvType ggml_q4_0_kv_type() {
  return {"q4_0",
          "llama.cpp q4_0: 32-element blocks, 4-bit codes, fp16 scale d = max/-8 (4.5 bits)",
          KvGranularity::PerBlock,
          kBlock,
          4,
          16,
          0,
          &qdq_sym<8>,
          false};
}

}  // namespace kvt::quant
