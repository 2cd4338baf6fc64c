#include "lib/eval/incremental_decoder.h"

#include <c10/core/InferenceMode.h>

#include <cmath>

#include "lib/core/error.h"
#include "lib/eval/config_attention.h"
#include "lib/model/model.h"

namespace kvt::eval {

DecoderWeights load_decoder_weights(const model::Model& model, const model::ForwardOptions& options) {
  c10::InferenceMode guard;
  DecoderWeights w;
  w.model = &model;
  w.options = options;
  for (int l = 0; l < model.config().num_layers; ++l) w.layers.push_back(model.layer(l, options.dtype, options.device));
  w.final_norm = model.final_norm(options.dtype, options.device);
  w.lm_head = model.lm_head(options.dtype, options.device);
  return w;
}

// The KV heads of one layer split into runs that share a pair; one streaming cache per run.
struct IncrementalDecoder::LayerCache {
  std::vector<HeadSegment> segments;
  std::vector<quant::StreamingKVCache> caches;  // [segment]: [B · head_count, tokens, D]
};

IncrementalDecoder::IncrementalDecoder(const DecoderWeights& weights, const KvConfig& config,
                                       const quant::QuantScheme& scheme, quant::PrefillMode prefill, int64_t max_tokens)
    : weights_(weights), config_(config), scheme_(scheme), prefill_(prefill), max_tokens_(max_tokens) {
  const model::ModelConfig& mc = weights.model->config();
  check_config_fits(config, mc, "generation config");
  scheme.validate(mc.head_dim);
  if (max_tokens < 1 || max_tokens > mc.max_position_embeddings)
    throw InputError("generation: " + std::to_string(max_tokens) +
                         " tokens per sequence is outside [1, max_position_embeddings = " +
                         std::to_string(mc.max_position_embeddings) + "]",
                     973);
  rope_ = model::rope_tables(mc, max_tokens, weights.options.device);
  for (int l = 0; l < mc.num_layers; ++l) {
    LayerCache cache;
    cache.segments = layer_segments(config, l, mc.num_kv_heads);
    for (const auto& s : cache.segments) cache.caches.emplace_back(scheme, s.pair);
    caches_.push_back(std::move(cache));
  }
}

IncrementalDecoder::~IncrementalDecoder() = default;

at::Tensor decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int sliding_window) {
  const int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3), kv_heads = k.size(1);
  int64_t first = 0, keys = k.size(2);
  // HF Mistral: key s is visible to query t iff t − window < s ≤ t; here t = keys − 1.
  if (sliding_window > 0 && keys > sliding_window) first = keys - sliding_window;
  at::Tensor kk = k.narrow(2, first, keys - first), vv = v.narrow(2, first, keys - first);
  at::Tensor qg = q.reshape({batch, kv_heads, heads / kv_heads, dim});  // one query row per grouped head
  at::Tensor scores = at::matmul(qg, kk.transpose(-1, -2)) * (1.0 / std::sqrt(double(dim)));
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  return at::matmul(probs, vv).reshape({batch, heads, 1, dim});
}

namespace {

// [B, H_kv, n, D] heads [h0, h0 + count) → [B · count, n, D] (sequence-major, as the caches stack them).
at::Tensor stack_heads(const at::Tensor& x, int h0, int count) {
  return x.narrow(1, h0, count).reshape({x.size(0) * count, x.size(2), x.size(3)});
}

}  // namespace

at::Tensor IncrementalDecoder::run_layers(at::Tensor x, bool is_prefill) {
  const model::ModelConfig& c = weights_.model->config();
  const int64_t n = x.size(1);
  model::RopeTables rope{rope_.cos.narrow(0, position_, n), rope_.sin.narrow(0, position_, n)};
  for (int l = 0; l < c.num_layers; ++l) {
    const model::LayerWeights& w = weights_.layers[size_t(l)];
    LayerCache& cache = caches_[size_t(l)];
    model::LayerQKV projected = model::layer_qkv(c, w, x);
    at::Tensor q = model::apply_rope(projected.q.view({batch_, n, c.num_heads, c.head_dim}).transpose(1, 2), rope);
    at::Tensor k = model::apply_rope(projected.k.view({batch_, n, c.num_kv_heads, c.head_dim}).transpose(1, 2), rope);
    at::Tensor v = projected.v.view({batch_, n, c.num_kv_heads, c.head_dim}).transpose(1, 2);
    for (size_t s = 0; s < cache.segments.size(); ++s) {
      const HeadSegment& seg = cache.segments[s];
      cache.caches[s].append(stack_heads(k, seg.head_begin, seg.head_count),
                             stack_heads(v, seg.head_begin, seg.head_count));
    }
    // What attention reads: every segment's cache, back in [B, H_kv, tokens, D].
    auto cache_view = [&](bool keys) {
      std::vector<at::Tensor> parts;
      for (size_t s = 0; s < cache.segments.size(); ++s) {
        at::Tensor t = keys ? cache.caches[s].keys() : cache.caches[s].values();
        parts.push_back(t.view({batch_, cache.segments[s].head_count, t.size(1), t.size(2)}));
      }
      return parts.size() == 1 ? parts[0] : at::cat(parts, 1);
    };
    auto flush = [&] {
      for (auto& kv : cache.caches) kv.flush();
    };
    at::Tensor a;  // [B, H, n, D]
    if (is_prefill && prefill_ == quant::PrefillMode::FullPrecision) {
      a = model::causal_attention(q, k, v, c.sliding_window);  // the prompt attends to its own full-precision K/V
      flush();
    } else if (is_prefill) {
      flush();
      a = model::causal_attention(q, cache_view(true), cache_view(false), c.sliding_window);
    } else {
      a = decode_attention(q, cache_view(true), cache_view(false), c.sliding_window);
      flush();
    }
    x = model::layer_finish(c, w, x, a.transpose(1, 2).reshape({batch_, n, int64_t(c.num_heads) * c.head_dim}));
  }
  position_ += n;
  return x;
}

