// MistralForCausalLM: Llama math plus an optional sliding attention window.
#include "lib/core/error.h"
#include "lib/model/arch_registry.h"

namespace kvt::model {

namespace {
void read_mistral(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
  if (j.contains("sliding_window") && !j["sliding_window"].is_null()) {
    if (!j["sliding_window"].is_number_integer() || j["sliding_window"].get<int64_t>() <= 0)
      throw InputError(source + ": field 'sliding_window' must be a positive integer or null", 321);
    c.sliding_window = j["sliding_window"].get<int>();
  }
}
}  // namespace

ArchSpec mistral_arch() { return {{"MistralForCausalLM"}, "mistral", &read_mistral}; }

}  // namespace kvt::model
