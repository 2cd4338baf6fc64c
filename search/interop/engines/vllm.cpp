// vLLM: one quantized --kv-cache-dtype (fp8 or nvfp4, the cheaper projection) plus
// --kv-cache-dtype-skip-layers for the layers that need more bits than it has (kept at "auto"). K = V.
#include <algorithm>

#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"

namespace kvt::interop {

namespace {

// --kv-cache-dtype; "auto" is the model dtype (bf16) kept for skipped layers.
std::vector<StorageType> dtype_menu(int) { return {{"fp8", 8, 8.0}, {"nvfp4", 4, 4.5}, {"auto", 16, 16.0}}; }

std::vector<EngineProjection> project(const EngineInput& input) {
  // "auto" (the model dtype) is always available: it is what a skipped layer runs.
  std::vector<StorageType> menu = restrict_menu(dtype_menu(input.head_dim), input.allowed_dtypes, "vllm");
  StorageType unquantized{"auto", 16, 16.0};
  std::vector<EngineProjection> options;
  for (const auto& quantized : menu) {
    if (quantized.nominal_bits >= 16) continue;
    EngineProjection p;
    p.label = "vllm";
    std::vector<std::string> skipped;
    nlohmann::ordered_json layer_dtypes = nlohmann::ordered_json::object();
    for (size_t l = 0; l < input.layer_pairs.size(); ++l) {
      bool skip = layer_need(input.layer_pairs[l]) > quantized.nominal_bits;
      const StorageType& t = skip ? unquantized : quantized;
      if (skip) skipped.push_back(std::to_string(l));
      p.layers.push_back({t, t});
      layer_dtypes[std::to_string(l)] = t.name;
    }
    bool all_skipped = skipped.size() == input.layer_pairs.size();
    p.invocation = "--kv-cache-dtype " + (all_skipped ? std::string("auto") : quantized.name);
    if (!all_skipped && !skipped.empty()) {
      p.invocation += " --kv-cache-dtype-skip-layers";
      for (const auto& s : skipped) p.invocation += " " + s;
    }
    p.settings["kv_cache_dtype"] = all_skipped ? "auto" : quantized.name;
    p.settings["kv_cache_dtype_skip_layers"] = all_skipped ? std::vector<std::string>{} : skipped;
    p.settings["layer_dtypes"] = layer_dtypes;
    p.notes.push_back("vllm keeps K = V per layer and one quantized dtype (" + quantized.name +
                      "): layers needing more than " + std::to_string(quantized.nominal_bits) +
                      " bits (max of K and V) stay at auto");
    if (!all_skipped) {
      bool nvfp4 = quantized.name == "nvfp4";
      p.requirements.push_back(nvfp4 ? requirement::kVllmNvfp4 : requirement::kVllmFp8);
      if (!skipped.empty()) p.requirements.push_back(requirement::kVllmSkipLayers);
      if (nvfp4 && !skipped.empty()) p.requirements.push_back(requirement::kVllmNvfp4SkipLayers);
    }
    options.push_back(std::move(p));
  }
  if (options.empty()) {  // only "auto" allowed
    EngineProjection p;
    p.label = "vllm";
    for (size_t l = 0; l < input.layer_pairs.size(); ++l) p.layers.push_back({unquantized, unquantized});
    p.invocation = "--kv-cache-dtype auto";
    p.settings["kv_cache_dtype"] = "auto";
    p.notes.push_back("no quantized vllm dtype allowed: every layer stays at auto");
    return {p};
  }
  // The cheaper projection in memory; menu order (fp8 first) breaks ties.
  auto cheaper = [](const EngineProjection& a, const EngineProjection& b) {
    return summarize(a.layers, nullptr).effective_bits < summarize(b.layers, nullptr).effective_bits;
  };
  return {*std::min_element(options.begin(), options.end(), cheaper)};
}

}  // namespace

EngineSpec vllm_engine() {
  // Search shape: --kv-cache-dtype fp8_e4m3|fp8_e5m2 (one for K and V, all layers) with
  // --kv-cache-dtype-skip-layers keeping chosen layers at auto (docs.vllm.ai, "Quantized KV Cache"; engine args).
  EngineConstraints search{"vllm",
                           "--kv-cache-dtype fp8_e4m3|fp8_e5m2 with --kv-cache-dtype-skip-layers (K = V)",
                           LayerScope::Global,
                           true,
                           {"fp8_e4m3", "fp8_e5m2"},
                           "auto",
                           true,
                           false};
  return {"vllm",
          "vLLM --kv-cache-dtype fp8|nvfp4 with --kv-cache-dtype-skip-layers (K = V)",
          dtype_menu,
          project,
          {search}};
}

}  // namespace kvt::interop
