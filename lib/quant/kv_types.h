// KV-cache types that inference engines run (docs/engine-types.md): fake quantizers (quantize, then
// dequantize) that reproduce each engine's own arithmetic, and their storage cost. One registry: a format is
// one file in lib/quant/kv_types/ plus one line in lib/quant/kv_types.cpp. Torch-free (kvt_quant_spec);
// the tensor entry point is lib/quant/kv_type_tensor.h.
//
// Units and layout. A K or V cache of one layer is [H_kv, T, D] (heads, tokens, head_dim). A *row* is the D
// elements of one token of one head; every format here works on rows, so a row is the unit of the reference
// below. Blocks run along D: `block_size` consecutive elements of a row share their block parameters.
//
// Registered types (name = the engine's spelling; block; storage bits per element incl. parameters):
//   fp8_e4m3  per-tensor scale s; x̂ = fp8(x / s) · s                    8      vLLM, SGLang, TensorRT-LLM
//   fp8_e5m2  likewise with e5m2                                          8      vLLM, SGLang
//   nvfp4     16-element blocks of e2m1 codes, fp8 e4m3 block scale,       4.5    TensorRT-LLM (ModelOpt)
//             fp32 per-tensor global scale
//   int8      per token per head asymmetric, 16-bit scale and zero        8 + 32/D   LMDeploy quant_policy 8
//   int4      likewise, 4-bit codes                                       4 + 32/D   LMDeploy quant_policy 4
//   q8_0      llama.cpp, 32-element blocks, fp16 d                        8.5
//   q5_1      fp16 d and m                                                6
//   q5_0      fp16 d                                                      5.5
//   q4_1      fp16 d and m                                                5
//   q4_0      fp16 d                                                      4.5
//   iq4_nl    fp16 d, 16-entry non-linear codebook                         4.5
// Per-tensor scales (fp8 s, nvfp4 global scale: 32 bits per layer tensor) are not amortised into bits per
// element: they do not grow with the cache.
//
// Arithmetic and sources (fp32 unless stated; the file named gives the full derivation; docs/engine-types.md):
//   fp8_*   x̂ = fp8(x / s) · s, round to nearest even, saturating — vLLM csrc/quantization/fp8/nvidia/
//           quant_utils.cuh (`__nv_cvt_float_to_fp8(x / scale, __NV_SATFINITE, ...)`); SGLang
//           mem_cache/memory_pool.py (div_ then torch cast: KvTypeParams::fp8_overflow = TorchCast);
//           TensorRT-LLM multiplies by 1/s (fp8_reciprocal_scale). kv_types/fp8.cpp
//   nvfp4   s2 = amax/(6·448); sb = fp8_e4m3fn(block_amax/(6·s2)) (0 → 1); x̂ = e2m1(x/(sb·s2)) · sb·s2,
//           e2m1 ties to even, saturating at 6 — NVIDIA ModelOpt modelopt/torch/quantization/qtensor/
//           nvfp4_tensor.py (NVFP4QTensor). kv_types/nvfp4.cpp
//   int8/4  T = fp16|bf16: scale = T((max − min)/(2^b − 1)), zero = min, q = rne(T(T(x − zero) · T(1/scale))),
//           x̂ = T(q · scale + zero) — LMDeploy src/turbomind/kernels/attention/quantization.h.
//           kv_types/lmdeploy_int.cpp
//   q*_*    ggml's quantize_row_<type>_ref / dequantize_row_<type>, fp16 d (and m) —
//           llama.cpp ggml/src/ggml-quants.c. kv_types/ggml_q.cpp
//   iq4_nl  quantize_row_iq4_nl_ref (ntry = −1): indices from max/−127, least-squares fp16 d —
//           llama.cpp ggml/src/ggml-quants.c. kv_types/ggml_iq4_nl.cpp
// NaN and ±inf are handled as each reference does (tested): e.g. a NaN makes an nvfp4 tensor without a
// calibrated global scale NaN, is skipped by LMDeploy's min/max and decodes to the zero point, and takes
// code 0 in llama.cpp's types (x86-64 float→int conversion).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/quant/float_formats.h"

