#include "lib/model/forward.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>

#include "lib/core/error.h"
#include "lib/model/model.h"

namespace kvt::model {

at::Tensor rope_inv_freq(const ModelConfig& c) {
  // HF: 1 / theta^(arange(0, D, 2) / D), in fp32.
  at::Tensor exponent = at::arange(0, c.head_dim, 2, at::kLong).to(at::kFloat) / static_cast<double>(c.head_dim);
  at::Tensor inv_freq = 1.0 / at::pow(c.rope_theta, exponent);
  const RopeScaling& s = c.rope_scaling;
  if (s.type == "linear") return inv_freq / s.factor;
  if (s.type == "llama3") {
    // HF _compute_llama3_parameters: long wavelengths are divided by factor, short ones kept,
    // and the band between is interpolated smoothly.
    double old_len = s.original_max_position_embeddings;
    double low_freq_wavelen = old_len / s.low_freq_factor;
    double high_freq_wavelen = old_len / s.high_freq_factor;
    at::Tensor wavelen = 2 * M_PI / inv_freq;
    at::Tensor scaled = at::where(wavelen > low_freq_wavelen, inv_freq / s.factor, inv_freq);
    at::Tensor smooth = (old_len / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
    at::Tensor smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
    at::Tensor is_medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
    return at::where(is_medium, smoothed, scaled);
  }
  return inv_freq;
}

RopeTables rope_tables(const ModelConfig& config, int64_t length, c10::Device device) {
  at::Tensor positions = at::arange(length, at::kLong).to(at::kFloat);
  at::Tensor freqs = at::outer(positions, rope_inv_freq(config));  // [T, D/2]
  at::Tensor emb = at::cat({freqs, freqs}, -1);                    // [T, D]
  return {emb.cos().to(device), emb.sin().to(device)};
}

at::Tensor apply_rope(const at::Tensor& x, const RopeTables& rope) {
  int64_t length = x.size(-2), half = x.size(-1) / 2;
  at::Tensor cos = rope.cos.narrow(0, 0, length).to(x.scalar_type());
  at::Tensor sin = rope.sin.narrow(0, 0, length).to(x.scalar_type());
  at::Tensor rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rotated * sin;
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  // HF LlamaRMSNorm: normalise in fp32, cast back, then scale.
  at::Tensor x32 = x.to(at::kFloat);
  at::Tensor normed = x32 * at::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * normed.to(x.scalar_type());
}

at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int sliding_window) {
  const int64_t heads = q.size(-3), kv_heads = k.size(-3), length = q.size(-2), dim = q.size(-1);
  KVT_ASSERT(heads % kv_heads == 0, "query heads must be a multiple of KV heads");
  const int64_t group = heads / kv_heads;
  auto lead = q.sizes().slice(0, q.dim() - 3).vec();
  // Queries sharing a KV head attend together: [..., H_kv, G, T, D] against [..., H_kv, 1, T, D].
  auto grouped_shape = lead;
  grouped_shape.insert(grouped_shape.end(), {kv_heads, group, length, dim});
  at::Tensor qg = q.reshape(grouped_shape);
  at::Tensor kg = k.unsqueeze(-3), vg = v.unsqueeze(-3);
  at::Tensor scores = at::matmul(qg, kg.transpose(-1, -2)) * (1.0 / std::sqrt(static_cast<double>(dim)));
  at::Tensor mask = at::ones({length, length}, at::TensorOptions().dtype(at::kBool).device(q.device())).triu(1);
  if (sliding_window > 0)
    mask = mask.logical_or(at::ones({length, length}, mask.options()).tril(-sliding_window));
  scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
  at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
  at::Tensor out = at::matmul(probs, vg);  // [..., H_kv, G, T, D]
  auto out_shape = lead;
  out_shape.insert(out_shape.end(), {heads, length, dim});
  return out.reshape(out_shape);
}

namespace {

at::Tensor project(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = at::Tensor()) {
  return b.defined() ? at::linear(x, w, b) : at::linear(x, w);
}

at::Tensor mlp(const LayerWeights& w, const at::Tensor& h) {
  return project(at::silu(project(h, w.gate_proj)) * project(h, w.up_proj), w.down_proj);
}

}  // namespace

at::Tensor decoder_layer(const ModelConfig& c, const LayerWeights& w, const at::Tensor& x, const RopeTables& rope,
                         const std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>& attention) {
  const int64_t batch = x.size(0), length = x.size(1);
  at::Tensor h = rms_norm(x, w.input_norm, c.rms_norm_eps);
  at::Tensor q = project(h, w.q_proj, w.q_bias).view({batch, length, c.num_heads, c.head_dim}).transpose(1, 2);
  at::Tensor k = project(h, w.k_proj, w.k_bias).view({batch, length, c.num_kv_heads, c.head_dim}).transpose(1, 2);
  at::Tensor v = project(h, w.v_proj, w.v_bias).view({batch, length, c.num_kv_heads, c.head_dim}).transpose(1, 2);
  q = apply_rope(q, rope);
  k = apply_rope(k, rope);
  at::Tensor a = attention ? attention(q, k, v) : causal_attention(q, k, v, c.sliding_window);
  at::Tensor out = x + project(a.transpose(1, 2).reshape({batch, length, c.num_heads * c.head_dim}), w.o_proj);
  return out + mlp(w, rms_norm(out, w.post_attention_norm, c.rms_norm_eps));
}

namespace {

void validate_prompts(const ModelConfig& c, const std::vector<std::vector<int64_t>>& prompts) {
  if (prompts.empty()) throw InputError("no prompts to run", 350);
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto& p = prompts[i];
    if (p.empty()) throw InputError("prompt " + std::to_string(i) + " is empty", 350);
    if (static_cast<int64_t>(p.size()) > c.max_position_embeddings)
      throw InputError("prompt " + std::to_string(i) + " has " + std::to_string(p.size()) +
                           " tokens, more than max_position_embeddings (" + std::to_string(c.max_position_embeddings) + ")", 351);
    for (int64_t id : p)
      if (id < 0 || id >= c.vocab_size)
        throw InputError("prompt " + std::to_string(i) + ": token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(c.vocab_size) + ")", 352);
  }
}

}  // namespace

