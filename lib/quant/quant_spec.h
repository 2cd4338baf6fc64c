// How one KV tensor (K or V) is grouped and when its tokens are quantized, and the (K, V) pair of
// such specs that makes a named scheme (per-token-asym, kivi, or custom). No tensors here.
//
// Tensor layout everywhere in lib/quant: one layer, one sequence, [H_kv, T, D] (heads, tokens, head_dim).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace kvt::quant {

enum class QuantAxis {
  PerToken,    // groups run along head_dim: `group_size` channels of one token (KVTuner axis 0)
  PerChannel,  // groups run along time: `group_size` consecutive tokens of one channel (KVTuner axis 1)
};

std::string axis_name(QuantAxis axis);          // "per-token" | "per-channel"
QuantAxis parse_axis(const std::string& name);  // @throws InputError naming the value

struct TensorQuantSpec {
  QuantAxis axis = QuantAxis::PerToken;
  // Elements per group: channels (per-token) or tokens (per-channel). 0 = head_dim (per-token only).
  int group_size = 0;
  // Full-precision residual window in tokens: the newest tokens stay full precision until `residual`
  // of them have gathered, then that block is quantized at once. 0 = quantize as soon as a group is complete.
  int residual = 0;
  bool symmetric = false;

  // Channels per group for a head_dim of `head_dim` (per-token), or tokens per group (per-channel).
  int effective_group_size(int head_dim) const;
  // Tokens that are quantized together, once, when the last of them arrives: the residual window if
  // set, else one group of tokens (per-channel) or one token (per-token).
  int flush_block_tokens() const;
  // @throws InputError (naming `what`) when the spec is inconsistent with `head_dim`
  // (group size not dividing head_dim, residual not a multiple of the token group, ...).
  void validate(int head_dim, const std::string& what) const;

  bool operator==(const TensorQuantSpec& o) const {
    return axis == o.axis && group_size == o.group_size && residual == o.residual && symmetric == o.symmetric;
  }
  bool operator!=(const TensorQuantSpec& o) const { return !(*this == o); }
};

// Supported widths: 1..8 (asymmetric), 2..8 (symmetric), and 16 = identity. @throws UnsupportedError.
void check_quant_bits(int bits, bool symmetric);

// Tokens of a T-token sequence that sit in complete flush blocks.
int64_t quantized_token_count(const TensorQuantSpec& spec, int64_t tokens);

struct QuantScheme {
  std::string name;  // "per-token-asym", "kivi", or "custom"
  TensorQuantSpec key;
  TensorQuantSpec value;

  void validate(int head_dim) const;  // @throws InputError naming the scheme and tensor
};

// {"axis": "per-channel", "group_size": 32, "residual": 32, "symmetric": false}
nlohmann::json to_json(const TensorQuantSpec& spec);
// @throws InputError naming `source` and the field.
TensorQuantSpec tensor_spec_from_json(const nlohmann::json& j, const std::string& source);
// {"key": {...}, "value": {...}}: the parameters recorded in SensitivityTable::scheme_params.
nlohmann::json scheme_params_json(const QuantScheme& scheme);

}  // namespace kvt::quant