namespace kvt::quant {

// The 16-bit float type LMDeploy (TurboMind) computes its KV-cache parameters in: the model's dtype.
enum class HalfType { F16, BF16 };

// Settings a type may read; each type reads only its own and ignores the rest.
struct KvTypeParams {
  // fp8: the per-tensor scale s (k_scale / v_scale): x is stored as fp8(x / s) and read as fp8 · s. 1.0 is
  // what vLLM, SGLang and TensorRT-LLM use when no calibrated scale is loaded. Must be finite and > 0.
  float scale = 1.0f;
  // fp8: overflow behaviour; Saturate is vLLM's and TensorRT-LLM's CUDA cache writer, TorchCast SGLang's.
  Fp8Overflow fp8_overflow = Fp8Overflow::Saturate;
  // fp8: false divides, x / s (vLLM, SGLang); true multiplies by the fp32 reciprocal, x · fl(1/s), as
  // TensorRT-LLM does with kv_scale_orig_quant = 1 / kv_scale_quant_orig. Equal for power-of-two scales.
  bool fp8_reciprocal_scale = false;
  // nvfp4: the per-tensor fp32 global scale s2 (ModelOpt `weights_scaling_factor_2` = amax / (6 · 448)).
  // Unset: derived from the amax of the data passed in (the row for fake_quantize_row, the whole tensor for
  // the tensor entry point). When set it must be finite and > 0.
  std::optional<float> global_scale;
  // int8 / int4 (LMDeploy): the dtype the engine holds K/V and the scale and zero in.
  HalfType half_type = HalfType::F16;
};

// How many elements share one set of scale parameters.
enum class KvGranularity {
  PerTensor,     // one per-tensor scale; codes element-wise (block_size 1)
  PerBlock,      // block_size elements along D (16 or 32), plus possibly a per-tensor scale
  PerTokenHead,  // one row (D elements of one token of one head); block_size 0
};

// Quantize-dequantize of one row: `x` and `out` hold n floats (out may alias x); n is a multiple of the
// block size. Called through fake_quantize_row, which validates n and the params.
using KvQdqFn = void (*)(const float* x, float* out, int64_t n, const KvTypeParams& params);

struct KvType {
  std::string name;  // the engine's spelling, e.g. "q4_0"
  std::string help;  // one line: arithmetic and engines
  KvGranularity granularity = KvGranularity::PerBlock;
  int block_size = 0;         // elements per block along D (1 per tensor, 0 per token-head)
  int code_bits = 0;          // bits of one stored code
  int block_param_bits = 0;   // bits of one block's parameters (scales, zero points, minimums)
  int tensor_param_bits = 0;  // bits of the per-tensor parameters (not counted per element)
  KvQdqFn qdq = nullptr;
  // nvfp4: the tensor entry point derives KvTypeParams::global_scale = amax(|x|) / (6 · 448) when unset.
  bool global_scale_from_amax = false;

  // Storage per element in bits, parameters included: code_bits + block_param_bits / (elements per block),
  // where a per-token-head block holds head_dim elements. @throws InputError (431) if head_dim does not
  // fit the block size.
  double bits_per_element(int head_dim) const;
};

// The registered types in table order.
const std::vector<KvType>& kv_types();
std::vector<std::string> kv_type_names();

// @throws InputError (430) naming `option` and listing the registered names when `name` is unknown.
const KvType& find_kv_type(const std::string& name, const std::string& option = "--kv-type");

// Quantize-dequantize one row of n elements (n > 0, a multiple of the block size; any n ≥ 1 for per-tensor
// types). `out` may alias `x`. @throws InputError (431) for a row that does not fit the blocks, (432) for an
// fp8 scale or nvfp4 global scale that is not finite and > 0 (settings a type does not read are not checked).
void fake_quantize_row(const KvType& type, const float* x, float* out, int64_t n, const KvTypeParams& params = {});

// Convenience for tests and search/: the same on a vector.
std::vector<float> fake_quantize_row(const KvType& type, const std::vector<float>& x, const KvTypeParams& params = {});

}  // namespace kvt::quant
