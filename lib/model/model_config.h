// config.json → ModelConfig for the supported decoder architectures (see arch_registry.h).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace kvt::model {

// RoPE scaling, read from rope_scaling (transformers 4) or rope_parameters (transformers 5).
struct RopeScaling {
  std::string type = "default";  // "default" (none), "linear", "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0;                 // llama3 only
  double high_freq_factor = 4.0;                // llama3 only
  int original_max_position_embeddings = 8192;  // llama3 only
};

struct ModelConfig {
  std::string architecture;  // the HF class name, e.g. "LlamaForCausalLM"
  std::string model_type;    // "llama", "mistral", "qwen2"
  int hidden_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
  int intermediate_size = 0;
  int max_position_embeddings = 0;
  int vocab_size = 0;
  // The defaults below are transformers' (docs/formats.md, "config.json"); parse_model_config fills every field.
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool attention_bias = false;          // q/k/v biases (Qwen2 always; Llama attention_bias)
  bool o_proj_bias = false;             // o_proj bias (Llama attention_bias)
  bool mlp_bias = false;                // gate/up/down biases (Llama mlp_bias)
  int sliding_window = 0;               // tokens each query sees on every layer; 0 = none
  std::string torch_dtype = "float32";  // config.json dtype (transformers 5) or torch_dtype (4); informational
  int bos_token_id = -1;
  int eos_token_id = -1;

  int64_t parameter_count() const;
  // Bytes of K and V for one token over all layers at `bits` per element (no scales).
  int64_t kv_bytes_per_token(int bits = 16) const;
};

// Reads config.json as the transformers config class of its architecture does: absent fields take that
// class's default, RoPE comes from rope_scaling (4.x) or rope_parameters (5.x). A value kvtuner does not
// implement (a rope_type, an activation, a per-layer window, a pre-quantized checkpoint) is refused by name.
// @throws InputError naming `source` and the field; UnsupportedError for what kvtuner does not implement.
ModelConfig parse_model_config(const nlohmann::json& j, const std::string& source);
// The same from config.json's text: JSON nested deeper than kMaxJsonDepth (lib/core/json_limits.h) or invalid
// JSON is input.323. Integers are range-checked in 64 bits before narrowing (dimensions below 2^31, token ids in
// 0..2^31-1). Does not check the layer count against any weights (Model::open does).
ModelConfig parse_model_config_text(const std::string& text, const std::string& source);
// <model_dir>/config.json. @throws InputError 325 when the directory or file is missing.
ModelConfig load_model_config(const std::string& model_dir);
// The HF config.json a model with this config would ship (used by the trainer and test fixtures).
nlohmann::json to_hf_config_json(const ModelConfig& config);

}  // namespace kvt::model
