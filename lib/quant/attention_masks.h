// Row-chunk helpers for attention over a streaming quantized cache (shared by quantized_attention and
// the profiler). Queries are processed in chunks of rows [t0, t1); a chunk only needs key columns
// [c0, t1) (causal, and sliding window if any).
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace kvt::quant {

// First key column any query in [t0, ...) can see: 0, or t0 − window + 1 with a sliding window
// (HF Mistral: key s is visible to query t iff t − window < s ≤ t).
int64_t first_visible_column(int64_t t0, int sliding_window);

struct ChunkBias {
  int64_t column_begin = 0;  // m0: bias covers columns [m0, t1)
  at::Tensor bias;           // fp32 [t1 − t0, t1 − m0]: 0 where visible, −inf where masked
};
// Causal (+ sliding-window) additive bias for rows [t0, t1) whose columns start at c0.
ChunkBias chunk_bias(int64_t t0, int64_t t1, int64_t c0, int sliding_window, const at::Device& device);

// τ as a host vector; checks that it is non-decreasing (true for every streaming schedule).
std::vector<int64_t> host_steps(const at::Tensor& quantized_from);

// First key column s whose token a query at t0 still sees in full precision: the first s with τ_s > t0.
// Queries t ≥ t0 see every column before it quantized, so full-precision columns of the chunk lie in
// [returned, t1).
int64_t first_full_precision_column(const std::vector<int64_t>& tau, int64_t t0);

// Bool [t1 − t0, t1 − f]: true where query t (row) sees key s = f + column in full precision (t < τ_s).
at::Tensor full_precision_mask(const at::Tensor& tau_on_device, int64_t t0, int64_t t1, int64_t f);

}  // namespace kvt::quant
