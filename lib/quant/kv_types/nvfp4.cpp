// nvfp4 KV cache: e2m1 codes in 16-element blocks, an fp8 e4m3 block scale and an fp32 per-tensor global
// scale (docs/engine-types.md §3). The arithmetic is NVIDIA TensorRT Model Optimizer's reference
// (modelopt/torch/quantization/qtensor/nvfp4_tensor.py, NVFP4QTensor), all in fp32:
//   s2    = amax(|x|) / (6 · 448)                                 get_weights_scaling_factor_2
//   sb    = fp8_e4m3fn(block_amax / (6 · s2)), 0 → 1.0 first        get_weights_scaling_factor (torch cast)
//   code  = e2m1(x / (float(sb) · s2))                              quantize + _cast_fp4
//   x̂     = e2m1_value(code) · (float(sb) · s2)                     dequantize
// _cast_fp4: sign = (v < 0); ord = searchsorted([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5], |v|) (the number of
// bounds strictly below |v|), plus 1 when |v| is exactly 0.75, 1.75 or 3.5: round to nearest, ties to the
// even code, |v| > 5 → 6 (saturating). amax is torch.amax: a NaN anywhere makes it NaN.
#include <cmath>
#include <cstdint>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

namespace {

constexpr int kBlock = 16;
constexpr float kE2m1Values[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
constexpr float kE2m1Bounds[7] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};

// torch.amax of |x|: NaN propagates.
float amax_abs(const float* x, int64_t n) {
  float m = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    const float a = std::fabs(x[i]);
    if (std::isnan(a)) return a;
    if (a > m) m = a;
  }
  return m;
}

// ModelOpt _cast_fp4 followed by the e2m1 value table (sign applied).
float e2m1_round(float v) {
  const bool negative = v < 0.0f;
  const float a = std::fabs(v);
  int ord = 0;
  // torch.searchsorted (left): the first bound b with !(b < a); a NaN compares false everywhere → 7.
  while (ord < 7 && !(kE2m1Bounds[ord] >= a)) ++ord;
  if (a == 0.75f || a == 1.75f || a == 3.5f) ++ord;
  const float value = kE2m1Values[ord];
  return negative ? -value : value;
}

void qdq_nvfp4(const float* x, float* out, int64_t n, const KvTypeParams& p) {
  const float s2 = p.global_scale ? *p.global_scale : amax_abs(x, n) / (6.0f * 448.0f);
  const float six_s2 = 6.0f * s2;
  for (int64_t b = 0; b < n; b += kBlock) {
    float block_scale = amax_abs(x + b, kBlock) / six_s2;
    if (block_scale == 0.0f) block_scale = 1.0f;
    const float sb = round_to_fp8(block_scale, Fp8Format::E4M3FN, Fp8Overflow::TorchCast);
    const float denom = sb * s2;
    for (int j = 0; j < kBlock; ++j) out[b + j] = e2m1_round(x[b + j] / denom) * denom;
  }
}

}  // namespace

KvType nvfp4_kv_type() {
  return {"nvfp4",
          "NVFP4: e2m1 values in 16-element blocks with an fp8 e4m3 block scale and an fp32 global scale "
          "amax/(6*448) (TensorRT-LLM, NVIDIA ModelOpt reference arithmetic)",
          KvGranularity::PerBlock,
          kBlock,
          4,
          8,
          32,
          &qdq_nvfp4,
          true};
}

}  // namespace kvt::quant
