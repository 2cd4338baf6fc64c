// The trainable Llama parameters and the training-time forward pass. The math is the runtime's:
// decoder_layer / rms_norm / rope_tables from lib/model/forward.h, so a trained model computes the
// same function when the runtime loads it.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lib/model/forward.h"
#include "lib/model/model_config.h"

namespace kvt::train {

// The model shape chosen on the command line (--hidden, --layers, ...).
struct ModelShape {
  int hidden_size = 256;
  int num_layers = 6;
  int num_heads = 8;
  int num_kv_heads = 2;  // grouped-query attention: 4 query heads share each KV head
  int head_dim = 32;
  int intermediate_size = 688;  // inferred: ≈ 8/3 · hidden rounded to a multiple of 16, as Llama does
  int context_length = 256;     // tokens; max_position_embeddings
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
  bool tie_word_embeddings = true;
};

// LlamaForCausalLM config for this shape. @throws InputError naming the option that is invalid.
kvt::model::ModelConfig make_model_config(const ModelShape& shape, int vocab_size, int bos_eos_id);

class LlamaParameters {
 public:
  // Weights drawn from N(0, 0.02) (residual output projections o_proj/down_proj scaled by
  // 1/sqrt(2·layers), GPT-2's rule), norms at 1; seeded with at::manual_seed(seed). fp32, CPU.
  LlamaParameters(const kvt::model::ModelConfig& config, uint64_t seed);

  const kvt::model::ModelConfig& config() const { return config_; }
  // Every trainable tensor, in the order of named_tensors().
  std::vector<at::Tensor> parameters() const;
  // Hugging Face names → tensors (lm_head.weight only when embeddings are untied).
  std::vector<std::pair<std::string, at::Tensor>> named_tensors() const;

  // ids [B, T] (int64) → logits [B, T, V] (fp32).
  at::Tensor logits(const at::Tensor& ids) const;
  // Mean next-token cross-entropy (nats) of windows [B, T+1]: predicts window[:, 1:] from window[:, :-1].
  at::Tensor loss(const at::Tensor& windows) const;

 private:
  kvt::model::ModelConfig config_;
  at::Tensor embed_tokens_;  // [V, hidden]
  std::vector<kvt::model::LayerWeights> layers_;
  at::Tensor final_norm_;  // [hidden]
  at::Tensor lm_head_;     // [V, hidden]; undefined when tied
  kvt::model::RopeTables rope_;
};

}  // namespace kvt::train
