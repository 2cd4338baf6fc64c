#include "lib/quant/quantized_attention.h"

#include <cmath>
#include <string>

#include "lib/core/error.h"
#include "lib/quant/attention_masks.h"

namespace kvt::quant {

namespace {

std::string shape_of(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

void check_attention_shapes(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  bool ok = q.dim() == 3 && k.dim() == 3 && v.dim() == 3 && k.sizes() == v.sizes() && q.size(1) == k.size(1) &&
            q.size(2) == k.size(2) && k.size(0) > 0 && q.size(0) % k.size(0) == 0;
  if (!ok)
    throw InputError("quantized attention: expected q [H, T, D] and k, v [H_kv, T, D] with H_kv dividing H; got q " +
                         shape_of(q) + ", k " + shape_of(k) + ", v " + shape_of(v),
                     409);
}

at::Tensor quantized_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const QuantScheme& scheme,
                               const PrecisionPair& pair, const DecodeState& state, int sliding_window,
                               int64_t chunk_rows) {
  check_attention_shapes(q, k, v);
  return masked_attention(q, k, v, stream_quantize(k, scheme.key, pair.key_bits, state),
                          stream_quantize(v, scheme.value, pair.value_bits, state), sliding_window, chunk_rows);
}

at::Tensor masked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                            const StreamedTensor& key_cache, const StreamedTensor& value_cache, int sliding_window,
                            int64_t chunk_rows) {
  check_attention_shapes(q, k, v);
  KVT_ASSERT(chunk_rows > 0, "chunk_rows must be positive");
  const int64_t heads = q.size(0), tokens = q.size(1), head_dim = q.size(2), kv_heads = k.size(0);
  const int64_t group = heads / kv_heads;
  const double scale = 1.0 / std::sqrt(double(head_dim));

  at::Tensor qf = q.to(at::kFloat).view({kv_heads, group, tokens, head_dim});  // [H_kv, g, T, D]
  at::Tensor k_fp = k.to(at::kFloat), k_q = key_cache.dequantized.to(at::kFloat);
  at::Tensor v_q = value_cache.dequantized.to(at::kFloat);
  // v − v̂ for the value columns a query still sees in full precision (undefined when v̂ = v).
  at::Tensor v_delta = value_cache.dequantized.is_same(v) ? at::Tensor() : v.to(at::kFloat) - v_q;
  const bool keys_quantized = !key_cache.dequantized.is_same(k);
  std::vector<int64_t> tau_k = host_steps(key_cache.quantized_from), tau_v = host_steps(value_cache.quantized_from);

  at::Tensor out = at::empty({kv_heads, group, tokens, head_dim}, qf.options());
  for (int64_t t0 = 0; t0 < tokens; t0 += chunk_rows) {
    const int64_t t1 = std::min(tokens, t0 + chunk_rows), n = t1 - t0;
    const int64_t c0 = first_visible_column(t0, sliding_window), width = t1 - c0;
    at::Tensor qc = qf.narrow(2, t0, n).reshape({kv_heads, group * n, head_dim});
    at::Tensor scores = at::bmm(qc, k_q.narrow(1, c0, width).transpose(1, 2)).mul_(scale);  // [H_kv, g·n, w]
    at::Tensor scores4 = scores.view({kv_heads, group, n, width});
    if (keys_quantized) {
      const int64_t f = std::max(c0, first_full_precision_column(tau_k, t0));
      if (f < t1) {
        at::Tensor fp =
            at::bmm(qc, k_fp.narrow(1, f, t1 - f).transpose(1, 2)).mul_(scale).view({kv_heads, group, n, t1 - f});
        at::Tensor band = scores4.narrow(3, f - c0, t1 - f);
        band.copy_(at::where(full_precision_mask(key_cache.quantized_from, t0, t1, f), fp, band));
      }
    }
    ChunkBias bias = chunk_bias(t0, t1, c0, sliding_window, q.device());
    scores4.narrow(3, bias.column_begin - c0, t1 - bias.column_begin).add_(bias.bias);
    at::Tensor probs = at::softmax(scores, -1);
    at::Tensor o = at::bmm(probs, v_q.narrow(1, c0, width));  // [H_kv, g·n, D]
    if (v_delta.defined()) {
      const int64_t f = std::max(c0, first_full_precision_column(tau_v, t0));
      if (f < t1) {
        at::Tensor band = probs.view({kv_heads, group, n, width}).narrow(3, f - c0, t1 - f) *
                          full_precision_mask(value_cache.quantized_from, t0, t1, f);
        o.add_(at::bmm(band.reshape({kv_heads, group * n, t1 - f}), v_delta.narrow(1, f, t1 - f)));
      }
    }
    out.narrow(2, t0, n).copy_(o.view({kv_heads, group, n, head_dim}));
  }
  return out.view({heads, tokens, head_dim}).to(q.scalar_type());
}

}  // namespace kvt::quant
