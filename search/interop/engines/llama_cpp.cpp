// llama.cpp: one K type and one V type for all layers (-ctk/-ctv, K ≠ V allowed), chosen within the searched
// config's memory; plus ik_llama.cpp's --cache-type-{k,v}-{first,last} when the config has that shape.
#include <algorithm>
#include <optional>

#include "search/interop/engine_registry.h"
#include "search/interop/engine_requirements.h"

namespace kvt::interop {

namespace {

// ggml blocks of 32 with an fp16 scale (and an fp16 min for the _1 types): bits per element as in the
// "KV BPV" column of llama.cpp PR #7412.
std::vector<StorageType> dtype_menu(int) {
  return {{"f16", 16, 16.0}, {"q8_0", 8, 8.5}, {"q5_1", 5, 6.0},  {"q5_0", 5, 5.5},
          {"q4_1", 4, 5.0},  {"q4_0", 4, 4.5}, {"iq4_nl", 4, 4.5}};
}

// A tensor's per-layer types as ik_llama.cpp can express them: a body type with optional first-N and
// last-M overrides. Empty when the sequence has more than three runs.
struct FirstLastShape {
  StorageType body;
  std::optional<std::pair<StorageType, int>> first, last;  // (type, layer count)
};

std::optional<FirstLastShape> first_last_shape(const std::vector<StorageType>& types) {
  std::vector<std::pair<StorageType, int>> runs;
  for (const auto& t : types) {
    if (!runs.empty() && runs.back().first == t)
      ++runs.back().second;
    else
      runs.push_back({t, 1});
  }
  FirstLastShape shape;
  if (runs.size() == 1) {
    shape.body = runs[0].first;
  } else if (runs.size() == 2 && runs[0].second > runs[1].second) {  // the longer run is the body
    shape.body = runs[0].first;
    shape.last = runs[1];
  } else if (runs.size() == 2) {
    shape.first = runs[0];
    shape.body = runs[1].first;
  } else if (runs.size() == 3) {
    shape.first = runs[0];
    shape.body = runs[1].first;
    shape.last = runs[2];
  } else {
    return std::nullopt;
  }
  return shape;
}

std::string first_last_flags(const char* tensor, const FirstLastShape& shape) {
  std::string flags;
  if (shape.first)
    flags += std::string(" --cache-type-") + tensor + "-first " + shape.first->first.name + "," +
             std::to_string(shape.first->second);
  if (shape.last)
    flags += std::string(" --cache-type-") + tensor + "-last " + shape.last->first.name + "," +
             std::to_string(shape.last->second);
  return flags;
}

// ik_llama.cpp projection: each tensor rounded up to a ggml type per layer, when both K and V then have the
// body + first/last shape and at least one of them is not uniform.
std::optional<EngineProjection> project_ik_llama(const EngineInput& input, const std::vector<StorageType>& menu) {
  std::vector<StorageType> key_types, value_types;
  for (const auto& pair : input.layer_pairs) {
    key_types.push_back(round_up(menu, pair.key_bits));
    value_types.push_back(round_up(menu, pair.value_bits));
  }
  auto key_shape = first_last_shape(key_types), value_shape = first_last_shape(value_types);
  if (!key_shape || !value_shape) return std::nullopt;
  bool uniform = !key_shape->first && !key_shape->last && !value_shape->first && !value_shape->last;
  if (uniform) return std::nullopt;
  EngineProjection p;
  p.label = "ik_llama.cpp";
  for (size_t l = 0; l < key_types.size(); ++l) p.layers.push_back({key_types[l], value_types[l]});
  p.invocation = "-ctk " + key_shape->body.name + " -ctv " + value_shape->body.name +
                 first_last_flags("k", *key_shape) + first_last_flags("v", *value_shape);
  p.settings["cache_type_k"] = key_shape->body.name;
  p.settings["cache_type_v"] = value_shape->body.name;
  bool quantized_v = std::any_of(value_types.begin(), value_types.end(), is_quantized);
  if (quantized_v) {
    p.invocation += " -fa on";
    p.settings["flash_attn"] = "on";
  }
  auto add = [&p](const char* key, const std::optional<std::pair<StorageType, int>>& run) {
    if (run) p.settings[key] = {{"type", run->first.name}, {"layers", run->second}};
  };
  add("cache_type_k_first", key_shape->first);
  add("cache_type_k_last", key_shape->last);
  add("cache_type_v_first", value_shape->first);
  add("cache_type_v_last", value_shape->last);
  p.notes.push_back(
      "ik_llama.cpp: each K and V tensor rounded up to the cheapest ggml type with at least its bits; "
      "the config has the body + first/last layers shape");
  if (quantized_v) p.notes.push_back("a quantized V cache needs flash attention (-fa on)");
  p.requirements.push_back(requirement::kIkFirstLast);
  if (quantized_v) p.requirements.push_back(requirement::kIkFlashAttn);
  return p;
}

std::vector<EngineProjection> project(const EngineInput& input) {
  auto menu = restrict_menu(dtype_menu(input.head_dim), input.allowed_dtypes, "llama.cpp");
  int num_layers = static_cast<int>(input.layer_pairs.size());
  bool fits = true;
  LayerStorage global = best_global_pair(menu, false, input.budget_effective_bits, num_layers, input.table, &fits);
  EngineProjection p;
  p.label = "llama.cpp";
  p.layers.assign(input.layer_pairs.size(), global);
  p.invocation = "-ctk " + global.key.name + " -ctv " + global.value.name;
  p.settings["cache_type_k"] = global.key.name;
  p.settings["cache_type_v"] = global.value.name;
  if (is_quantized(global.value)) {
    p.invocation += " -fa on";
    p.settings["flash_attn"] = "on";
  }
  p.notes.push_back(std::string("llama.cpp has one K type and one V type for all layers, chosen within the searched "
                                "config's effective bits by ") +
                    (input.table ? "lowest proxy error" : "most bits (no --sensitivity table)"));
  if (!fits) p.notes.push_back(no_fit_note("llama.cpp", global, input.budget_effective_bits));
  if (is_quantized(global.value)) {
    p.notes.push_back("a quantized V cache needs flash attention (-fa on)");
    p.requirements.push_back(requirement::kLlamaCppFlashAttn);
  }
  std::vector<EngineProjection> out{p};
  if (auto ik = project_ik_llama(input, menu)) out.push_back(*ik);
  return out;
}

}  // namespace

EngineSpec llama_cpp_engine() {
  // Search shapes. llama.cpp: one --cache-type-k and one --cache-type-v for all layers, K != V allowed
  // (common/arg.cpp kv_cache_types: f16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl; f32/bf16 not searched).
  // ik_llama.cpp: per-layer K and V types (the same ggml types).
  const std::vector<std::string> ggml = {"q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"};
  EngineConstraints global{"llama.cpp",
                           "--cache-type-k / --cache-type-v (one K and one V type for all layers)",
                           LayerScope::Global,
                           false,
                           ggml,
                           "f16",
                           false,
                           false};
  EngineConstraints per_layer{
      "ik_llama.cpp", "per-layer K and V ggml types (K != V)", LayerScope::PerLayer, false, ggml, "f16", false, false};
  return {"llama.cpp",
          "llama.cpp -ctk/-ctv (one K and one V type), and ik_llama.cpp first/last layer types",
          dtype_menu,
          project,
          {global, per_layer}};
}

}  // namespace kvt::interop
