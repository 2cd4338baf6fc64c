// Rounding of fp32 values to the narrow floating-point formats that inference engines store KV caches in
// (docs/engine-types.md §1). Every function takes an fp32 value and returns the fp32 value of the nearest
// representable number of the target format (round to nearest, ties to even, the IEEE 754 default), so the
// result can be used directly as the dequantized value. Torch-free; no errors are thrown.
//
// Formats (E = exponent bits, M = mantissa bits, bias = 2^(E-1) - 1 except where stated):
//   fp16       IEEE binary16, E5M10: max 65504, subnormals down to 2^-24; overflow to ±inf. ggml's
//              GGML_FP32_TO_FP16 (F16C `_cvtss_sh(x, 0)` or the FP16 library's bit trick, both round to
//              nearest even) and CUDA's __float2half_rn compute exactly this.
//   bf16       E8M7 (the top 16 bits of fp32 after rounding to nearest even); overflow to ±inf.
//   fp8 e4m3fn E4M3, bias 7, no infinities, one NaN per sign (S.1111.111): max 448, min normal 2^-6,
//              subnormals down to 2^-9 (OCP FP8 spec; PyTorch torch.float8_e4m3fn; CUDA __NV_E4M3).
//   fp8 e5m2   E5M2, bias 15, IEEE-like with infinities: max 57344, min normal 2^-14, subnormals to 2^-16.
// NaN in → NaN out for every format; the sign of zero is kept.
#pragma once
#include <cstdint>

namespace kvt::quant {

// IEEE binary16 rounding (round to nearest even); |x| ≥ 65520 → ±inf.
float round_to_fp16(float x);

// bfloat16 rounding (round to nearest even); values that round above 3.3895314e38 → ±inf.
float round_to_bf16(float x);

enum class Fp8Format { E4M3FN, E5M2 };

// What a conversion does with a value whose rounded magnitude exceeds the format's largest finite value
// (and with ±inf):
//   Saturate  → ±max finite (448 or 57344); NaN stays NaN. CUDA's `__nv_cvt_float_to_fp8(x, __NV_SATFINITE,
//               ...)` (PTX `cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32`), used by vLLM's and TensorRT-LLM's
//               CUDA KV-cache writers.
//   TorchCast → PyTorch's `tensor.to(torch.float8_e4m3fn / float8_e5m2)` (c10/util/Float8_e4m3fn.h,
//               Float8_e5m2.h): e4m3fn gives NaN (|x| ≥ 480, i.e. rounding past 448, and ±inf);
//               e5m2 gives ±inf (|x| ≥ 61440 rounds past 57344). Used by SGLang's KV pool (`set_kv_buffer`).
enum class Fp8Overflow { Saturate, TorchCast };

// Largest finite value: 448 (E4M3FN) or 57344 (E5M2).
float fp8_max(Fp8Format format);

// Rounds x to the fp8 format, round to nearest even, overflow as `overflow` says.
float round_to_fp8(float x, Fp8Format format, Fp8Overflow overflow);

}  // namespace kvt::quant
