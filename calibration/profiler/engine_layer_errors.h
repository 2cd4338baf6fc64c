// Sensitivity of one layer to an engine's KV-cache types (issue 16 part 2, docs/engine-types.md §8): the
// errors of LayerProfiler (layer_profiler.h, KVTuner §3.2) for (K type, V type) candidates of
// lib/quant/kv_types.h instead of integer widths. Step 2 of the `--engine` plan; not yet wired into
// profile_model or the sensitivity table.
//
// Cache semantics: an engine quantizes each token's K and V as it writes them to the cache (no
// full-precision residual window), so every visible key and value of an evaluated query is quantized. The
// queries evaluated are t ≥ first_row: first_row = the prompt length in prefill-fp (prompt queries attend the
// full-precision K/V of the prefill pass), 0 in prefill-quantized. Definitions as in layer_profiler.h:
//   e_k, e_v  mean over rows (KV head, token) of ‖x̂ − x‖₂ / ‖x‖₂ over all T tokens
//   e_a       mean of |â − a| over every (head, evaluated query, visible key) entry
//   e_o       mean over (head, evaluated query) of ‖ô − o‖₂ / ‖o‖₂, also per KV head
// Causal attention, optionally a sliding window (a query t sees keys s with t − window < s ≤ t).
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "calibration/profiler/layer_profiler.h"
#include "lib/quant/kv_types.h"

namespace kvt::profile {

// One candidate: K and V types; nullptr = the unquantized cache.
struct EngineTypePair {
  const quant::KvType* key = nullptr;
  const quant::KvType* value = nullptr;
};

// q [H, T, D], k/v [H_kv, T, D] of one prompt (any float dtype, CPU: fake_quantize runs on CPU fp32), H a
// multiple of H_kv (query head h uses KV head h / (H / H_kv)). Returns one PairErrors per candidate; when
// first_row ≥ T no query is evaluated and only e_k / e_v are set (`evaluated` false). Each distinct type is
// applied once per tensor. @throws InputError 409 for bad shapes, 422 for first_row < 0 or window < 0, and
// fake_quantize's errors (431 when D does not fit a type's block).
std::vector<PairErrors> engine_layer_errors(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                            const std::vector<EngineTypePair>& candidates, int64_t first_row,
                                            int64_t sliding_window = 0, const quant::KvTypeParams& params = {},
                                            bool* evaluated = nullptr);

}  // namespace kvt::profile
