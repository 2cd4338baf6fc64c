#include "lib/quant/attention_masks.h"

#include <algorithm>
#include <limits>

#include "lib/core/error.h"

namespace kvt::quant {

int64_t first_visible_column(int64_t t0, int sliding_window) {
  return sliding_window > 0 ? std::max<int64_t>(0, t0 - sliding_window + 1) : 0;
}

ChunkBias chunk_bias(int64_t t0, int64_t t1, int64_t c0, int sliding_window, const at::Device& device) {
  ChunkBias out;
  out.column_begin = sliding_window > 0 ? c0 : t0;
  auto opts = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor rows = at::arange(t0, t1, opts).unsqueeze(1);                // [n, 1]
  at::Tensor cols = at::arange(out.column_begin, t1, opts).unsqueeze(0);  // [1, w]
  at::Tensor masked = cols > rows;
  if (sliding_window > 0) masked = masked.logical_or(cols <= rows - sliding_window);
  out.bias = at::zeros({t1 - t0, t1 - out.column_begin}, opts.dtype(at::kFloat))
                 .masked_fill_(masked, -std::numeric_limits<float>::infinity());
  return out;
}

std::vector<int64_t> host_steps(const at::Tensor& quantized_from) {
  at::Tensor cpu = quantized_from.to(at::kCPU, at::kLong).contiguous();
  std::vector<int64_t> tau(cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel());
  KVT_ASSERT(std::is_sorted(tau.begin(), tau.end()), "quantization steps must be non-decreasing in the token index");
  return tau;
}

int64_t first_full_precision_column(const std::vector<int64_t>& tau, int64_t t0) {
  return int64_t(std::upper_bound(tau.begin(), tau.end(), t0) - tau.begin());
}

at::Tensor full_precision_mask(const at::Tensor& tau_on_device, int64_t t0, int64_t t1, int64_t f) {
  at::Tensor rows =
      at::arange(t0, t1, at::TensorOptions().dtype(at::kLong).device(tau_on_device.device())).unsqueeze(1);
  return rows < tau_on_device.narrow(0, f, t1 - f).unsqueeze(0);
}

}  // namespace kvt::quant
