// Supported architectures. Adding one = one file in lib/model/archs/ plus one line in arch_registry.cpp.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/model/model_config.h"

namespace kvt::model {

// Defaults of the transformers config class where the architectures differ (docs/formats.md, "config.json").
struct ArchDefaults {
  int num_key_value_heads = 0;  // when the key is missing; 0: num_attention_heads
  int max_position_embeddings = 0;
};

struct ArchSpec {
  std::vector<std::string> hf_class_names;  // "architectures" entries accepted
  std::string model_type;
  ArchDefaults defaults;
  // Reads architecture-specific fields after the common ones (biases, sliding window, ...).
  void (*read_extra)(const nlohmann::json& j, const std::string& source, ModelConfig& config);
};

const std::vector<ArchSpec>& supported_architectures();
// @throws UnsupportedError listing the supported class names.
const ArchSpec& find_architecture(const std::string& hf_class_name, const std::string& source);
std::string supported_architecture_list();  // "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM"

}  // namespace kvt::model
