// Tensor entry point of the engine KV-cache types (lib/quant/kv_types.h, docs/engine-types.md): fake
// quantization of a whole K or V cache of one layer, for profiling.
#pragma once
#include <ATen/ATen.h>

#include "lib/quant/kv_types.h"

namespace kvt::quant {

// x: [H_kv, T, D] fp32 on CPU (any strides); blocks run along D. Returns a new contiguous fp32 tensor of
// x's shape holding the dequantized values, each row through fake_quantize_row. For nvfp4 without
// params.global_scale the global scale is amax(|x|) / (6 · 448) over the whole tensor (one layer's K or
// V, as ModelOpt calibrates it); a NaN anywhere makes it NaN. Rows are processed in parallel.
// @throws InputError 406 when x is not 3-D, 433 when it is not fp32 on CPU, and fake_quantize_row's errors
// (431 when D does not fit the block size, 432 for a bad scale).
at::Tensor fake_quantize(const KvType& type, const at::Tensor& x, const KvTypeParams& params = {});

}  // namespace kvt::quant
