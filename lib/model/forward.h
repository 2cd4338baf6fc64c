// The decoder forward pass, with the math of Hugging Face transformers' Llama/Mistral/Qwen2:
// RMSNorm in fp32, rotate-half RoPE, grouped-query attention with causal softmax in fp32, SwiGLU MLP.
//
// forward() runs layer-major over a batch of prompts of different lengths: every prompt passes
// layer 0, then layer 1, ..., so only one layer's weights exist in the compute dtype at a time.
// Projections run on the prompts' tokens packed together; attention runs per prompt (no padding).
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lib/model/model_config.h"

namespace kvt::model {

class Model;

struct ForwardOptions {
  c10::ScalarType dtype = c10::ScalarType::Float;  // compute dtype (--dtype)
  c10::Device device = c10::Device(c10::DeviceType::CPU);
};

// What a KV cache stores for one layer and one prompt, after RoPE.
struct AttentionInputs {
  int layer;
  int prompt;
  const at::Tensor& q;  // [H, T, D]
  const at::Tensor& k;  // [H_kv, T, D]
  const at::Tensor& v;  // [H_kv, T, D]
};

struct ForwardHooks {
  // Receives q/k/v and the attention output [H, T, D] (before o_proj) for each layer and prompt,
  // before the next layer runs. Tensors are in the compute dtype on the compute device.
  std::function<void(const AttentionInputs& inputs, const at::Tensor& attention_output)> on_capture;
  // Replaces causal attention (e.g. attention over a quantized cache); must return [H, T, D].
  std::function<at::Tensor(const AttentionInputs& inputs)> attention;
  // Receives each prompt's logits [T, V] (fp32). When set, forward() returns no logits.
  std::function<void(int prompt, const at::Tensor& logits)> on_logits;
  // Receives layer `layer`'s attention output rows [N, H·D] (all prompts packed, before o_proj) and returns
  // what o_proj gets instead (same shape), e.g. rows + a zero leaf whose gradient is ∂loss/∂rows.
  std::function<at::Tensor(int layer, const at::Tensor& attention_rows)> on_attention_rows;
  // Stop after the last layer (no final norm / LM head): capture-only runs.
  bool skip_lm_head = false;
};

// Runs every prompt (token ids) through the model. Returns each prompt's logits [T_i, V] in fp32
// unless hooks.on_logits is set or hooks.skip_lm_head is true.
std::vector<at::Tensor> forward(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                const ForwardOptions& options, const ForwardHooks& hooks = {});

// Per-token log-probabilities: out[i][t] = log p(prompt_i[t+1] | prompt_i[..t]), length T_i - 1.
std::vector<std::vector<double>> token_logprobs(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                                const ForwardOptions& options, const ForwardHooks& hooks = {});

// ---- building blocks, shared with the trainer (autograd-friendly; leading batch dims allowed) ----

struct LayerWeights {
  at::Tensor input_norm;              // [hidden]
  at::Tensor q_proj, k_proj, v_proj;  // [H·D, hidden], [H_kv·D, hidden], [H_kv·D, hidden]
  at::Tensor q_bias, k_bias, v_bias;  // [H·D], [H_kv·D] or undefined
  at::Tensor o_proj;                  // [hidden, H·D]
  at::Tensor o_bias;                  // [hidden] or undefined (Llama attention_bias)
  at::Tensor post_attention_norm;     // [hidden]
  at::Tensor gate_proj, up_proj;      // [I, hidden]
  at::Tensor down_proj;               // [hidden, I]
  at::Tensor gate_bias, up_bias;      // [I] or undefined (Llama mlp_bias)
  at::Tensor down_bias;               // [hidden] or undefined
};

// The Hugging Face tensors of one decoder layer: the name after "model.layers.<l>.", the LayerWeights member it
// fills, and its shape. One table for the loader (Model), the trainer (LlamaParameters) and the test fixture writer.
struct LayerTensor {
  std::string suffix;                // e.g. "self_attn.q_proj.weight"
  at::Tensor LayerWeights::*member;  // e.g. &LayerWeights::q_proj
  std::vector<int64_t> shape;        // e.g. {H·D, hidden}
};
// In file order: input norm, q/k/v (then their biases), o_proj (bias), post-attention norm, gate/up/down (biases);
// biases only where the config has them (attention_bias, o_proj_bias, mlp_bias).
std::vector<LayerTensor> layer_tensors(const ModelConfig& config);
std::string layer_prefix(int layer);  // "model.layers.<layer>."

struct RopeTables {
  at::Tensor cos, sin;  // [T, D], fp32
};

// Inverse frequencies [D/2] (fp32) with the config's theta and scaling (llama3, linear).
at::Tensor rope_inv_freq(const ModelConfig& config);
RopeTables rope_tables(const ModelConfig& config, int64_t length, c10::Device device);
// x: [..., T, D] → rotate-half RoPE (computed in fp32, returned in x's dtype).
at::Tensor apply_rope(const at::Tensor& x, const RopeTables& rope);
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);
// Causal GQA attention: q [..., H, T, D], k/v [..., H_kv, T, D] → [..., H, T, D]; softmax in fp32.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int sliding_window = 0);

