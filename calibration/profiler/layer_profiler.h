// Sensitivity of one layer: for every candidate (key bits, value bits) pair, how much the layer's attention
// changes when its KV cache is quantized (KVTuner §3.2), measured on captured full-precision q/k/v.
//
// Error definitions (norm ratios per vector; docs/quantization.md):
//   e_k = mean over cached key vectors (KV head, token) of ‖k̂ − k‖₂ / ‖k‖₂   (final cache content;
//         tokens still in the full-precision residual count as 0); e_v likewise
//   e_a = mean of |â_ts − a_ts| over every (head, query t, visible key s) entry
//   e_o = mean over query vectors (head, t) of ‖ô_t − o_t‖₂ / ‖o_t‖₂, also kept per KV head
// where â, ô use the decode-state-exact cache (quantized_attention.h) and a, o the full-precision one.
// Queries evaluated: t ≥ prompt_len in prefill-fp (earlier queries see full precision by definition),
// all t in prefill-quantized. Each prompt is averaged first, then prompts are averaged with equal weight.
//
// Cost per prompt (units of one H·T²·D product, halved by causal row chunks): full-precision scores and
// output (2), scores per distinct key width (|K|), one output product per pair (|pairs|).
#pragma once
#include <ATen/ATen.h>

#include <vector>

#include "lib/core/precision.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/quantized_attention.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::profile {

struct PairErrors {
  double e_o = 0, e_k = 0, e_v = 0, e_a = 0;
  std::vector<double> e_o_per_head;  // [kv_head]
};

class LayerProfiler {
 public:
  // @throws InputError / UnsupportedError when the scheme or a pair's bits are not usable with head_dim.
  LayerProfiler(const quant::QuantScheme& scheme, std::vector<PrecisionPair> pairs, int kv_heads, int head_dim,
                int sliding_window = 0, int64_t chunk_rows = quant::kDefaultChunkRows);

  // q [H, T, D], k/v [H_kv, T, D] of one prompt (any float dtype and device). Returns false when the
  // prompt has no evaluated query (prefill-fp with prompt_len ≥ T); its e_k/e_v still count.
  bool add_prompt(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const quant::DecodeState& state);

  // Averages over the prompts added so far, in the order of `pairs`.
  std::vector<PairErrors> result() const;
  int prompts() const { return prompts_; }
  int evaluated_prompts() const { return evaluated_prompts_; }
  const std::vector<PrecisionPair>& pairs() const { return pairs_; }

 private:
  struct KeyWidth {
    int bits;
    std::vector<int> value_bits;  // value widths paired with this key width, in pair order
  };

  quant::QuantScheme scheme_;
  std::vector<PrecisionPair> pairs_;
  int kv_heads_, head_dim_, sliding_window_;
  int64_t chunk_rows_;
  std::vector<KeyWidth> key_widths_;
  std::vector<int> value_widths_;  // distinct value widths

  int prompts_ = 0, evaluated_prompts_ = 0;
  // Sums over prompts of per-prompt means.
  std::vector<double> sum_e_k_, sum_e_v_, sum_e_a_;        // [key width], [value width], [key width]
  std::vector<std::vector<std::vector<double>>> sum_e_o_;  // [key width][value bits index in KeyWidth][kv_head]
};

}  // namespace kvt::profile
