// Tolerances derived from dtype and summation order, shared by the tests that compare two fp32 computations of
// the same attention done in different orders (chunked rows vs one matmul, masked vs step-by-step decode).
#pragma once
#include <ATen/ATen.h>

#include <cmath>

namespace kvt::test {

// Bound on |a − b| for two fp32 evaluations of causal attention softmax(q kᵀ/√D) v over the same q [H, T, D],
// k/v [H_kv, T, D] (or the same quantized k̂/v̂, whose entries lie within the range of k/v) that differ only in
// blocking and summation order. With u = 2^-24:
//   - a score q·k/√D carries at most γ_D ‖q‖‖k‖/√D error (γ_n ≈ n·u: Higham, Accuracy and Stability of Numerical
//     Algorithms, 2nd ed., §3.1), at most D·u·max‖q‖·max‖k‖/√D;
//   - a score error δ perturbs each softmax weight by a relative 2δ (numerator and normaliser), and exp, the
//     normaliser's T terms and the weighted sum's T terms add (2T + 2)·u relative;
//   - the output is a convex combination of values, so absolute errors scale with max|v|.
// Factor 2 for second-order terms.
inline double fp32_attention_tolerance(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const double u = std::ldexp(1.0, -24);
  const double D = double(q.size(-1)), T = double(q.size(-2));
  const double qk = q.to(at::kDouble).norm(2, -1).max().item<double>() *
                    k.to(at::kDouble).norm(2, -1).max().item<double>() / std::sqrt(D);
  return 2.0 * v.to(at::kDouble).abs().max().item<double>() * (2.0 * D * u * qk + (2.0 * T + 2.0) * u);
}

}  // namespace kvt::test
