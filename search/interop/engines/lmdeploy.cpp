// LMDeploy: one --quant-policy (8, 4 or 0) for all layers, K = V, within the searched config's memory.
#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"

namespace kvt::interop {

namespace {

// quant_policy 8 / 4: per-head, per-token asymmetric, fp16 scale + zero.
std::vector<StorageType> dtype_menu(int head_dim) {
  double overhead = 32.0 / head_dim;
  return {{"int8", 8, 8 + overhead}, {"int4", 4, 4 + overhead}, {"fp16", 16, 16.0}};
}

std::vector<EngineProjection> project(const EngineInput& input) {
  auto menu = restrict_menu(dtype_menu(input.head_dim), input.allowed_dtypes, "lmdeploy");
  int num_layers = static_cast<int>(input.layer_pairs.size());
  bool fits = true;
  LayerStorage global = best_global_pair(menu, true, input.budget_effective_bits, num_layers, input.table, &fits);
  int policy = global.key.nominal_bits >= 16 ? 0 : global.key.nominal_bits;  // quant_policy: 0 = no KV quantization
  EngineProjection p;
  p.label = "lmdeploy";
  p.layers.assign(input.layer_pairs.size(), global);
  p.invocation = "--quant-policy " + std::to_string(policy);
  p.settings["quant_policy"] = policy;
  p.notes.push_back(std::string("lmdeploy has one KV precision for all layers and K = V, chosen within the searched "
                                "config's effective bits by ") +
                    (input.table ? "lowest proxy error" : "most bits (no --sensitivity table)"));
  if (!fits) p.notes.push_back(no_fit_note("lmdeploy", global, input.budget_effective_bits));
  if (policy != 0) p.requirements.push_back(requirement::kLmdeployQuant);
  return {p};
}

}  // namespace

EngineSpec lmdeploy_engine() {
  // Search shape: --quant-policy 8|4 (TurboMind online KV quantization, K = V, all layers); 0 = fp16.
  EngineConstraints search{"lmdeploy",
                           "--quant-policy 8|4 (int8 / int4, K = V, all layers)",
                           LayerScope::Global,
                           true,
                           {"int8", "int4"},
                           "fp16",
                           false,
                           false};
  return {"lmdeploy", "LMDeploy --quant-policy 8|4 (one precision, K = V)", dtype_menu, project, {search}};
}

}  // namespace kvt::interop
