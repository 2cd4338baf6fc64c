// Engines that take a per-layer dtype but keep K = V: vLLM (a skip list), SGLang and TensorRT-LLM (range strings).
#include <algorithm>

#include "search/export/engine_projection.h"
#include "search/export/engine_requirements.h"

namespace kvt::interop {

namespace {

int layer_need(const PrecisionPair& pair) { return std::max(pair.key_bits, pair.value_bits); }

// Each layer at the cheapest dtype covering max(K bits, V bits); notes for layers nothing covers.
EngineProjection round_up_per_layer(const std::string& label, const EngineInput& input,
                                    const std::vector<StorageType>& menu, std::vector<std::string>& names) {
  EngineProjection p;
  p.label = label;
  for (size_t l = 0; l < input.layer_pairs.size(); ++l) {
    bool covered = true;
    StorageType t = round_up(menu, layer_need(input.layer_pairs[l]), &covered);
    if (!covered)
      p.notes.push_back("layer " + std::to_string(l) + " needs " + std::to_string(layer_need(input.layer_pairs[l])) +
                        " bits; the widest allowed dtype " + t.name + " has fewer");
    p.layers.push_back({t, t});
    names.push_back(t.name);
  }
  p.notes.push_back(label + " keeps K = V per layer: each layer gets the cheapest allowed dtype with at least "
                    "max(K bits, V bits)");
  return p;
}

bool all_same(const std::vector<std::string>& names) {
  return std::all_of(names.begin(), names.end(), [&](const std::string& n) { return n == names.front(); });
}

}  // namespace

std::vector<EngineProjection> project_vllm(const EngineInput& input) {
  // "auto" (the model dtype) is always available: it is what a skipped layer runs.
  std::vector<StorageType> menu =
      restrict_menu(engine_dtype_menu("vllm", input.head_dim), input.allowed_dtypes, "vllm");
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

std::vector<EngineProjection> project_sglang(const EngineInput& input) {
  auto menu = restrict_menu(engine_dtype_menu("sglang", input.head_dim), input.allowed_dtypes, "sglang");
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

std::vector<EngineProjection> project_tensorrt_llm(const EngineInput& input) {
  auto menu = restrict_menu(engine_dtype_menu("tensorrt-llm", input.head_dim), input.allowed_dtypes, "tensorrt-llm");
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

}  // namespace kvt::interop
