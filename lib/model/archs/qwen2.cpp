// Qwen2ForCausalLM (Qwen2, Qwen2.5): q/k/v projections always carry biases, o_proj and the MLP never
// (modeling_qwen2.py, Qwen2Attention / Qwen2MLP; config.json's attention_bias is not read).
// Qwen2Config (models/qwen2/configuration_qwen2.py): the window is sliding_window (4096 when missing) only when
// use_sliding_window (false) is set; layer i slides when the window is set and i >= max_window_layers (28),
// unless layer_types lists each layer's type. kvtuner runs one window on every layer or on none.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"
#include "lib/model/config_fields.h"

namespace kvt::model {

namespace {
void read_qwen2(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  c.attention_bias = true;
  int window = 0;
  if (bool_or(j, source, "use_sliding_window", false) &&
      !(j.contains("sliding_window") && j["sliding_window"].is_null()))
    window = positive_int_or(j, source, "sliding_window", 4096);
  std::vector<bool> sliding = read_layer_types(j, source, c.num_layers);
  const bool from_layer_types = !sliding.empty();
  if (!from_layer_types) {
    const int max_window_layers = window > 0 ? non_negative_int_or(j, source, "max_window_layers", 28) : 0;
    for (int l = 0; l < c.num_layers; ++l) sliding.push_back(window > 0 && l >= max_window_layers);
  }
  for (int l = 0; l < c.num_layers; ++l) {
    if (sliding[size_t(l)] && window == 0)  // transformers: "Could not find a `sliding_window` argument in the config"
      throw InputError(
          source + ": layer_types[" + std::to_string(l) +
              "] is 'sliding_attention' but no window is set (use_sliding_window false or sliding_window null)",
          321);
    if (sliding[size_t(l)] != sliding[0]) {
      const std::string why =
          from_layer_types ? "layer_types" : "max_window_layers " + std::to_string(j.value("max_window_layers", 28));
      throw UnsupportedError(source + ": sliding window " + std::to_string(window) + " on only some layers (" + why +
                                 ": layer " + std::to_string(sliding[0] ? l : 0) + " full, layer " +
                                 std::to_string(sliding[0] ? 0 : l) + " sliding) is not supported",
                             214);
    }
  }
  c.sliding_window = sliding[0] ? window : 0;
}
}  // namespace

// Qwen2Config: num_key_value_heads=32, max_position_embeddings=32768.
ArchSpec qwen2_arch() { return {{"Qwen2ForCausalLM"}, "qwen2", {32, 32768}, &read_qwen2}; }

}  // namespace kvt::model
