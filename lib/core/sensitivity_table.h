// The profiler's output and the search's input: per-layer attention errors for every candidate pair.
// Plain numbers only, so search/ never needs LibTorch. File forms: JSON (canonical, read back) and CSV (for people).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/core/precision.h"

namespace kvt {

struct SensitivityTable {
  // Provenance. A table is tied to one model (model_hash) and one scheme; loading it for another is an error.
  std::string tool_version;
  std::string model_path;
  std::string model_name;                                   // directory base name, used in output file names
  std::string model_hash;                                   // hash of config.json and the safetensors headers
  std::string calib_hash;                                   // hash of the tokenized calibration set
  std::string scheme;                                       // "per-token-asym", "kivi", or "custom"
  nlohmann::json scheme_params = nlohmann::json::object();  // axis, group sizes, residual, symmetric, ...
  std::string prefill_mode;                                 // "prefill-fp" or "prefill-quantized"
  int num_layers = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
  int num_prompts = 0;
  long long num_tokens = 0;

  std::vector<PrecisionPair> pairs;  // candidate pairs, the column order of every [layer][pair] table
  // Errors (KVTuner §3.2; norm-ratio forms documented in docs/): [layer][pair].
  std::vector<std::vector<double>> e_o, e_k, e_v, e_a;
  // End-to-end layer sensitivities (calibration/profiler/layer_kl.h), nats per token; each may be empty.
  //   kl:     measured KL(full precision ‖ only this layer's cache quantized with this pair)
  //   fisher: its diagonal-Fisher second-order estimate
  std::vector<std::vector<double>> kl, fisher;
  // Which [layer][pair] table the search minimises: "eo" (the paper's e_o), "kl" or "fisher".
  std::string proxy = "eo";
  std::string proxy_reason;  // why the profile chose it (for reports); may be empty
  // Per KV head: [layer][pair][kv_head]; may be empty.
  std::vector<std::vector<std::vector<double>>> e_o_per_head;
  // Storage accounting per pair at the calibration length, averaged over K and V:
  // effective bits per element (codes + 16-bit scales/zero-points + full-precision residual).
  std::vector<double> effective_bits;          // [pair]
  double kv_elements_per_token_per_layer = 0;  // 2 · H_kv · D (K and V)

  int pair_index(const PrecisionPair& p) const;  // -1 if absent
  // The table named by `proxy`: what pruning, grouping, the additive objective and the fronts use.
  const std::vector<std::vector<double>>& proxy_errors() const;
  // The table of a proxy name; nullptr when the name is unknown. May be empty (not measured).
  const std::vector<std::vector<double>>* errors_of(const std::string& proxy_name) const;
  // Sets `proxy`. @throws InputError naming `option` when the name is not eo|kl|fisher or that table is empty.
  void select_proxy(const std::string& proxy_name, const std::string& option);
  // @throws InputError when sizes disagree with num_layers / pairs, a value is negative or not finite, a table that
  // records a scheme has no positive num_kv_heads / head_dim, scheme_params is not an object, or prefill_mode is
  // not prefill-fp / prefill-quantized. (Whether the scheme and its params are a registered scheme needs lib/quant:
  // calibration/profiler/table_compat.h, table_scheme.)
  void validate(const std::string& source_name) const;
};

nlohmann::json to_json(const SensitivityTable& table);
// Integers are checked in 64 bits before narrowing (counts at most 2^31 - 1, num_tokens at most 2^63 - 1), then
// validate() runs. @throws InputError 604/605 naming the field, 600-611 from validate().
SensitivityTable sensitivity_table_from_json(const nlohmann::json& j, const std::string& source_name);
// The same from the file's text: JSON nested deeper than kMaxJsonDepth (lib/core/json_limits.h), invalid JSON
// or a number beyond double (1e400) is input.610.
SensitivityTable parse_sensitivity_table(const std::string& text, const std::string& source_name);
// @throws InputError naming the file when it cannot be read or parsed.
SensitivityTable read_sensitivity_table(const std::string& path);
std::string to_csv(const SensitivityTable& table);  // one row per (layer, pair)

// The proxy names, in the order reports list them.
const std::vector<std::string>& proxy_names();  // {"eo", "kl", "fisher"}
bool is_proxy_name(const std::string& name);    // one of proxy_names()
// Table column name of a proxy: "e_o", "kl", "fisher".
std::string proxy_column(const std::string& proxy_name);

}  // namespace kvt