at::Tensor IncrementalDecoder::logits_of_last(const at::Tensor& x) {
  const model::ModelConfig& c = weights_.model->config();
  at::Tensor last = model::rms_norm(x.select(1, x.size(1) - 1), weights_.final_norm, c.rms_norm_eps);  // [B, hidden]
  return at::linear(last, weights_.lm_head).to(at::kFloat);
}

at::Tensor IncrementalDecoder::prefill(const std::vector<std::vector<int64_t>>& prompts) {
  c10::InferenceMode guard;
  KVT_ASSERT(position_ == 0, "prefill on a decoder that already holds tokens");
  if (prompts.empty() || prompts[0].empty()) throw InputError("generation: no prompt tokens", 973);
  std::vector<int64_t> ids;
  for (const auto& p : prompts) {
    if (p.size() != prompts[0].size())
      throw InputError("generation: prompts must have one length, got " + std::to_string(prompts[0].size()) + " and " +
                           std::to_string(p.size()) + " tokens",
                       973);
    ids.insert(ids.end(), p.begin(), p.end());
  }
  const int64_t length = int64_t(prompts[0].size());
  if (length > max_tokens_)
    throw InputError("generation: a " + std::to_string(length) + "-token prompt exceeds the decoder's " +
                         std::to_string(max_tokens_) + " tokens",
                     973);
  batch_ = int64_t(prompts.size());
  const model::ModelConfig& c = weights_.model->config();
  at::Tensor x = weights_.model->embed(at::tensor(ids, at::kLong), weights_.options.dtype, weights_.options.device)
                     .view({batch_, length, c.hidden_size});
  return logits_of_last(run_layers(x, true));
}

at::Tensor IncrementalDecoder::step(const std::vector<int64_t>& tokens) {
  c10::InferenceMode guard;
  KVT_ASSERT(position_ > 0 && int64_t(tokens.size()) == batch_, "step before prefill or with a wrong batch size");
  if (position_ + 1 > max_tokens_)
    throw InputError("generation: decoding past the decoder's " + std::to_string(max_tokens_) + " tokens", 973);
  const model::ModelConfig& c = weights_.model->config();
  at::Tensor x = weights_.model->embed(at::tensor(tokens, at::kLong), weights_.options.dtype, weights_.options.device)
                     .view({batch_, 1, c.hidden_size});
  return logits_of_last(run_layers(x, false));
}

Generation greedy_generate(const DecoderWeights& weights, const KvConfig& config, const quant::QuantScheme& scheme,
                           quant::PrefillMode prefill, const std::vector<std::vector<int64_t>>& prompts, int new_tokens,
                           bool keep_logits) {
  KVT_ASSERT(new_tokens > 0 && !prompts.empty(), "nothing to generate");
  IncrementalDecoder decoder(weights, config, scheme, prefill, int64_t(prompts[0].size()) + new_tokens - 1);
  Generation g;
  g.tokens.assign(prompts.size(), {});
  at::Tensor logits = decoder.prefill(prompts);
  for (int i = 0; i < new_tokens; ++i) {
    at::Tensor next = logits.argmax(-1).to(at::kCPU).contiguous();
    std::vector<int64_t> ids(next.data_ptr<int64_t>(), next.data_ptr<int64_t>() + next.numel());
    for (size_t b = 0; b < ids.size(); ++b) g.tokens[b].push_back(ids[b]);
    if (keep_logits) g.step_logits.push_back(logits.to(at::kCPU));
    if (i + 1 < new_tokens) logits = decoder.step(ids);
  }
  return g;
}

}  // namespace kvt::eval
