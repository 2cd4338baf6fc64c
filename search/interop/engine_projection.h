// Engine projections: what an engine can actually run for a searched per-layer config, and how to tell the
// engine. Each engine is one file in engines/ and one line in engine_registry.cpp; the rules are documented
// in docs/formats.md ("Export projections").
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/core/sensitivity_table.h"
#include "search/interop/projection.h"

namespace kvt::interop {

struct EngineInput {
  std::vector<PrecisionPair> layer_pairs;  // [layer]: the searched pairs (covering_layer_pairs for per-head)
  double budget_effective_bits = 0;        // the searched config's effective bits (memory it was allowed)
  int head_dim = 128;
  const SensitivityTable* table = nullptr;  // may be null
  std::vector<std::string> allowed_dtypes;  // --engine-dtypes; empty = the engine's whole menu
};

struct EngineProjection {
  std::string label;                      // "vllm", "llama.cpp", "ik_llama.cpp", ...
  ProjectedConfig layers;                 // what the engine stores per layer
  std::string invocation;                 // flags or option text the user passes to the engine
  nlohmann::ordered_json settings;        // the same as structured fields (per-layer map, range string, policy)
  std::vector<std::string> notes;         // what the projection lost or assumed
  std::vector<std::string> requirements;  // what the engine needs to run `invocation`: versions, unmerged PRs,
                                          // hardware (engine_requirements.h)
};

// Shared by the engine files (engines/*.cpp).

// max(K bits, V bits): what a layer needs from an engine that keeps K = V.
int layer_need(const PrecisionPair& pair);
// Each layer at the cheapest dtype of `menu` with at least max(K bits, V bits) (engines that keep K = V per
// layer); a note for each layer nothing covers. `names` receives each layer's dtype name.
EngineProjection round_up_per_layer(const std::string& label, const EngineInput& input,
                                    const std::vector<StorageType>& menu, std::vector<std::string>& names);
// True when every name equals the first.
bool all_same(const std::vector<std::string>& names);
// A quantized dtype (fewer than 16 bits): llama.cpp and ik_llama.cpp need flash attention for a quantized V.
bool is_quantized(const StorageType& type);
// "no <engine> setting fits in the searched config's B effective bits/element; using the cheapest (b)".
std::string no_fit_note(const std::string& engine, const LayerStorage& chosen, double budget);

}  // namespace kvt::interop
