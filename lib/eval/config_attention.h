// What a layer-wise KvConfig means for one layer at run time: the attention a streaming decoder with that
// config's quantized cache computes (for ForwardHooks::attention), and what that cache costs in storage.
//
// Per-layer configs use one (key, value) pair per layer; per-head configs one per KV head. Layers whose
// every head is KV16 run the runtime's own causal_attention, so a 16-bit config reproduces the full-precision
// forward bit for bit.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/model/model_config.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::eval {

// Consecutive KV heads [head_begin, head_begin + head_count) of one layer that share a pair.
struct HeadSegment {
  int head_begin = 0;
  int head_count = 0;
  PrecisionPair pair;
};

// The segments of `layer` (one for per-layer configs; runs of equal pairs for per-head ones).
// @throws InputError (id 970) when a per-head config's head count differs from `kv_heads`.
std::vector<HeadSegment> layer_segments(const KvConfig& config, int layer, int kv_heads);

// @throws InputError (id 970) naming `source` when the config's layer count (or head count) does not match the model.
void check_config_fits(const KvConfig& config, const model::ModelConfig& model, const std::string& source);

// Attention of one layer and one sequence under `config`: q [H, T, D], k/v [H_kv, T, D] → [H, T, D].
// Every query sees the cache exactly as a streaming decoder in `state` would (lib/quant/quantized_attention.h).
at::Tensor config_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const KvConfig& config,
                            int layer, const quant::QuantScheme& scheme, const quant::DecodeState& state,
                            int sliding_window);

// Storage of a whole cache (all layers) holding `tokens` tokens under `config` (lib/quant/storage.h).
struct CacheStorage {
  double bytes = 0;            // codes + 16-bit scales/zero-points + full-precision residual tokens
  double elements = 0;         // K and V elements held
  double nominal_bit_sum = 0;  // Σ element · nominal bits, for the element-weighted nominal mean
  CacheStorage& operator+=(const CacheStorage& o) {
    bytes += o.bytes;
    elements += o.elements;
    nominal_bit_sum += o.nominal_bit_sum;
    return *this;
  }
  double effective_bits() const { return elements > 0 ? 8.0 * bytes / elements : 0.0; }
  double nominal_bits() const { return elements > 0 ? nominal_bit_sum / elements : 0.0; }
};

CacheStorage cache_storage(const KvConfig& config, const quant::QuantScheme& scheme, const model::ModelConfig& model,
                           int64_t tokens);

// A config with the same pair in every layer (a uniform baseline), named like the pair ("KV4", "KV16").
KvConfig uniform_config(const PrecisionPair& pair, int layers);

}  // namespace kvt::eval
