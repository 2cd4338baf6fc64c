// Qwen2ForCausalLM (Qwen2, Qwen2.5): q/k/v projections always carry biases; the sliding window only
// applies when use_sliding_window is true.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"

namespace kvt::model {

namespace {
void read_qwen2(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  c.attention_bias = true;
  bool use_window = j.contains("use_sliding_window") && j["use_sliding_window"].is_boolean() &&
                    j["use_sliding_window"].get<bool>();
  if (!use_window) return;
  // HF applies the window only to layers >= max_window_layers; all-or-nothing is what we support.
  int max_window_layers = j.value("max_window_layers", 0);
  if (max_window_layers >= c.num_layers) return;
  if (max_window_layers > 0)
    throw UnsupportedError(source + ": use_sliding_window on only some layers (max_window_layers " +
                               std::to_string(max_window_layers) + ") is not supported", 214);
  if (!j.contains("sliding_window") || !j["sliding_window"].is_number_integer() || j["sliding_window"].get<int>() <= 0)
    throw InputError(source + ": use_sliding_window is true but 'sliding_window' is not a positive integer", 321);
  c.sliding_window = j["sliding_window"].get<int>();
}
}  // namespace

ArchSpec qwen2_arch() { return {{"Qwen2ForCausalLM"}, "qwen2", &read_qwen2}; }

}  // namespace kvt::model
