#include "lib/quant/streaming_quantizer.h"

#include <vector>

#include "lib/core/error.h"
#include "lib/quant/uniform_quantizer.h"

namespace kvt::quant {

std::string prefill_mode_name(PrefillMode mode) {
  return mode == PrefillMode::FullPrecision ? "prefill-fp" : "prefill-quantized";
}

PrefillMode parse_prefill_mode(const std::string& text) {
  if (text == "fp" || text == "prefill-fp") return PrefillMode::FullPrecision;
  if (text == "quantized" || text == "prefill-quantized") return PrefillMode::Quantized;
  throw InputError("--prefill '" + text + "': expected fp or quantized", 405);
}

namespace {

void check_kv_shape(const at::Tensor& x, const char* what) {
  if (x.dim() != 3)
    throw InputError(
        std::string(what) + ": expected a [H_kv, T, D] tensor, got " + std::to_string(x.dim()) + " dimensions", 406);
}

}  // namespace

at::Tensor fake_quantize_kv(const at::Tensor& x, const TensorQuantSpec& spec, int bits) {
  check_kv_shape(x, "fake_quantize_kv");
  check_quant_bits(bits, spec.symmetric);
  if (bits == 16) return x;
  const int64_t heads = x.size(0), tokens = x.size(1), head_dim = x.size(2);
  spec.validate(int(head_dim), "fake_quantize_kv");
  if (tokens == 0) return x;
  const int64_t g = spec.effective_group_size(int(head_dim));
  at::Tensor xc = x.contiguous();
  if (spec.axis == QuantAxis::PerToken) {
    // [H, T, D/G, G]: a group is G channels of one token.
    return fake_quantize_groups(xc.view({heads, tokens, head_dim / g, g}), 3, bits, spec.symmetric)
        .view({heads, tokens, head_dim});
  }
  KVT_ASSERT(tokens % g == 0, "per-channel quantization of a partial token group");
  // [H, T/G, G, D]: a group is G consecutive tokens of one channel (reduced over dim 2, no transpose).
  return fake_quantize_groups(xc.view({heads, tokens / g, g, head_dim}), 2, bits, spec.symmetric)
      .view({heads, tokens, head_dim});
}

at::Tensor quantized_from_steps(const TensorQuantSpec& spec, int bits, int64_t tokens, const DecodeState& state) {
  std::vector<int64_t> tau(size_t(tokens), kNeverQuantized);
  if (bits != 16) {
    const int64_t block = spec.flush_block_tokens();
    const int64_t quantized = quantized_token_count(spec, tokens);
    for (int64_t s = 0; s < quantized; ++s) {
      int64_t block_end = (s / block + 1) * block - 1;
      if (block_end < state.prompt_len)
        tau[size_t(s)] = state.prefill == PrefillMode::Quantized ? 0 : state.prompt_len;
      else
        tau[size_t(s)] = block_end + 1;
    }
  }
  return at::tensor(tau, at::TensorOptions().dtype(at::kLong));
}

StreamedTensor stream_quantize(const at::Tensor& x, const TensorQuantSpec& spec, int bits, const DecodeState& state) {
  check_kv_shape(x, "stream_quantize");
  if (state.prompt_len < 0)
    throw InputError("prompt length must be >= 0, got " + std::to_string(state.prompt_len), 407);
  StreamedTensor out;
  const int64_t tokens = x.size(1);
  out.quantized_from = quantized_from_steps(spec, bits, tokens, state).to(x.device());
  if (bits == 16) {
    out.dequantized = x;
    return out;
  }
  out.quantized_tokens = quantized_token_count(spec, tokens);
  if (out.quantized_tokens == tokens) {
    out.dequantized = fake_quantize_kv(x, spec, bits);
  } else {
    at::Tensor head = fake_quantize_kv(x.narrow(1, 0, out.quantized_tokens), spec, bits);
    out.dequantized = at::cat({head, x.narrow(1, out.quantized_tokens, tokens - out.quantized_tokens)}, 1);
  }
  return out;
}

}  // namespace kvt::quant
