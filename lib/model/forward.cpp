#include "lib/model/forward.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
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
  if (sliding_window > 0) mask = mask.logical_or(at::ones({length, length}, mask.options()).tril(-sliding_window));
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

void validate_prompts(const ModelConfig& c, const std::vector<std::vector<int64_t>>& prompts) {
  if (prompts.empty()) throw InputError("no prompts to run", 350);
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto& p = prompts[i];
    if (p.empty()) throw InputError("prompt " + std::to_string(i) + " is empty", 350);
    if (static_cast<int64_t>(p.size()) > c.max_position_embeddings)
      throw InputError("prompt " + std::to_string(i) + " has " + std::to_string(p.size()) +
                           " tokens, more than max_position_embeddings (" + std::to_string(c.max_position_embeddings) +
                           ")",
                       351);
    for (int64_t id : p)
      if (id < 0 || id >= c.vocab_size)
        throw InputError("prompt " + std::to_string(i) + ": token id " + std::to_string(id) +
                             " is outside the vocabulary [0, " + std::to_string(c.vocab_size) + ")",
                         352);
  }
}

}  // namespace

std::string layer_prefix(int layer) { return "model.layers." + std::to_string(layer) + "."; }

std::vector<LayerTensor> layer_tensors(const ModelConfig& c) {
  const int64_t h = c.hidden_size, q = int64_t(c.num_heads) * c.head_dim, kv = int64_t(c.num_kv_heads) * c.head_dim,
                i = c.intermediate_size;
  std::vector<LayerTensor> t = {{"input_layernorm.weight", &LayerWeights::input_norm, {h}},
                                {"self_attn.q_proj.weight", &LayerWeights::q_proj, {q, h}},
                                {"self_attn.k_proj.weight", &LayerWeights::k_proj, {kv, h}},
                                {"self_attn.v_proj.weight", &LayerWeights::v_proj, {kv, h}}};
  if (c.attention_bias) {
    t.push_back({"self_attn.q_proj.bias", &LayerWeights::q_bias, {q}});
    t.push_back({"self_attn.k_proj.bias", &LayerWeights::k_bias, {kv}});
    t.push_back({"self_attn.v_proj.bias", &LayerWeights::v_bias, {kv}});
  }
  t.push_back({"self_attn.o_proj.weight", &LayerWeights::o_proj, {h, q}});
  if (c.o_proj_bias) t.push_back({"self_attn.o_proj.bias", &LayerWeights::o_bias, {h}});
  t.push_back({"post_attention_layernorm.weight", &LayerWeights::post_attention_norm, {h}});
  t.push_back({"mlp.gate_proj.weight", &LayerWeights::gate_proj, {i, h}});
  t.push_back({"mlp.up_proj.weight", &LayerWeights::up_proj, {i, h}});
  t.push_back({"mlp.down_proj.weight", &LayerWeights::down_proj, {h, i}});
  if (c.mlp_bias) {
    t.push_back({"mlp.gate_proj.bias", &LayerWeights::gate_bias, {i}});
    t.push_back({"mlp.up_proj.bias", &LayerWeights::up_bias, {i}});
    t.push_back({"mlp.down_proj.bias", &LayerWeights::down_bias, {h}});
  }
  return t;
}

LayerQKV layer_qkv(const ModelConfig& c, const LayerWeights& w, const at::Tensor& x) {
  at::Tensor h = rms_norm(x, w.input_norm, c.rms_norm_eps);
  return {project(h, w.q_proj, w.q_bias), project(h, w.k_proj, w.k_bias), project(h, w.v_proj, w.v_bias)};
}

at::Tensor layer_finish(const ModelConfig& c, const LayerWeights& w, const at::Tensor& x, const at::Tensor& attention) {
  at::Tensor out = x + project(attention, w.o_proj, w.o_bias);
  at::Tensor h = rms_norm(out, w.post_attention_norm, c.rms_norm_eps);
  return out + project(at::silu(project(h, w.gate_proj, w.gate_bias)) * project(h, w.up_proj, w.up_bias), w.down_proj,
                       w.down_bias);
}

at::Tensor decoder_layer(
    const ModelConfig& c, const LayerWeights& w, const at::Tensor& x, const RopeTables& rope,
    const std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>& attention) {
  const int64_t batch = x.size(0), length = x.size(1);
  LayerQKV p = layer_qkv(c, w, x);
  at::Tensor q = apply_rope(p.q.view({batch, length, c.num_heads, c.head_dim}).transpose(1, 2), rope);
  at::Tensor k = apply_rope(p.k.view({batch, length, c.num_kv_heads, c.head_dim}).transpose(1, 2), rope);
  at::Tensor v = p.v.view({batch, length, c.num_kv_heads, c.head_dim}).transpose(1, 2);
  at::Tensor a = attention ? attention(q, k, v) : causal_attention(q, k, v, c.sliding_window);
  return layer_finish(c, w, x, a.transpose(1, 2).reshape({batch, length, int64_t(c.num_heads) * c.head_dim}));
}

