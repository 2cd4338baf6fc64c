// Engine projections: for each deployment engine, the config it can actually run for a searched per-layer
// config, and how to tell the engine. Rules are documented in docs/formats.md ("Export projections").
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/core/sensitivity_table.h"
#include "search/export/projection.h"

namespace kvt::interop {

struct EngineInput {
  std::vector<PrecisionPair> layer_pairs;  // [layer]: the searched pairs (covering_layer_pairs for per-head)
  double budget_effective_bits = 0;        // the searched config's effective bits (memory it was allowed)
  int head_dim = 128;
  const SensitivityTable* table = nullptr;  // may be null
  std::vector<std::string> allowed_dtypes;  // --engine-dtypes; empty = the engine's whole menu
};

struct EngineProjection {
  std::string label;                   // "vllm", "llama.cpp", "ik_llama.cpp", ...
  ProjectedConfig layers;              // what the engine stores per layer
  std::string invocation;              // flags or option text the user passes to the engine
  nlohmann::ordered_json settings;     // the same as structured fields (per-layer map, range string, policy)
  std::vector<std::string> notes;      // what the projection lost or assumed
  std::vector<std::string> requirements;  // what the engine needs to run `invocation`: versions, unmerged PRs,
                                          // hardware (engine_requirements.h)
};

// vLLM: one quantized --kv-cache-dtype (fp8 or nvfp4, the cheaper projection) plus
// --kv-cache-dtype-skip-layers for the layers that need more bits than it has (kept at "auto").
std::vector<EngineProjection> project_vllm(const EngineInput& input);
// SGLang / TensorRT-LLM: per-layer K = V dtype (max of K and V bits rounded up), as a layer range string.
std::vector<EngineProjection> project_sglang(const EngineInput& input);
std::vector<EngineProjection> project_tensorrt_llm(const EngineInput& input);
// llama.cpp: the best global -ctk/-ctv pair within the searched config's effective bits; plus ik_llama.cpp's
// --cache-type-{k,v}-{first,last} flags when the rounded-up config is a body with different first/last layers.
std::vector<EngineProjection> project_llama_cpp(const EngineInput& input);
// LMDeploy: one --quant-policy (8, 4 or 0) for all layers, K = V, within the searched config's effective bits.
std::vector<EngineProjection> project_lmdeploy(const EngineInput& input);

}  // namespace kvt::interop
