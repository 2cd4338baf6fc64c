// Uniform integer fake quantization (quantize, then dequantize) of groups of elements, as in the
// KVTuner reference quantizer (vanilla_quantizer.py; docs/method.md §3), computed in fp32 on any device.
//
// A group is every element along `group_dim` with all other indices fixed. For b bits the signed codes
// are q ∈ [q_min, q_max] = [−2^(b−1), 2^(b−1) − 1].
//   asymmetric: s = max(max − min, 1e-5) / (2^b − 1);  z = round(min / s) − q_min  (the zero-point, snapped
//               to the grid);  q = clamp(round(x / s − z), q_min, q_max);  x̂ = (q + z) · s
//   symmetric:  s = max(max |x|, 1e-5) / q_max;  q = clamp(round(x / s), q_min, q_max);  x̂ = q · s
// round() is round half to even (at::round, like torch.round). A group whose elements are all equal is
// reproduced exactly (inferred: it needs only its zero-point; the formula above would snap it to the grid).
// Every element satisfies |x − x̂| ≤ s/2 up to fp32 rounding.
#pragma once
#include <ATen/ATen.h>

namespace kvt::quant {

int code_min(int bits);  // −2^(b−1)
int code_max(int bits);  // 2^(b−1) − 1

struct QuantizedGroups {
  at::Tensor codes;        // int8, x's shape: q ∈ [q_min, q_max]
  at::Tensor scale;        // fp32, x's shape with group_dim of size 1
  at::Tensor zero_point;   // fp32, like scale; integer-valued z (0 for symmetric)
  at::Tensor constant;     // bool, like scale: groups with max == min, reproduced exactly
  at::Tensor dequantized;  // fp32, x's shape
};

// Quantizes x (any floating dtype) in groups along group_dim; bits in 1..8. For tests and storage.
QuantizedGroups quantize_groups(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric);

// Only the dequantized values, in x's dtype. bits == 16 returns x itself. On CPU one fused pass per group;
// elsewhere ATen element-wise ops. Both give the same bits.
at::Tensor fake_quantize_groups(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric);

namespace detail {
// The device-generic ATen path of fake_quantize_groups (bits 1..8), exposed so tests can compare the paths.
at::Tensor fake_quantize_groups_aten(const at::Tensor& x, int64_t group_dim, int bits, bool symmetric);
}  // namespace detail

}  // namespace kvt::quant
