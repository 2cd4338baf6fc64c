#include "lib/quant/kv_type_tensor.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lib/core/error.h"

namespace kvt::quant {

at::Tensor fake_quantize(const KvType& type, const at::Tensor& x, const KvTypeParams& params) {
  if (x.dim() != 3)
    throw InputError("fake_quantize(" + type.name + "): the K/V tensor must be [H_kv, T, D], got " +
                         std::to_string(x.dim()) + " dimensions",
                     406);
  if (x.scalar_type() != at::kFloat || !x.device().is_cpu())
    throw InputError("fake_quantize(" + type.name + "): the K/V tensor must be fp32 on CPU", 433);
  const int64_t d = x.size(2);
  // Validate the row length and the given scales once, on a zero row.
  std::vector<float> probe(size_t(std::max<int64_t>(d, 0)), 0.0f);
  fake_quantize_row(type, probe.data(), probe.data(), d, params);
  const at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const int64_t rows = in.size(0) * in.size(1);
  if (rows == 0) return out;
  KvTypeParams p = params;
  if (type.global_scale_from_amax && !p.global_scale) {
    // torch.amax semantics: a NaN anywhere makes the amax, and so the global scale, NaN.
    const bool any_nan = in.isnan().any().item<bool>();
    const float amax = in.abs().max().item<float>();
    p.global_scale = any_nan ? std::nanf("") : amax / (6.0f * 448.0f);
  }
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) type.qdq(src + r * d, dst + r * d, d, p);
  });
  return out;
}

}  // namespace kvt::quant
