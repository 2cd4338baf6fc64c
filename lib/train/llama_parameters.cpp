#include "lib/train/llama_parameters.h"

#include <ATen/ATen.h>

#include <cmath>

#include "lib/core/error.h"

namespace kvt::train {

namespace {
// inferred: GPT-2 / Llama initializer scale for a small model.
constexpr double kInitStd = 0.02;

void require_positive(int value, const std::string& option) {
  if (value <= 0) throw InputError(option + ": must be positive, got " + std::to_string(value), 530);
}
}  // namespace

kvt::model::ModelConfig make_model_config(const ModelShape& s, int vocab_size, int bos_eos_id) {
  require_positive(s.hidden_size, "--hidden");
  require_positive(s.num_layers, "--layers");
  require_positive(s.num_heads, "--heads");
  require_positive(s.num_kv_heads, "--kv-heads");
  require_positive(s.head_dim, "--head-dim");
  require_positive(s.intermediate_size, "--intermediate");
  require_positive(s.context_length, "--context");
  if (s.num_heads % s.num_kv_heads != 0)
    throw InputError("--kv-heads: " + std::to_string(s.num_kv_heads) + " does not divide --heads (" +
                         std::to_string(s.num_heads) + ")",
                     531);
  if (s.head_dim % 2 != 0)
    throw InputError("--head-dim: must be even for RoPE, got " + std::to_string(s.head_dim), 532);
  kvt::model::ModelConfig c;
  c.architecture = "LlamaForCausalLM";
  c.model_type = "llama";
  c.hidden_size = s.hidden_size;
  c.num_layers = s.num_layers;
  c.num_heads = s.num_heads;
  c.num_kv_heads = s.num_kv_heads;
  c.head_dim = s.head_dim;
  c.intermediate_size = s.intermediate_size;
  c.max_position_embeddings = s.context_length;
  c.vocab_size = vocab_size;
  c.rms_norm_eps = s.rms_norm_eps;
  c.rope_theta = s.rope_theta;
  c.tie_word_embeddings = s.tie_word_embeddings;
  c.torch_dtype = "bfloat16";
  c.bos_token_id = bos_eos_id;
  c.eos_token_id = bos_eos_id;
  return c;
}

LlamaParameters::LlamaParameters(const kvt::model::ModelConfig& config, uint64_t seed) : config_(config) {
  at::manual_seed(seed);
  const auto& c = config_;
  const double residual_std = kInitStd / std::sqrt(2.0 * c.num_layers);
  auto normal = [](std::vector<int64_t> shape, double std) { return (at::randn(shape) * std).requires_grad_(true); };
  auto ones = [](int64_t n) { return at::ones({n}).requires_grad_(true); };
  // Drawn in a fixed order so a seed names one set of weights.
  embed_tokens_ = normal({c.vocab_size, c.hidden_size}, kInitStd);
  using W = kvt::model::LayerWeights;
  for (int l = 0; l < c.num_layers; ++l) {
    W w;
    for (const auto& t : kvt::model::layer_tensors(c)) {
      const bool norm = t.member == &W::input_norm || t.member == &W::post_attention_norm;
      // Residual-branch outputs (o_proj, down_proj) start smaller, as in GPT-2's scaled init.
      const bool residual = t.member == &W::o_proj || t.member == &W::down_proj;
      w.*t.member = norm ? ones(t.shape[0]) : normal(t.shape, residual ? residual_std : kInitStd);
    }
    layers_.push_back(w);
  }
  final_norm_ = ones(c.hidden_size);
  if (!c.tie_word_embeddings) lm_head_ = normal({c.vocab_size, c.hidden_size}, kInitStd);
  rope_ = kvt::model::rope_tables(c, c.max_position_embeddings, c10::Device(c10::DeviceType::CPU));
}

std::vector<std::pair<std::string, at::Tensor>> LlamaParameters::named_tensors() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  out.emplace_back("model.embed_tokens.weight", embed_tokens_);
  const auto per_layer = kvt::model::layer_tensors(config_);
  for (size_t l = 0; l < layers_.size(); ++l)
    for (const auto& t : per_layer) out.emplace_back(kvt::model::layer_prefix(int(l)) + t.suffix, layers_[l].*t.member);
  out.emplace_back("model.norm.weight", final_norm_);
  if (lm_head_.defined()) out.emplace_back("lm_head.weight", lm_head_);
  return out;
}

std::vector<at::Tensor> LlamaParameters::parameters() const {
  std::vector<at::Tensor> out;
  for (auto& [name, t] : named_tensors()) out.push_back(t);
  return out;
}

at::Tensor LlamaParameters::logits(const at::Tensor& ids) const {
  const int64_t length = ids.size(1);
  if (length > config_.max_position_embeddings)
    throw InputError("sequence of " + std::to_string(length) + " tokens is longer than the context (" +
                         std::to_string(config_.max_position_embeddings) + ")",
                     533);
  kvt::model::RopeTables rope{rope_.cos.narrow(0, 0, length), rope_.sin.narrow(0, 0, length)};
  at::Tensor x = at::embedding(embed_tokens_, ids);  // [B, T, hidden]
  for (const auto& w : layers_) x = kvt::model::decoder_layer(config_, w, x, rope);
  x = kvt::model::rms_norm(x, final_norm_, config_.rms_norm_eps);
  return at::linear(x, lm_head_.defined() ? lm_head_ : embed_tokens_);  // [B, T, V]
}

at::Tensor LlamaParameters::loss(const at::Tensor& windows) const {
  const int64_t length = windows.size(1) - 1;
  at::Tensor inputs = windows.narrow(1, 0, length);
  at::Tensor targets = windows.narrow(1, 1, length);
  at::Tensor logits_btv = logits(inputs);
  return at::cross_entropy_loss(logits_btv.reshape({-1, config_.vocab_size}), targets.reshape({-1}));
}

}  // namespace kvt::train
