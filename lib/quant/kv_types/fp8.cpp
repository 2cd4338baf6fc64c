// fp8_e4m3 and fp8_e5m2 KV caches with a per-tensor scale (docs/engine-types.md §2).
//
// vLLM (csrc/quantization/fp8/nvidia/quant_utils.cuh, `scaled_vec_conversion<uint8_t, float>`):
//   store  __nv_cvt_float_to_fp8(x / scale, __NV_SATFINITE, __NV_E4M3 | __NV_E5M2)   (fp32 division,
//          round to nearest even, saturate to ±max finite; NaN stays NaN)
//   load   float(fp8) * scale
// `scale` is the layer's k_scale / v_scale: 1.0 unless a checkpoint or calibration supplies one.
// SGLang (python/sglang/srt/mem_cache/memory_pool.py, `set_kv_buffer`): `cache_k.div_(k_scale)` then
// `.to(torch.float8_e4m3fn)` — the same rounding without saturation (Fp8Overflow::TorchCast).
// TensorRT-LLM (cpp/tensorrt_llm/kernels/decoderMaskedMultiheadAttention, unfusedAttentionKernels): multiplies
// by kv_scale_orig_quant = 1 / kv_scale_quant_orig (1.0 by default) and converts with the saturating
// __nv_fp8_e4m3 constructor; reads fp8 · kv_scale_quant_orig (KvTypeParams::fp8_reciprocal_scale).
#include <cstdint>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

namespace {

template <Fp8Format F>
void qdq_fp8(const float* x, float* out, int64_t n, const KvTypeParams& p) {
  const float reciprocal = 1.0f / p.scale;
  for (int64_t i = 0; i < n; ++i) {
    const float scaled = p.fp8_reciprocal_scale ? x[i] * reciprocal : x[i] / p.scale;
    out[i] = round_to_fp8(scaled, F, p.fp8_overflow) * p.scale;
  }
}

}  // namespace

KvType fp8_e4m3_kv_type() {
  return {"fp8_e4m3",
          "fp8 e4m3fn (max 448) with a per-tensor scale: fp8(x / scale) * scale, round to nearest even, saturating "
          "(vLLM, TensorRT-LLM; SGLang casts without saturation)",
          KvGranularity::PerTensor,
          1,
          8,
          0,
          32,
          &qdq_fp8<Fp8Format::E4M3FN>,
          false};
}

KvType fp8_e5m2_kv_type() {
  return {"fp8_e5m2",
          "fp8 e5m2 (max 57344) with a per-tensor scale: fp8(x / scale) * scale, round to nearest even, saturating "
          "(vLLM; SGLang casts without saturation)",
          KvGranularity::PerTensor,
          1,
          8,
          0,
          32,
          &qdq_fp8<Fp8Format::E5M2>,
          false};
}

}  // namespace kvt::quant
