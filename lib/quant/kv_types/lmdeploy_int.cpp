// int8 / int4 KV cache of LMDeploy's TurboMind engine, `quant_policy` 8 / 4 (docs/engine-types.md §4):
// asymmetric, one scale and one zero point per token per head, held in the model's 16-bit dtype T
// (src/turbomind/kernels/attention/quantization.h: warp_stats, quantize, ConvertKvCache):
//   x_T   = T(x)                                   K/V arrive in T
//   mn,mx = min / max of x_T over the row          __hmin/__hmax: a NaN element is skipped
//   scale = T((mx − mn) · fdividef(1, 2^b − 1))    the difference and product in fp32, stored in T
//   zero  = mn                                     stored in T (exact)
//   inv   = T(fdividef(1, scale))
//   q     = min(cvt.rni.sat.u8(T(T(x_T − zero) · inv)), 2^b − 1)   T arithmetic; round to nearest even,
//           saturate to [0, 255], NaN → 0
//   x̂     = T(q · scale + zero)                   one rounding (a fused multiply-add in T)
// fdividef is CUDA's fast division (an approximate reciprocal); here it is the correctly rounded fp32
// quotient, which the approximation can miss by an ulp of fp32 before the result is rounded to T.
// A constant row (scale 0) gives inv = inf, (x − zero) · inv = 0 · inf = NaN → q = 0 → x̂ = zero: exact.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

namespace {

// PTX cvt.rni.sat.u8: round to nearest even integer, clamp to [0, 255], NaN → 0.
int cvt_rni_sat_u8(float v) {
  if (std::isnan(v)) return 0;
  const float r = std::nearbyint(v);
  return r <= 0.0f ? 0 : r >= 255.0f ? 255 : int(r);
}

template <int Bits>
void qdq_lmdeploy(const float* x, float* out, int64_t n, const KvTypeParams& p) {
  auto to_t = [&](float v) { return p.half_type == HalfType::F16 ? round_to_fp16(v) : round_to_bf16(v); };
  const float inf = std::numeric_limits<float>::infinity();
  float mn = inf, mx = -inf;
  for (int64_t i = 0; i < n; ++i) {
    const float v = to_t(x[i]);
    if (std::isnan(v)) continue;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
  }
  constexpr int q_max = (1 << Bits) - 1;
  const float inv_q_max = 1.0f / float(q_max);
  const float scale = to_t((mx - mn) * inv_q_max);
  const float zero = mn;
  const float inv_scale = to_t(1.0f / scale);
  for (int64_t i = 0; i < n; ++i) {
    const float v = to_t(to_t(to_t(x[i]) - zero) * inv_scale);
    const int q = std::min(cvt_rni_sat_u8(v), q_max);
    out[i] = to_t(float(q) * scale + zero);
  }
}

}  // namespace

KvType lmdeploy_int8_kv_type() {
  return {"int8",
          "8-bit asymmetric per token per head, scale and zero in the model's fp16/bf16 (LMDeploy quant_policy 8)",
          KvGranularity::PerTokenHead,
          0,
          8,
          32,
          0,
          &qdq_lmdeploy<8>,
          false};
}

KvType lmdeploy_int4_kv_type() {
  return {"int4",
          "4-bit asymmetric per token per head, scale and zero in the model's fp16/bf16 (LMDeploy quant_policy 4)",
          KvGranularity::PerTokenHead,
          0,
          4,
          32,
          0,
          &qdq_lmdeploy<4>,
          false};
}

}  // namespace kvt::quant