std::vector<at::Tensor> forward(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                const ForwardOptions& options, const ForwardHooks& hooks) {
  const ModelConfig& c = model.config();
  validate_prompts(c, prompts);
  c10::InferenceMode inference_guard;

  // Prompts are packed row-wise: prompt p owns rows [offsets[p], offsets[p] + lengths[p]).
  std::vector<int64_t> offsets, lengths, all_ids;
  int64_t max_length = 0;
  for (const auto& p : prompts) {
    offsets.push_back(static_cast<int64_t>(all_ids.size()));
    lengths.push_back(static_cast<int64_t>(p.size()));
    max_length = std::max<int64_t>(max_length, p.size());
    all_ids.insert(all_ids.end(), p.begin(), p.end());
  }
  at::Tensor ids = at::tensor(all_ids, at::kLong);
  at::Tensor x = model.embed(ids, options.dtype, options.device);  // [N, hidden]
  RopeTables rope = rope_tables(c, max_length, options.device);
  const int64_t q_width = int64_t(c.num_heads) * c.head_dim;

  for (int l = 0; l < c.num_layers; ++l) {
    LayerWeights w = model.layer(l, options.dtype, options.device);
    at::Tensor h = rms_norm(x, w.input_norm, c.rms_norm_eps);
    at::Tensor q = project(h, w.q_proj, w.q_bias);  // [N, H·D]
    at::Tensor k = project(h, w.k_proj, w.k_bias);  // [N, H_kv·D]
    at::Tensor v = project(h, w.v_proj, w.v_bias);
    at::Tensor attention_rows = at::empty({x.size(0), q_width}, x.options());
    for (size_t p = 0; p < prompts.size(); ++p) {
      const int64_t off = offsets[p], len = lengths[p];
      at::Tensor qp = apply_rope(q.narrow(0, off, len).view({len, c.num_heads, c.head_dim}).transpose(0, 1), rope);
      at::Tensor kp = apply_rope(k.narrow(0, off, len).view({len, c.num_kv_heads, c.head_dim}).transpose(0, 1), rope);
      at::Tensor vp = v.narrow(0, off, len).view({len, c.num_kv_heads, c.head_dim}).transpose(0, 1).contiguous();
      AttentionInputs inputs{l, static_cast<int>(p), qp, kp, vp};
      at::Tensor out = hooks.attention ? hooks.attention(inputs) : causal_attention(qp, kp, vp, c.sliding_window);
      KVT_ASSERT(out.dim() == 3 && out.size(0) == c.num_heads && out.size(1) == len && out.size(2) == c.head_dim,
                 "attention hook returned a tensor of the wrong shape");
      if (hooks.on_capture) hooks.on_capture(inputs, out);
      attention_rows.narrow(0, off, len).copy_(out.transpose(0, 1).reshape({len, q_width}));
    }
    x = x + project(attention_rows, w.o_proj);
    x = x + mlp(w, rms_norm(x, w.post_attention_norm, c.rms_norm_eps));
  }

  std::vector<at::Tensor> logits;
  if (hooks.skip_lm_head) return logits;
  at::Tensor norm = model.final_norm(options.dtype, options.device);
  at::Tensor head = model.lm_head(options.dtype, options.device);
  for (size_t p = 0; p < prompts.size(); ++p) {
    at::Tensor hp = rms_norm(x.narrow(0, offsets[p], lengths[p]), norm, c.rms_norm_eps);
    at::Tensor lp = project(hp, head).to(at::kFloat);  // [T, V]
    if (hooks.on_logits)
      hooks.on_logits(static_cast<int>(p), lp);
    else
      logits.push_back(lp.to(at::kCPU));
  }
  return logits;
}

std::vector<std::vector<double>> token_logprobs(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                                const ForwardOptions& options, const ForwardHooks& hooks) {
  std::vector<std::vector<double>> out(prompts.size());
  ForwardHooks with_logits = hooks;
  with_logits.skip_lm_head = false;
  with_logits.on_logits = [&](int p, const at::Tensor& logits) {
    const auto& ids = prompts[p];
    if (ids.size() < 2) return;
    int64_t n = static_cast<int64_t>(ids.size()) - 1;
    at::Tensor logp = at::log_softmax(logits.narrow(0, 0, n).to(at::kDouble), -1);
    at::Tensor targets = at::tensor(std::vector<int64_t>(ids.begin() + 1, ids.end()), at::kLong).to(logp.device());
    at::Tensor picked = logp.gather(1, targets.unsqueeze(1)).squeeze(1).to(at::kCPU).contiguous();
    const double* d = picked.data_ptr<double>();
    out[p].assign(d, d + n);
  };
  forward(model, prompts, options, with_logits);
  return out;
}

}  // namespace kvt::model