// The decoder block, split where the hooks need it. x may have any leading dims: [..., hidden].
struct LayerQKV {
  at::Tensor q, k, v;  // [..., H·D], [..., H_kv·D], [..., H_kv·D]: projected (biases added), before RoPE
};
// input RMSNorm, then the q/k/v projections.
LayerQKV layer_qkv(const ModelConfig& config, const LayerWeights& w, const at::Tensor& x);
// x + o_proj(attention), then the post-attention RMSNorm and SwiGLU MLP residual: attention [..., H·D] → [..., hidden].
at::Tensor layer_finish(const ModelConfig& config, const LayerWeights& w, const at::Tensor& x,
                        const at::Tensor& attention);

// One decoder layer on x [B, T, hidden] (all sequences of length T), from layer_qkv and layer_finish with one
// batched attention (the trainer's form). `attention` may be null.
at::Tensor decoder_layer(const ModelConfig& config, const LayerWeights& w, const at::Tensor& x, const RopeTables& rope,
                         const std::function<at::Tensor(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)>&
                             attention = nullptr);

// Prompts of different lengths packed row-wise: prompt p owns rows [offsets[p], offsets[p] + lengths[p]).
struct PackedRows {
  std::vector<int64_t> offsets, lengths;
  int64_t rows = 0;
  explicit PackedRows(const std::vector<int64_t>& prompt_lengths);
};

// The model's one decoder block over packed prompts: layer_qkv, RoPE and attention per prompt (hooks.attention,
// on_capture, on_attention_rows apply), layer_finish. x [N, hidden] → [N, hidden]; `rope` covers the longest prompt.
// What forward() runs for every layer (through PackedForward::layer) and what bench_forward times.
at::Tensor decoder_block(const ModelConfig& config, int layer, const LayerWeights& w, const at::Tensor& x,
                         const PackedRows& packed, const RopeTables& rope, const ForwardHooks& hooks = {});

// A batch of prompts of different lengths packed row-wise: prompt p owns rows [offsets[p], offsets[p] + lengths[p]).
// The runtime's layer-major forward is built from it, and so are partial forwards that start at any layer
// (the layer-KL profiler runs layers l..L−1 from a kept residual stream).
class PackedForward {
 public:
  // Checks the prompts against the config (non-empty, within max_position_embeddings, ids in the vocabulary).
  // @throws InputError (ids 350–352).
  PackedForward(const Model& model, const std::vector<std::vector<int64_t>>& prompts, const ForwardOptions& options);

  // The residual stream entering layer 0: [N, hidden] in the compute dtype.
  at::Tensor embed() const;
  // Layer l's weights in the compute dtype on the compute device.
  LayerWeights weights(int layer) const;
  // One decoder layer (the model's one block: layer_qkv, RoPE and attention per prompt, layer_finish):
  // x [N, hidden] → [N, hidden]. hooks.attention / on_capture / on_attention_rows apply. Autograd-friendly:
  // the caller decides on InferenceMode.
  at::Tensor layer(int layer, const LayerWeights& w, const at::Tensor& x, const ForwardHooks& hooks = {}) const;
  // Final norm and LM head of prompt p's rows of x: fp32 logits [T_p, V].
  at::Tensor logits(const at::Tensor& x, int prompt) const;

  int prompts() const { return int(packed_.lengths.size()); }
  int64_t offset(int prompt) const { return packed_.offsets[size_t(prompt)]; }
  int64_t length(int prompt) const { return packed_.lengths[size_t(prompt)]; }
  int64_t rows() const { return packed_.rows; }

 private:
  const Model& model_;
  ForwardOptions options_;
  std::vector<int64_t> ids_;
  PackedRows packed_;
  RopeTables rope_;
  mutable at::Tensor final_norm_, lm_head_;  // loaded on first use
};

}  // namespace kvt::model
