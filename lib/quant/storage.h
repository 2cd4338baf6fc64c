// Storage accounting of a quantized KV cache (KVTuner §5.1, docs/method.md §5: "equivalent bits" count only
// the codes). Here a cache holding `tokens` tokens of one layer costs, per tensor (K or V):
//   codes:    quantized elements · bits / 8 bytes (tightly packed)
//   params:   one 16-bit scale per group, plus one 16-bit zero-point when asymmetric
//   residual: tokens not yet quantized (incomplete flush block) at 16 bits per element
// "Effective bits" = 8 · total bytes / elements, beside the nominal bits.
#pragma once
#include <cstdint>

#include "lib/core/precision.h"
#include "lib/quant/quant_spec.h"

namespace kvt::quant {

constexpr int kFullPrecisionBits = 16;  // residual tokens, scales and zero-points are 16-bit

struct TensorStorage {
  int nominal_bits = 16;
  int64_t tokens = 0;
  int64_t quantized_tokens = 0;  // in complete flush blocks
  int64_t elements = 0;          // tokens · H_kv · D
  int64_t groups = 0;            // quantization groups among the quantized tokens
  double code_bytes = 0;
  double param_bytes = 0;
  double residual_bytes = 0;

  double total_bytes() const { return code_bytes + param_bytes + residual_bytes; }
  double effective_bits() const { return elements > 0 ? 8.0 * total_bytes() / double(elements) : 0.0; }
};

// Bits of the shared parameters of one group: a 16-bit scale, plus a 16-bit zero-point when asymmetric.
int group_parameter_bits(bool symmetric);

// Storage per element of `bits`-bit codes in groups of `group_size` elements, the window of full-precision
// residual tokens not counted: bits + group_parameter_bits / group_size (b + 32/G asymmetric, b + 16/G
// symmetric); 16 for unquantized (bits == 16, no parameters).
double group_effective_bits(int bits, int group_size, bool symmetric);

// One tensor of one layer. @throws InputError when the spec does not fit head_dim.
TensorStorage tensor_storage(const TensorQuantSpec& spec, int bits, int64_t tokens, int kv_heads, int head_dim);

struct PairStorage {
  TensorStorage key, value;
  double total_bytes() const { return key.total_bytes() + value.total_bytes(); }
  double bytes_per_token() const { return key.tokens > 0 ? total_bytes() / double(key.tokens) : 0.0; }
  // Mean over all K and V elements (K and V have the same element count).
  double effective_bits() const { return (key.effective_bits() + value.effective_bits()) / 2.0; }
  double nominal_bits() const { return (key.nominal_bits + value.nominal_bits) / 2.0; }
};

// K and V of one layer holding `tokens` tokens under `pair`.
PairStorage pair_storage(const QuantScheme& scheme, const PrecisionPair& pair, int64_t tokens, int kv_heads,
                         int head_dim);

}  // namespace kvt::quant
