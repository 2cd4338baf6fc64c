#include "lib/quant/storage.h"

namespace kvt::quant {

int group_parameter_bits(bool symmetric) { return (symmetric ? 1 : 2) * kFullPrecisionBits; }

double group_effective_bits(int bits, int group_size, bool symmetric) {
  if (bits == kFullPrecisionBits) return kFullPrecisionBits;
  return bits + double(group_parameter_bits(symmetric)) / group_size;
}

TensorStorage tensor_storage(const TensorQuantSpec& spec, int bits, int64_t tokens, int kv_heads, int head_dim) {
  check_quant_bits(bits, spec.symmetric);
  TensorStorage s;
  s.nominal_bits = bits;
  s.tokens = tokens;
  const int64_t per_token = int64_t(kv_heads) * head_dim;
  s.elements = tokens * per_token;
  if (bits == kFullPrecisionBits) {
    s.residual_bytes = double(s.elements) * kFullPrecisionBits / 8.0;
    return s;
  }
  spec.validate(head_dim, "storage accounting");
  s.quantized_tokens = quantized_token_count(spec, tokens);
  const int64_t quantized_elements = s.quantized_tokens * per_token;
  // Per-token groups hold G channels of a token; per-channel groups G tokens of a channel: either way
  // quantized_elements / G groups.
  s.groups = quantized_elements / spec.effective_group_size(head_dim);
  s.code_bytes = double(quantized_elements) * bits / 8.0;
  s.param_bytes = double(s.groups) * group_parameter_bits(spec.symmetric) / 8.0;
  s.residual_bytes = double((tokens - s.quantized_tokens) * per_token) * kFullPrecisionBits / 8.0;
  return s;
}

PairStorage pair_storage(const QuantScheme& scheme, const PrecisionPair& pair, int64_t tokens, int kv_heads,
                         int head_dim) {
  return {tensor_storage(scheme.key, pair.key_bits, tokens, kv_heads, head_dim),
          tensor_storage(scheme.value, pair.value_bits, tokens, kv_heads, head_dim)};
}

}  // namespace kvt::quant
