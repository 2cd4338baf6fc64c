// A growing quantized KV cache for one layer and one sequence: the operational form of the schedule in
// streaming_quantizer.h, for step-by-step decode loops (generation). Protocol per layer:
//   decode step:        cache.append(k_t, v_t); attend to cache.keys()/values(); cache.flush();
//   prefill-fp:         cache.append(K, V);     attend (keys() is still full precision); cache.flush();
//   prefill-quantized:  cache.append(K, V);     cache.flush(); attend to keys()/values().
// Teacher-forced masked_attention() over the same tokens gives the same outputs.
#pragma once
#include <ATen/ATen.h>

#include "lib/core/precision.h"
#include "lib/quant/quant_spec.h"

namespace kvt::quant {

// One tensor (K or V): flushed blocks (stored dequantized) followed by full-precision residual tokens.
class StreamingTensorCache {
 public:
  StreamingTensorCache(TensorQuantSpec spec, int bits);
  void append(const at::Tensor& x);  // x [H_kv, n, D], full precision
  void flush();                      // quantizes every complete flush block still in full precision, once
  at::Tensor view() const;           // [H_kv, size, D]: what attention reads now
  int64_t size() const { return quantized_tokens() + residual_tokens(); }
  int64_t quantized_tokens() const { return quantized_.defined() ? quantized_.size(1) : 0; }
  int64_t residual_tokens() const { return residual_.defined() ? residual_.size(1) : 0; }

 private:
  TensorQuantSpec spec_;
  int bits_;
  at::Tensor quantized_;  // [H_kv, Q, D] dequantized values of flushed blocks
  at::Tensor residual_;   // [H_kv, R, D] full precision
};

class StreamingKVCache {
 public:
  StreamingKVCache(const QuantScheme& scheme, const PrecisionPair& pair)
      : keys_(scheme.key, pair.key_bits), values_(scheme.value, pair.value_bits) {}
  void append(const at::Tensor& k, const at::Tensor& v) {
    keys_.append(k);
    values_.append(v);
  }
  void flush() {
    keys_.flush();
    values_.flush();
  }
  at::Tensor keys() const { return keys_.view(); }
  at::Tensor values() const { return values_.view(); }
  int64_t size() const { return keys_.size(); }

 private:
  StreamingTensorCache keys_, values_;
};

}  // namespace kvt::quant
