#include "search/export/storage_type.h"

#include <algorithm>

#include "lib/core/error.h"

namespace kvt::interop {

StorageType kvtuner_storage(int bits, const GroupRule& rule) {
  if (bits >= 16) return {"bf16", 16, 16.0};
  // One 16-bit scale (+ one 16-bit zero-point when asymmetric) shared by `group_size` elements.
  double parameter_bits = rule.symmetric ? 16.0 : 32.0;
  return {"int" + std::to_string(bits), bits, bits + parameter_bits / rule.group_size};
}

std::vector<StorageType> engine_dtype_menu(const std::string& engine, int head_dim) {
  if (engine == "vllm")  // --kv-cache-dtype; "auto" is the model dtype (bf16) kept for skipped layers
    return {{"fp8", 8, 8.0}, {"nvfp4", 4, 4.5}, {"auto", 16, 16.0}};
  if (engine == "sglang")  // fp4_e2m1: blocks of 16, one 8-bit scale (SGLang docs, quantized_kv_cache.md)
    return {{"fp8_e4m3", 8, 8.0}, {"fp4_e2m1", 4, 4.5}, {"bf16", 16, 16.0}};
  if (engine == "tensorrt-llm") return {{"fp8", 8, 8.0}, {"nvfp4", 4, 4.5}, {"auto", 16, 16.0}};
  if (engine == "llama.cpp")  // ggml blocks of 32 with an fp16 scale (and min for _1 types): llama.cpp PR #7412
    return {{"f16", 16, 16.0}, {"q8_0", 8, 8.5}, {"q5_1", 5, 6.0}, {"q5_0", 5, 5.5},
            {"q4_1", 4, 5.0},  {"q4_0", 4, 4.5}, {"iq4_nl", 4, 4.5}};
  if (engine == "lmdeploy") {  // quant_policy 8 / 4: per-head, per-token asymmetric, fp16 scale + zero
    double overhead = 32.0 / head_dim;
    return {{"int8", 8, 8 + overhead}, {"int4", 4, 4 + overhead}, {"fp16", 16, 16.0}};
  }
  throw InputError("--to: unknown engine '" + engine + "'", 860);
}

std::vector<StorageType> restrict_menu(const std::vector<StorageType>& menu, const std::vector<std::string>& allowed,
                                       const std::string& engine) {
  if (allowed.empty()) return menu;
  std::vector<StorageType> kept;
  for (const auto& name : allowed) {
    auto it = std::find_if(menu.begin(), menu.end(), [&](const StorageType& t) { return t.name == name; });
    if (it == menu.end()) {
      std::string names;
      for (const auto& t : menu) names += (names.empty() ? "" : ", ") + t.name;
      throw InputError("--engine-dtypes: '" + name + "' is not a " + engine + " KV-cache dtype (" + names + ")", 861);
    }
    if (std::find(kept.begin(), kept.end(), *it) == kept.end()) kept.push_back(*it);
  }
  // Keep the engine's preference order, not the order typed on the command line.
  std::vector<StorageType> ordered;
  for (const auto& t : menu)
    if (std::find(kept.begin(), kept.end(), t) != kept.end()) ordered.push_back(t);
  return ordered;
}

}  // namespace kvt::interop
