// Comparing a quantized run's next-token distributions with the full-precision run's, one sequence at a time.
//
// A sequence of T tokens with a prompt of P tokens is scored on its continuation: the targets are tokens
// [max(P, 1), T), each predicted by the logits one position earlier. Per scored position:
//   NLL   = −log q(target)                      (perplexity = exp(mean NLL))
//   KL    = Σ_v p(v) (log p(v) − log q(v))      (p full precision, q quantized; nats)
//   top-1 = argmax q == argmax p
// Log-softmax runs in double so that KL values near 1e-7 (KV8) are not rounding noise.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kvt::eval {

struct ScoredSpan {
  int64_t first_target = 1;  // max(P, 1)
  int64_t count = 0;         // T − first_target targets; logits rows [first_target − 1, T − 1)
};
ScoredSpan scored_span(int64_t length, int64_t prompt_len);

// The full-precision side of one sequence, kept only while the configs of its batch are compared with it.
struct ReferenceLogits {
  ScoredSpan span;
  at::Tensor probs;           // double [n, V] on the compute device: p
  at::Tensor neg_entropy;     // double [n]: Σ_v p log p
  at::Tensor top1;            // int64 [n]: argmax p
  at::Tensor targets;         // int64 [n]
  at::Tensor target_logprob;  // double [n]: log p(target)
};

// logits: fp32 [T, V] of the full-precision run for `ids` (T tokens).
ReferenceLogits make_reference(const at::Tensor& logits, const std::vector<int64_t>& ids, const ScoredSpan& span);

// Sums over the scored positions of one sequence.
struct SequenceScore {
  double nll_sum = 0;
  double kl_sum = 0;
  int64_t top1_matches = 0;
  int64_t tokens = 0;
};

// The reference compared with itself: its NLL, KL 0, full agreement.
SequenceScore score_reference(const ReferenceLogits& reference);
// logits: fp32 [T, V] of a quantized run over the same tokens.
SequenceScore compare_with_reference(const at::Tensor& logits, const ReferenceLogits& reference);

}  // namespace kvt::eval
