// Quantization of one K or V tensor [H_kv, T, D] the way a streaming KV cache holds it (docs/quantization.md).
//
// Tokens are quantized in flush blocks of B = TensorQuantSpec::flush_block_tokens() tokens, aligned to
// multiples of B: block j = tokens [jB, (j+1)B). A block is quantized once, when its last token has
// arrived, and never again; tokens of an incomplete block stay full precision.
//
// Timing (decode step t = the step whose query sits at position t; the cache holds tokens 0..t):
//   - decode: the new token is appended in full precision, attention runs, then complete blocks are
//     quantized. A block ending at token e is seen quantized by queries t ≥ e + 1.
//   - prefill of prompt_len = P tokens: the complete blocks of the prompt are quantized at prefill.
//     prefill-fp: the prompt's own queries (t < P) see full-precision K/V; queries t ≥ P see them quantized.
//     prefill-quantized: the prompt's queries already see the quantized blocks.
// So the step from which token s is seen quantized is
//   τ_s = (e_s < P) ? (prefill-quantized ? 0 : P) : e_s + 1,   e_s = end of the block holding s,
// and τ_s = kNeverQuantized for tokens whose block is incomplete at T. τ is non-decreasing in s.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <limits>
#include <string>

#include "lib/quant/quant_spec.h"

namespace kvt::quant {

enum class PrefillMode {
  FullPrecision,  // "prefill-fp": the reference search (force_quant=False)
  Quantized,      // "prefill-quantized": the paper's description (force_quant=True)
};

std::string prefill_mode_name(PrefillMode mode);          // "prefill-fp" | "prefill-quantized"
PrefillMode parse_prefill_mode(const std::string& text);  // "fp" | "quantized" | the names above

struct DecodeState {
  int64_t prompt_len = 0;  // tokens processed by the prefill; 0 = every token is a decode step
  PrefillMode prefill = PrefillMode::FullPrecision;
};

constexpr int64_t kNeverQuantized = std::numeric_limits<int64_t>::max();

struct StreamedTensor {
  at::Tensor dequantized;        // [H_kv, T, D], x's dtype: the cache content after all T tokens
  at::Tensor quantized_from;     // int64 [T] on x's device: τ_s (kNeverQuantized if never quantized)
  int64_t quantized_tokens = 0;  // tokens in complete blocks (a multiple of the flush block)
};

// Fake-quantizes a tensor whose token count is a whole number of groups: x [H_kv, T, D].
// Per-token: groups of G channels of one token. Per-channel: groups of G consecutive tokens of one channel
// (T must be a multiple of G). bits == 16 returns x. @throws InputError / UnsupportedError.
at::Tensor fake_quantize_kv(const at::Tensor& x, const TensorQuantSpec& spec, int bits);

// τ_s for s in [0, tokens) as above (CPU, int64). bits == 16 gives kNeverQuantized everywhere.
at::Tensor quantized_from_steps(const TensorQuantSpec& spec, int bits, int64_t tokens, const DecodeState& state);

// The final cache content and τ for x [H_kv, T, D]. @throws InputError naming the problem.
StreamedTensor stream_quantize(const at::Tensor& x, const TensorQuantSpec& spec, int bits, const DecodeState& state);

}  // namespace kvt::quant
