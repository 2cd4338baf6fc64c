// End-to-end layer sensitivities: how much the model's next-token distribution moves when one layer's KV cache
// is quantized with a candidate pair and every other layer stays full precision.
//
// Layer KL (measured):
//   kl[l][p] = mean over scored tokens t of KL(P_fp(·|t) ‖ P_{l,p}(·|t))        (nats per token)
// where P_{l,p} is the model with layer l's cache quantized by pair p (decode-state-exact masks, the same
// attention `evaluate` runs: lib/eval/config_attention.h) and the scored tokens are those `evaluate` scores
// (lib/eval/logit_metrics.h: targets [max(P, 1), T) with P the prompt length). A 16/16 pair is exactly 0.
// Cost: layers 0..l−1 are the same for every (l, p), so the full-precision residual stream entering layer l
// is kept and only layers l..L−1 and the LM head run per pair: about 1 + C·(L+1)/2 forwards for C quantized
// pairs, in token batches. Memory: C copies of one batch's residual stream plus its reference distributions
// (8 · batch_tokens · vocab bytes); it does not grow with depth.
//
// Diagonal-Fisher estimate (cheap): the second-order expansion of KL around full precision,
//   KL(P_fp ‖ P_{a+δ}) = ½ δᵀ F δ + O(‖δ‖³),  F = E_{y∼P_fp}[∇_a log P(y) ∇_a log P(y)ᵀ]
// (the Fisher information is the Hessian of KL at δ = 0; Amari 1998, Martens 2020 §9), with F replaced by its
// diagonal and estimated from one backward pass per batch of y sampled from the model's own next-token
// distribution at every scored position (an unbiased estimate of diag F):
//   fisher[l][p] = ½ · Σ_{rows t, coords i} g²_{l,t,i} · δ²_{l,p,t,i} / scored tokens
// with g = ∂ Σ_t log P(y_t) / ∂ a_l (a_l: layer l's attention output rows [N, H·D], before o_proj) and
// δ_{l,p} = (quantized − full-precision) attention output of layer l under pair p, on full-precision inputs.
// Cost: one forward + backward (≈ 3 forwards) and one forward with every pair's attention (≈ the e_o profile).
#pragma once
#include <cstdint>
#include <vector>

#include "calibration/profiler/profiler.h"

namespace kvt::profile {

// The prompts the end-to-end measures use: the leading prompts whose lengths sum to at most max_tokens (at least
// the first prompt).
std::vector<std::vector<int64_t>> leading_prompts(const std::vector<std::vector<int64_t>>& prompts, int64_t max_tokens);

// Layer KL [layer][pair] (order of options.pairs) on `prompts`, in batches of options.batch_tokens tokens.
// @throws as model::forward; InputError (id 428) when no prompt has a scored token.
std::vector<std::vector<double>> layer_kl(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                          const ProfileOptions& options);

// Squared gradients of the log-likelihood of labels sampled from the model (seed: options.seed) with respect to
// every layer's attention output rows: [layer] → double [N, H·D], rows packed in prompt order (model::PackedForward).
// One backward pass over all prompts together; used by fisher_sensitivity per batch and by the tests.
std::vector<at::Tensor> attention_output_squared_gradients(const model::Model& model,
                                                           const std::vector<std::vector<int64_t>>& prompts,
                                                           const ProfileOptions& options, uint64_t seed);

// Diagonal-Fisher KL estimate [layer][pair] (the formula above), in batches of options.batch_tokens tokens.
// @throws as layer_kl.
std::vector<std::vector<double>> fisher_sensitivity(const model::Model& model,
                                                    const std::vector<std::vector<int64_t>>& prompts,
                                                    const ProfileOptions& options);

// Forward passes the layer KL costs for this model and pair list (1 + C·(L+1)/2, C = pairs that are not 16/16).
double layer_kl_forward_passes(int num_layers, const std::vector<PrecisionPair>& pairs);

}  // namespace kvt::profile
