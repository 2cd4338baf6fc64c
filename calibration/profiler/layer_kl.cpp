#include "calibration/profiler/layer_kl.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::AutoGradMode: ATen.h of LibTorch 2.x no longer brings it
#include <c10/core/InferenceMode.h>

#include <random>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/evaluator.h"
#include "lib/eval/logit_metrics.h"

namespace kvt::profile {

namespace {

using Matrix = std::vector<std::vector<double>>;

// Scored span of one prompt, as `evaluate` scores it.
eval::ScoredSpan span_of(const ProfileOptions& options, int64_t length) {
  return eval::scored_span(length, options.prompt_length.prefill_tokens(length));
}

int64_t scored_tokens(const ProfileOptions& options, const std::vector<std::vector<int64_t>>& prompts) {
  int64_t n = 0;
  for (const auto& p : prompts) n += span_of(options, int64_t(p.size())).count;
  if (n == 0)
    throw InputError("profile: no calibration prompt is longer than --prompt-len " +
                         options.prompt_length.option_text() +
                         ", so there is no token to measure the layer KL or Fisher estimate on",
                     428);
  return n;
}

// Attention of one layer under one uniform pair: exactly what `evaluate` runs for that layer.
at::Tensor pair_attention(const model::AttentionInputs& in, const KvConfig& config, const ProfileOptions& options,
                          int sliding_window) {
  quant::DecodeState state{options.prompt_length.prefill_tokens(in.q.size(1)), options.prefill};
  return eval::config_attention(in.q, in.k, in.v, config, in.layer, options.scheme, state, sliding_window);
}

// What both end-to-end passes share: every pair's uniform config, the token batches, and the [layer][pair] sums
// that become per-token means over the scored tokens.
struct EndToEndPass {
  std::vector<KvConfig> configs;  // [pair]
  std::vector<std::pair<size_t, size_t>> batches;
  int64_t scored = 0;
  Matrix sums;

