// TensorRT-LLM: per-layer K = V dtype (max of K and V bits rounded up) in kv_cache_config.dtype, as a layer
// range string ("0-3:fp8,4-35:nvfp4") or one dtype when every layer agrees.
#include <algorithm>

#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"

namespace kvt::interop {

namespace {

std::vector<StorageType> dtype_menu(int) { return {{"fp8", 8, 8.0}, {"nvfp4", 4, 4.5}, {"auto", 16, 16.0}}; }

std::vector<EngineProjection> project(const EngineInput& input) {
  auto menu = restrict_menu(dtype_menu(input.head_dim), input.allowed_dtypes, "tensorrt-llm");
  std::vector<std::string> names;
  EngineProjection p = round_up_per_layer("tensorrt-llm", input, menu, names);
  std::string ranges = layer_range_string(names);
  std::string dtype = all_same(names) ? names.front() : ranges;
  p.settings["layer_ranges"] = ranges;
  p.settings["kv_cache_config"] = {{"dtype", dtype}};
  p.invocation = "kv_cache_config: {dtype: \"" + dtype + "\"}";
  p.requirements.push_back(requirement::kTrtllmPytorch);
  if (!all_same(names)) p.requirements.push_back(requirement::kTrtllmPerLayer);
  if (std::find(names.begin(), names.end(), "nvfp4") != names.end())
    p.requirements.push_back(requirement::kTrtllmNvfp4);
  return {p};
}

}  // namespace

EngineSpec tensorrt_llm_engine() {
  // Search shape: one kv_cache_config.dtype fp8|nvfp4 (KvCacheConfig, quantized KV cache docs) for K and V and
  // every layer. TensorRT-LLM's int8 KV cache (per-tensor int8 scale) is not a registered lib/quant type.
  EngineConstraints search{"tensorrt-llm",
                           "kv_cache_config.dtype fp8|nvfp4 (one type, K = V, all layers)",
                           LayerScope::Global,
                           true,
                           {"fp8_e4m3", "nvfp4"},
                           "auto",
                           false,
                           false};
  return {
      "tensorrt-llm", "TensorRT-LLM kv_cache_config.dtype, per-layer ranges (K = V)", dtype_menu, project, {search}};
}

}  // namespace kvt::interop
