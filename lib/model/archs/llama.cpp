// LlamaForCausalLM (Llama 2/3/3.1, TinyLlama): optional attention_bias, no MLP bias, llama3 RoPE scaling.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"

namespace kvt::model {

namespace {
void read_llama(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  if (j.contains("attention_bias") && j["attention_bias"].is_boolean()) c.attention_bias = j["attention_bias"].get<bool>();
  if (j.contains("mlp_bias") && j["mlp_bias"].is_boolean() && j["mlp_bias"].get<bool>())
    throw UnsupportedError(source + ": mlp_bias = true is not supported", 213);
}
}  // namespace

ArchSpec llama_arch() { return {{"LlamaForCausalLM"}, "llama", &read_llama}; }

}  // namespace kvt::model