  EndToEndPass(const model::ModelConfig& mc, const std::vector<std::vector<int64_t>>& prompts,
               const ProfileOptions& options)
      : batches(eval::token_batches(prompts, options.batch_tokens)),
        scored(scored_tokens(options, prompts)),
        sums(size_t(mc.num_layers), std::vector<double>(options.pairs.size(), 0.0)) {
    for (const PrecisionPair& p : options.pairs) configs.push_back(eval::uniform_config(p, mc.num_layers));
  }
  Matrix per_token() const {
    Matrix out = sums;
    for (auto& row : out)
      for (double& v : row) v /= double(scored);
    return out;
  }
};

}  // namespace

std::vector<std::vector<int64_t>> leading_prompts(const std::vector<std::vector<int64_t>>& prompts,
                                                  int64_t max_tokens) {
  std::vector<std::vector<int64_t>> out;
  int64_t tokens = 0;
  for (const auto& p : prompts) {
    if (!out.empty() && tokens + int64_t(p.size()) > max_tokens) break;
    tokens += int64_t(p.size());
    out.push_back(p);
  }
  return out;
}

double layer_kl_forward_passes(int num_layers, const std::vector<PrecisionPair>& pairs) {
  int quantized = 0;
  for (const PrecisionPair& p : pairs) quantized += p.is_full_precision() ? 0 : 1;
  return 1.0 + quantized * (num_layers + 1) / 2.0;
}

Matrix layer_kl(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                const ProfileOptions& options) {
  const model::ModelConfig& mc = model.config();
  const int L = mc.num_layers;
  EndToEndPass pass(mc, prompts, options);
  std::vector<size_t> quantized;  // pairs with a non-zero KL; 16/16 is exactly 0 and is not run
  for (size_t p = 0; p < options.pairs.size(); ++p)
    if (!options.pairs[p].is_full_precision()) quantized.push_back(p);

  Progress progress("layer KL", pass.batches.size() * size_t(L));
  size_t done = 0;
  c10::InferenceMode guard;
  for (const auto& [begin, end] : pass.batches) {
    const std::vector<std::vector<int64_t>> batch(prompts.begin() + long(begin), prompts.begin() + long(end));
    model::PackedForward packed(model, batch, options.forward);

    // Full-precision references of this batch.
    at::Tensor x = packed.embed();
    std::vector<eval::ReferenceLogits> references;
    {
      at::Tensor h = x;
      for (int l = 0; l < L; ++l) h = packed.layer(l, packed.weights(l), h);
      for (int i = 0; i < packed.prompts(); ++i)
        references.push_back(
            eval::make_reference(packed.logits(h, i), batch[size_t(i)], span_of(options, packed.length(i))));
    }

    // x: the full-precision residual stream entering layer l.
    for (int l = 0; l < L; ++l) {
      model::LayerWeights first = packed.weights(l);
      std::vector<at::Tensor> states(quantized.size());
      for (size_t q = 0; q < quantized.size(); ++q) {
        model::ForwardHooks hooks;
        const KvConfig& config = pass.configs[quantized[q]];
        hooks.attention = [&](const model::AttentionInputs& in) {
          return pair_attention(in, config, options, mc.sliding_window);
        };
        states[q] = packed.layer(l, first, x, hooks);
      }
      for (int j = l + 1; j < L && !quantized.empty(); ++j) {
        model::LayerWeights w = packed.weights(j);
        for (auto& s : states) s = packed.layer(j, w, s);
      }
      for (size_t q = 0; q < quantized.size(); ++q)
        for (int i = 0; i < packed.prompts(); ++i)
          pass.sums[size_t(l)][quantized[q]] +=
              eval::compare_with_reference(packed.logits(states[q], i), references[size_t(i)]).kl_sum;
      x = packed.layer(l, first, x);
      progress.update(++done, "layer " + std::to_string(l + 1) + "/" + std::to_string(L));
    }
  }
  progress.finish();
  return pass.per_token();
}

std::vector<at::Tensor> attention_output_squared_gradients(const model::Model& model,
                                                           const std::vector<std::vector<int64_t>>& prompts,
                                                           const ProfileOptions& options, uint64_t seed) {
  const model::ModelConfig& mc = model.config();
  at::AutoGradMode grad_mode(true);
  model::PackedForward packed(model, prompts, options.forward);
  const int64_t width = int64_t(mc.num_heads) * mc.head_dim;
  at::TensorOptions leaf_options = at::TensorOptions().dtype(options.forward.dtype).device(options.forward.device);
  std::vector<at::Tensor> leaves;
  for (int l = 0; l < mc.num_layers; ++l)
    leaves.push_back(at::zeros({packed.rows(), width}, leaf_options).requires_grad_(true));
  model::ForwardHooks hooks;
  hooks.on_attention_rows = [&](int layer, const at::Tensor& rows) { return rows + leaves[size_t(layer)]; };
  at::Tensor x = packed.embed();
  for (int l = 0; l < mc.num_layers; ++l) x = packed.layer(l, packed.weights(l), x, hooks);

  // Labels drawn from the model's own distribution by inverse CDF with one seeded generator, so the draw does not
  // depend on the thread count or the LibTorch version.
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  at::Tensor log_likelihood = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(options.forward.device));
  bool any = false;
  for (int i = 0; i < packed.prompts(); ++i) {
    const eval::ScoredSpan span = span_of(options, packed.length(i));
    if (span.count == 0) continue;
    at::Tensor logits = packed.logits(x, i).narrow(0, span.first_target - 1, span.count);  // [n, V]
    at::Tensor log_probs = at::log_softmax(logits.to(at::kDouble), -1);
    at::Tensor cdf = log_probs.detach().exp().cumsum(-1).to(at::kCPU).contiguous();
    std::vector<double> draws(size_t(span.count));
    for (double& u : draws) u = uniform(rng);
    at::Tensor u = at::tensor(draws, at::kDouble).unsqueeze(1).mul(cdf.select(1, cdf.size(1) - 1).unsqueeze(1));
    at::Tensor labels = at::searchsorted(cdf, u).clamp_max(cdf.size(1) - 1).to(log_probs.device());
    log_likelihood = log_likelihood + log_probs.gather(1, labels).sum();
    any = true;
  }
  std::vector<at::Tensor> squared;
  if (any) log_likelihood.backward();
  for (auto& leaf : leaves) {
    at::Tensor g = leaf.grad();
    squared.push_back(g.defined() ? g.detach().to(at::kDouble).pow(2) : at::zeros({packed.rows(), width}, at::kDouble));
  }
  return squared;
}

Matrix fisher_sensitivity(const model::Model& model, const std::vector<std::vector<int64_t>>& prompts,
                          const ProfileOptions& options) {
  const model::ModelConfig& mc = model.config();
  const int64_t width = int64_t(mc.num_heads) * mc.head_dim;
  EndToEndPass pass(mc, prompts, options);
  Progress progress("Fisher estimate", pass.batches.size());
  size_t done = 0;
  uint64_t seed = options.seed;
  for (const auto& [begin, end] : pass.batches) {
    const std::vector<std::vector<int64_t>> batch(prompts.begin() + long(begin), prompts.begin() + long(end));
    const std::vector<at::Tensor> g2 = attention_output_squared_gradients(model, batch, options, seed++);
    c10::InferenceMode guard;
    model::PackedForward packed(model, batch, options.forward);
    model::ForwardHooks hooks;
    hooks.on_capture = [&](const model::AttentionInputs& in, const at::Tensor& out) {
      const int64_t length = in.q.size(1);
      at::Tensor weights = g2[size_t(in.layer)].narrow(0, packed.offset(in.prompt), length);  // [T, H·D]
      for (size_t p = 0; p < options.pairs.size(); ++p) {
        if (options.pairs[p].is_full_precision()) continue;
        at::Tensor delta = (pair_attention(in, pass.configs[p], options, mc.sliding_window) - out)
                               .transpose(0, 1)
                               .reshape({length, width})
                               .to(at::kDouble);
        pass.sums[size_t(in.layer)][p] += 0.5 * (weights * delta.pow(2)).sum().item<double>();
      }
    };
    at::Tensor x = packed.embed();
    for (int l = 0; l < mc.num_layers; ++l) x = packed.layer(l, packed.weights(l), x, hooks);
    progress.update(++done);
  }
  progress.finish();
  return pass.per_token();
}

}  // namespace kvt::profile
