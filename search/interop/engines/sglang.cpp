// SGLang: per-layer K = V dtype (max of K and V bits rounded up), as a layer range string for
// --kv-cache-per-layer-dtype, or one --kv-cache-dtype when every layer agrees.
#include <algorithm>

#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"

namespace kvt::interop {

namespace {

// fp4_e2m1: blocks of 16, one 8-bit scale (SGLang docs, quantized_kv_cache.md).
std::vector<StorageType> dtype_menu(int) { return {{"fp8_e4m3", 8, 8.0}, {"fp4_e2m1", 4, 4.5}, {"bf16", 16, 16.0}}; }

std::vector<EngineProjection> project(const EngineInput& input) {
  auto menu = restrict_menu(dtype_menu(input.head_dim), input.allowed_dtypes, "sglang");
  std::vector<std::string> names;
  EngineProjection p = round_up_per_layer("sglang", input, menu, names);
  std::string ranges = layer_range_string(names);
  p.settings["layer_ranges"] = ranges;
  if (all_same(names)) {
    std::string dtype = names.front() == "bf16" ? "auto" : names.front();
    p.invocation = "--kv-cache-dtype " + dtype;
    p.settings["kv_cache_dtype"] = dtype;
  } else {
    p.invocation = "--kv-cache-per-layer-dtype \"" + ranges + "\"";
    p.settings["kv_cache_per_layer_dtype"] = ranges;
    p.requirements.push_back(requirement::kSglangPerLayer);
  }
  if (std::find(names.begin(), names.end(), "fp8_e4m3") != names.end())
    p.requirements.push_back(requirement::kSglangFp8);
  if (std::find(names.begin(), names.end(), "fp4_e2m1") != names.end())
    p.requirements.push_back(requirement::kSglangFp4);
  return {p};
}

}  // namespace

EngineSpec sglang_engine() {
  // Search shape: one --kv-cache-dtype auto|fp8_e5m2|fp8_e4m3 for K and V and every layer (SGLang server
  // arguments; mem_cache/memory_pool.py casts with torch, hence fp8 TorchCast overflow in lib/quant).
  EngineConstraints search{"sglang",
                           "--kv-cache-dtype fp8_e4m3|fp8_e5m2 (one type, K = V, all layers)",
                           LayerScope::Global,
                           true,
                           {"fp8_e4m3", "fp8_e5m2"},
                           "auto",
                           false,
                           false};
  return {
      "sglang", "SGLang --kv-cache-dtype, or --kv-cache-per-layer-dtype ranges (K = V)", dtype_menu, project, {search}};
}

}  // namespace kvt::interop
