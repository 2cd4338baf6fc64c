// Causal GQA attention in which every query sees exactly the KV cache a streaming decoder would hold at
// its step (streaming_quantizer.h): key s enters the scores of query t as k̂_s if t ≥ τᴷ_s else k_s, and
// value s enters its output as v̂_s if t ≥ τⱽ_s else v_s. One teacher-forced pass computes all T steps
// with masks; softmax and products run in fp32.
//
// To run a model with a quantized cache, plug it into kvt::model::ForwardHooks::attention:
//   hooks.attention = [&](const kvt::model::AttentionInputs& in) {
//     return kvt::quant::quantized_attention(in.q, in.k, in.v, scheme, pair_of_layer[in.layer],
//                                            {prompt_len[in.prompt], mode}, config.sliding_window);
//   };
#pragma once
#include <ATen/ATen.h>

#include "lib/core/precision.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::quant {

constexpr int64_t kDefaultChunkRows = 64;  // query rows per block: bounds memory to ~H·64·T floats

// q [H, T, D], k/v [H_kv, T, D] (H a multiple of H_kv; query head h uses KV head h / (H / H_kv)) →
// [H, T, D] in q's dtype. `pair` 16/16 gives plain causal attention. @throws InputError on bad shapes.
at::Tensor quantized_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const QuantScheme& scheme,
                               const PrecisionPair& pair, const DecodeState& state, int sliding_window = 0,
                               int64_t chunk_rows = kDefaultChunkRows);

// The same with the cache already quantized (stream_quantize of k and v).
at::Tensor masked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                            const StreamedTensor& key_cache, const StreamedTensor& value_cache, int sliding_window = 0,
                            int64_t chunk_rows = kDefaultChunkRows);

// @throws InputError unless q [H, T, D] and k, v [H_kv, T, D] agree and H_kv divides H.
void check_attention_shapes(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

}  // namespace kvt::quant
