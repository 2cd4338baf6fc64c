// LlamaForCausalLM (Llama 2/3/3.1, TinyLlama). Fields and defaults of transformers' LlamaConfig
// (models/llama/configuration_llama.py): attention_bias (false) puts a bias on q/k/v *and* o_proj
// (modeling_llama.py, LlamaAttention), mlp_bias (false) on gate/up/down. LlamaForCausalLM has no sliding window:
// it ignores sliding_window and layer_types.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"
#include "lib/model/config_fields.h"

namespace kvt::model {

namespace {
void read_llama(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  const bool attention_bias = bool_or(j, source, "attention_bias", false);
  c.attention_bias = attention_bias;
  c.o_proj_bias = attention_bias;
  c.mlp_bias = bool_or(j, source, "mlp_bias", false);
  check_uniform_layer_types(j, source, c.num_layers, 0);
}
}  // namespace

// LlamaConfig: num_key_value_heads=None (→ num_attention_heads), max_position_embeddings=2048.
ArchSpec llama_arch() { return {{"LlamaForCausalLM"}, "llama", {0, 2048}, &read_llama}; }

}  // namespace kvt::model
