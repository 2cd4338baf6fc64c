#include "search/interop/engine_registry.h"

#include "lib/core/error.h"

namespace kvt::interop {

// One line per engine file in engines/.
EngineSpec vllm_engine();
EngineSpec sglang_engine();
EngineSpec tensorrt_llm_engine();
EngineSpec llama_cpp_engine();
EngineSpec lmdeploy_engine();

const std::vector<EngineSpec>& engines() {
  static const std::vector<EngineSpec> table = {vllm_engine(), sglang_engine(), tensorrt_llm_engine(),
                                                llama_cpp_engine(), lmdeploy_engine()};
  return table;
}

const EngineSpec& find_engine(const std::string& name, const std::string& option) {
  std::string names;
  for (const auto& e : engines()) {
    if (e.name == name) return e;
    names += (names.empty() ? "" : ", ") + e.name;
  }
  throw InputError(option + ": unknown engine '" + name + "' (expected one of " + names + ")", 860);
}

}  // namespace kvt::interop
