#include "lib/model/arch_registry.h"

#include "lib/core/error.h"

namespace kvt::model {

// One line per architecture file in lib/model/archs/.
ArchSpec llama_arch();
ArchSpec mistral_arch();
ArchSpec qwen2_arch();

const std::vector<ArchSpec>& supported_architectures() {
  static const std::vector<ArchSpec> archs = {llama_arch(), mistral_arch(), qwen2_arch()};
  return archs;
}

std::string supported_architecture_list() {
  std::string out;
  for (const auto& a : supported_architectures())
    for (const auto& n : a.hf_class_names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const ArchSpec& find_architecture(const std::string& hf_class_name, const std::string& source) {
  for (const auto& a : supported_architectures())
    for (const auto& n : a.hf_class_names)
      if (n == hf_class_name) return a;
  throw UnsupportedError(source + ": architecture '" + hf_class_name +
                             "' is not supported (supported: " + supported_architecture_list() + ")",
                         212);
}

}  // namespace kvt::model
