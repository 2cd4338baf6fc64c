// The few model dimensions export needs (layer count, KV heads, head_dim), read straight from a Hugging Face
// config.json with nlohmann so that kvt_search never links the LibTorch runtime (lib/model).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace kvt::interop {

struct ModelShape {
  int num_layers = 0;    // num_hidden_layers
  int num_kv_heads = 0;  // num_key_value_heads (num_attention_heads when absent: MHA)
  int head_dim = 0;      // head_dim, else hidden_size / num_attention_heads
};

// @throws InputError naming `source` and the field when a field is missing, not a positive integer, or
// hidden_size is not a multiple of num_attention_heads.
ModelShape parse_model_shape(const nlohmann::json& config, const std::string& source);
// Reads <model_dir>/config.json. @throws InputError naming the file.
ModelShape read_model_shape(const std::string& model_dir);

}  // namespace kvt::interop
