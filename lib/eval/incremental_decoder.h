// A real step-by-step decoder over a growing quantized KV cache (not teacher forcing): prefill the prompts,
// then one token per step, each layer appending its new K/V to a lib/quant StreamingKVCache and attending
// to what that cache holds now. Built from the runtime's blocks (lib/model/forward.h), with the same math.
//
// A batch of B prompts of equal length runs together. Each cache holds the B sequences stacked along its
// head axis ([B · heads, tokens, head_dim]): quantization groups never span heads, so this is exactly B
// separate caches.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/model/forward.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/streaming_cache.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::model {
class Model;
}

namespace kvt::eval {

// Every layer's weights in the compute dtype, loaded once (Model::layer converts on each call) and shared
// by all decoders of a run. Memory: the model's parameters in the compute dtype.
struct DecoderWeights {
  const model::Model* model = nullptr;
  model::ForwardOptions options;
  std::vector<model::LayerWeights> layers;
  at::Tensor final_norm;  // [hidden]
  at::Tensor lm_head;     // [V, hidden]
};
DecoderWeights load_decoder_weights(const model::Model& model, const model::ForwardOptions& options);

class IncrementalDecoder {
 public:
  // `max_tokens`: the most tokens a sequence will hold (prompt + decoded). @throws InputError when `config`
  // does not fit the model or max_tokens exceeds max_position_embeddings.
  IncrementalDecoder(const DecoderWeights& weights, const KvConfig& config, const quant::QuantScheme& scheme,
                     quant::PrefillMode prefill, int64_t max_tokens);
  ~IncrementalDecoder();

  // Runs the prompts (all of one length P ≥ 1) through the model, filling the caches. Returns the
  // logits of the last prompt position: fp32 [B, V]. @throws InputError on unequal or too long prompts.
  at::Tensor prefill(const std::vector<std::vector<int64_t>>& prompts);
  // One decode step: token b is appended to sequence b. Returns fp32 [B, V]. @throws InputError past max_tokens.
  at::Tensor step(const std::vector<int64_t>& tokens);
  int64_t position() const { return position_; }  // tokens in each sequence's cache

 private:
  struct LayerCache;
  at::Tensor run_layers(at::Tensor x, bool is_prefill);  // x [B, n, hidden] → [B, n, hidden]
  at::Tensor logits_of_last(const at::Tensor& x);        // [B, n, hidden] → fp32 [B, V]

  const DecoderWeights& weights_;
  KvConfig config_;
  quant::QuantScheme scheme_;
  quant::PrefillMode prefill_;
  model::RopeTables rope_;  // [max_tokens, D]
  int64_t max_tokens_ = 0;
  std::vector<LayerCache> caches_;  // [layer]
  int64_t batch_ = 0;
  int64_t position_ = 0;
};

// Single-query attention over a whole cache: q [B, H, 1, D], k/v [B, H_kv, S, D] → [B, H, 1, D]; the query
// sits at position S − 1 (with a sliding window it sees only the last `sliding_window` keys).
at::Tensor decode_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int sliding_window);

struct Generation {
  std::vector<std::vector<int64_t>> tokens;  // [B][new_tokens]: greedy (argmax) tokens, no early stop at EOS
  std::vector<at::Tensor> step_logits;       // [new_tokens] of fp32 [B, V] when requested (tests)
};

// Greedy generation of `new_tokens` tokens after each prompt (prompts of one length).
Generation greedy_generate(const DecoderWeights& weights, const KvConfig& config, const quant::QuantScheme& scheme,
                           quant::PrefillMode prefill, const std::vector<std::vector<int64_t>>& prompts, int new_tokens,
                           bool keep_logits = false);

}  // namespace kvt::eval