namespace {

std::vector<int64_t> lengths_of(const std::vector<std::vector<int64_t>>& prompts) {
  std::vector<int64_t> lengths;
  for (const auto& p : prompts) lengths.push_back(static_cast<int64_t>(p.size()));
  return lengths;
}

std::vector<int64_t> concatenated(const std::vector<std::vector<int64_t>>& prompts) {
  std::vector<int64_t> ids;
  for (const auto& p : prompts) ids.insert(ids.end(), p.begin(), p.end());
  return ids;
}

const std::vector<std::vector<int64_t>>& validated(const ModelConfig& c,
                                                   const std::vector<std::vector<int64_t>>& prompts) {
  validate_prompts(c, prompts);
  return prompts;
}

}  // namespace

PackedRows::PackedRows(const std::vector<int64_t>& prompt_lengths) : lengths(prompt_lengths) {
  for (int64_t n : lengths) {
    offsets.push_back(rows);
    rows += n;
  }
}

at::Tensor decoder_block(const ModelConfig& c, int l, const LayerWeights& w, const at::Tensor& x,
                         const PackedRows& packed, const RopeTables& rope, const ForwardHooks& hooks) {
  LayerQKV p = layer_qkv(c, w, x);  // [N, H·D], [N, H_kv·D], [N, H_kv·D]
  const int64_t q_width = int64_t(c.num_heads) * c.head_dim;
  std::vector<at::Tensor> rows;
  rows.reserve(packed.lengths.size());
  for (size_t i = 0; i < packed.lengths.size(); ++i) {
    const int64_t off = packed.offsets[i], len = packed.lengths[i];
    at::Tensor q = apply_rope(p.q.narrow(0, off, len).view({len, c.num_heads, c.head_dim}).transpose(0, 1), rope);
    at::Tensor k = apply_rope(p.k.narrow(0, off, len).view({len, c.num_kv_heads, c.head_dim}).transpose(0, 1), rope);
    at::Tensor v = p.v.narrow(0, off, len).view({len, c.num_kv_heads, c.head_dim}).transpose(0, 1).contiguous();
    AttentionInputs inputs{l, static_cast<int>(i), q, k, v};
    at::Tensor out = hooks.attention ? hooks.attention(inputs) : causal_attention(q, k, v, c.sliding_window);
    KVT_ASSERT(out.dim() == 3 && out.size(0) == c.num_heads && out.size(1) == len && out.size(2) == c.head_dim,
               "attention hook returned a tensor of the wrong shape");
    if (hooks.on_capture) hooks.on_capture(inputs, out);
    rows.push_back(out.transpose(0, 1).reshape({len, q_width}));
  }
  at::Tensor attention = rows.size() == 1 ? rows[0] : at::cat(rows, 0);  // [N, H·D]
  if (hooks.on_attention_rows) {
    attention = hooks.on_attention_rows(l, attention);
    KVT_ASSERT(attention.sizes() == at::IntArrayRef({packed.rows, q_width}), "attention-rows hook changed the shape");
  }
  return layer_finish(c, w, x, attention);
}

PackedForward::PackedForward(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                             const ForwardOptions& options)
    : model_(model),
      options_(options),
      ids_(concatenated(validated(model.config(), prompts))),
      packed_(lengths_of(prompts)),
      rope_(rope_tables(model.config(), *std::max_element(packed_.lengths.begin(), packed_.lengths.end()),
                        options.device)) {}

at::Tensor PackedForward::embed() const {
  return model_.embed(at::tensor(ids_, at::kLong), options_.dtype, options_.device);
}

LayerWeights PackedForward::weights(int layer) const { return model_.layer(layer, options_.dtype, options_.device); }

at::Tensor PackedForward::layer(int l, const LayerWeights& w, const at::Tensor& x, const ForwardHooks& hooks) const {
  return decoder_block(model_.config(), l, w, x, packed_, rope_, hooks);
}

at::Tensor PackedForward::logits(const at::Tensor& x, int prompt) const {
  if (!final_norm_.defined()) {
    final_norm_ = model_.final_norm(options_.dtype, options_.device);
    lm_head_ = model_.lm_head(options_.dtype, options_.device);
  }
  at::Tensor h = rms_norm(x.narrow(0, offset(prompt), length(prompt)), final_norm_, model_.config().rms_norm_eps);
  return project(h, lm_head_).to(at::kFloat);  // [T, V]
}

std::vector<at::Tensor> forward(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                const ForwardOptions& options, const ForwardHooks& hooks) {
  c10::InferenceMode inference_guard;
  PackedForward packed(model, prompts, options);
  at::Tensor x = packed.embed();  // [N, hidden]
  for (int l = 0; l < model.config().num_layers; ++l) x = packed.layer(l, packed.weights(l), x, hooks);

  std::vector<at::Tensor> logits;
  if (hooks.skip_lm_head) return logits;
  for (int p = 0; p < packed.prompts(); ++p) {
    at::Tensor lp = packed.logits(x, p);
    if (hooks.on_logits)
      hooks.on_logits(p, lp);
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
