#include "lib/eval/logit_metrics.h"

#include <algorithm>
#include <cctype>

#include "lib/core/error.h"

namespace kvt::eval {

ScoredSpan scored_span(int64_t length, int64_t prompt_len) {
  ScoredSpan s;
  s.first_target = std::max<int64_t>(prompt_len, 1);
  s.count = std::max<int64_t>(length - s.first_target, 0);
  return s;
}

namespace {

// Rows of `logits` [T, V] that predict the scored targets, as double log-probabilities [n, V].
at::Tensor scored_logprobs(const at::Tensor& logits, const ScoredSpan& span) {
  return at::log_softmax(logits.narrow(0, span.first_target - 1, span.count).to(at::kDouble), -1);
}

// Σ_v p(v) log q(v) per row: the same kernel for the reference and every config, so that identical logits
// give a KL of exactly 0.
at::Tensor cross_term(const at::Tensor& probs, const at::Tensor& logq) { return (probs * logq).sum(-1); }

// log q(target) per row [n]; shared by the reference and the configs for the same reason.
at::Tensor target_terms(const at::Tensor& logq, const at::Tensor& targets) {
  return logq.gather(1, targets.unsqueeze(1)).squeeze(1);
}

}  // namespace

ReferenceLogits make_reference(const at::Tensor& logits, const std::vector<int64_t>& ids, const ScoredSpan& span) {
  KVT_ASSERT(logits.dim() == 2 && logits.size(0) == int64_t(ids.size()), "reference logits do not match the sequence");
  KVT_ASSERT(span.count > 0 && span.first_target + span.count == int64_t(ids.size()), "empty scored span");
  ReferenceLogits r;
  r.span = span;
  at::Tensor logp = scored_logprobs(logits, span);
  r.probs = logp.exp();
  r.neg_entropy = cross_term(r.probs, logp);
  r.top1 = logp.argmax(-1);
  r.targets = at::tensor(std::vector<int64_t>(ids.begin() + span.first_target, ids.end()), at::kLong).to(logp.device());
  r.target_logprob = target_terms(logp, r.targets);
  return r;
}

SequenceScore score_reference(const ReferenceLogits& reference) {
  SequenceScore s;
  s.nll_sum = -reference.target_logprob.sum().item<double>();
  s.tokens = reference.span.count;
  s.top1_matches = s.tokens;
  return s;
}

SequenceScore compare_with_reference(const at::Tensor& logits, const ReferenceLogits& reference) {
  const ScoredSpan& span = reference.span;
  KVT_ASSERT(logits.dim() == 2 && logits.size(0) == span.first_target + span.count,
             "logits do not match the reference");
  at::Tensor logq = scored_logprobs(logits, span);
  SequenceScore s;
  s.tokens = span.count;
  s.nll_sum = -target_terms(logq, reference.targets).sum().item<double>();
  s.kl_sum = (reference.neg_entropy - cross_term(reference.probs, logq)).sum().item<double>();
  s.top1_matches = logq.argmax(-1).eq(reference.top1).sum().item<int64_t>();
  return s;
}

}  // namespace kvt::eval
