// MistralForCausalLM: Llama math without biases, plus a sliding attention window on every layer.
// MistralConfig (models/mistral/configuration_mistral.py): sliding_window=4096 when the key is missing,
// null = no window; the modeling code ignores attention_bias, mlp_bias and layer_types.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"
#include "lib/model/config_fields.h"

namespace kvt::model {

namespace {
void read_mistral(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  c.sliding_window = j.contains("sliding_window") && j["sliding_window"].is_null()
                         ? 0
                         : positive_int_or(j, source, "sliding_window", 4096);
  check_uniform_layer_types(j, source, c.num_layers, c.sliding_window);
}
}  // namespace

// MistralConfig: num_key_value_heads=8, max_position_embeddings=4096 * 32.
ArchSpec mistral_arch() { return {{"MistralForCausalLM"}, "mistral", {8, 4096 * 32}, &read_mistral}; }

}  // namespace kvt::model
