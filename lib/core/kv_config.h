// A layer-wise KV precision config: what the search writes, `show`/`export` read, and `evaluate` runs.
// Canonical file form: the KVTuner per-layer YAML (integer layer keys → nbits_key / nbits_value),
// drop-in for the official FlexibleQuantizedCache `per_layer_config_path`, or its per-head form
// (layer → kv_head → bits). kvtuner's metadata rides along as `# kvtuner: {json}` comment lines,
// so the official loader (yaml.safe_load) sees exactly the layout it expects.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/core/precision.h"

namespace kvt {

struct KvConfig {
  std::vector<PrecisionPair> layers;              // [layer]; empty for per-head configs (no per-layer mean is stored)
  std::vector<std::vector<PrecisionPair>> heads;  // [layer][kv_head]; empty for per-layer configs
  nlohmann::json metadata = nlohmann::json::object();

  bool per_head() const { return !heads.empty(); }
  size_t num_layers() const { return per_head() ? heads.size() : layers.size(); }
  // f_m = Σ (b_k + b_v) / 2L over layers (over layers × heads for per-head configs). KVTuner §5.1.
  double nominal_bits() const;
};

// Reads a KVTuner YAML (per-layer or per-head; block or flow style; CRLF and a BOM accepted) exactly as
// yaml.safe_load reads it for the official cache (one document; YAML 1.1 integers such as 0x1, 07, 1_0; a
// quoted "4" is a string), or a kvtuner JSON config (text that parses as JSON).
// Validation: every layer 0..L-1 exactly once, bits in 1..8 or 16, per-head layers all with the
// same head count; when expected_layers > 0 the layer count must match it. Integers are checked in 64 bits
// (a JSON nbits_key of 2^32 + 4 is not 4). Metadata that kvtuner reads back must have its type: scheme, model_name,
// model_hash, calib_hash, prefill_mode strings, scheme_params an object, head_dim a positive
// integer (input.813). JSON (the whole file, or a `# kvtuner:` line) nested deeper than kMaxJsonDepth is refused.
// @throws InputError naming the file, the layer and the field.
KvConfig read_kv_config(const std::string& path, int expected_layers = 0);
KvConfig parse_kv_config_yaml(const std::string& text, const std::string& source_name, int expected_layers = 0);

// KVTuner YAML text (LF line endings); metadata as leading `# kvtuner:` comment lines when requested.
std::string to_kvtuner_yaml(const KvConfig& config, bool with_metadata = true);
// JSON form: {"format":"kvtuner-config-v1", "layers":[{"layer":0,"nbits_key":8,"nbits_value":4},...],
// "nominal_bits":f_m, "metadata":{...}}; per-head configs carry "heads":[{"layer":0,"kv_heads":[{"kv_head":0,
// "nbits_key":8,"nbits_value":4},...]},...] instead of "layers". "nominal_bits" is derived and ignored on read.
nlohmann::json to_json(const KvConfig& config);

}  // namespace kvt
