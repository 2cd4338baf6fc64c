// End-to-end evaluation of layer-wise KV configs: the model runs teacher-forced over held-out sequences with
// each config's quantized cache (decode-state-exact masks, lib/quant/quantized_attention.h), and every
// config's next-token distributions are compared with the full-precision run's (logit_metrics.h).
//
// Sequences go through in batches of at most `batch_tokens` tokens: a batch runs once in full precision,
// its reference distributions are kept, then it runs once per config; the references are dropped before
// the next batch. Memory: about 8 · batch_tokens · vocab bytes for the references.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/eval/eval_results.h"
#include "lib/eval/logit_metrics.h"
#include "lib/model/forward.h"
#include "lib/quant/prompt_length.h"
#include "lib/quant/quant_spec.h"
#include "lib/quant/streaming_quantizer.h"

namespace kvt::model {
class Model;
}

namespace kvt::eval {

struct EvalOptions {
  quant::QuantScheme scheme;
  quant::PrefillMode prefill = quant::PrefillMode::FullPrecision;
  quant::PromptLength prompt_length;
  model::ForwardOptions forward;
  int64_t batch_tokens = 4096;  // tokens per forward batch (at least one sequence)
};

// @throws InputError when a config does not fit the model, or a sequence is too short for the prompt length.
EvaluationResult evaluate_configs(const model::Model& model, const std::vector<std::vector<int64_t>>& sequences,
                                  const std::vector<EvalConfig>& configs, const EvalOptions& options);

// Consecutive batches [begin, end) of sequences with at most `batch_tokens` tokens each (at least one sequence).
std::vector<std::pair<size_t, size_t>> token_batches(const std::vector<std::vector<int64_t>>& sequences,
                                                     int64_t batch_tokens);

// One batch of sequences with its full-precision reference distributions (one forward).
struct ReferenceBatch {
  std::vector<std::vector<int64_t>> sequences;
  std::vector<int64_t> prompt_len;          // [sequence]
  std::vector<ReferenceLogits> references;  // [sequence]
};
ReferenceBatch make_reference_batch(const model::Model& model, std::vector<std::vector<int64_t>> sequences,
                                    const EvalOptions& options);
// One forward of the batch under `config`; the score of each sequence against its reference.
std::vector<SequenceScore> score_batch(const model::Model& model, const ReferenceBatch& batch, const KvConfig& config,
                                       const EvalOptions& options);

// The end-to-end objective of a search: mean KL (nats per scored token) of a config on fixed sequences, with the
// full-precision references computed once and kept (8 · tokens · vocab bytes), so each config costs one forward.
// Configs already scored are answered from memory (keyed by their pairs).
class EndToEndScorer {
 public:
  // @throws as evaluate_configs.
  EndToEndScorer(const model::Model& model, const std::vector<std::vector<int64_t>>& sequences, EvalOptions options);
  double mean_kl(const KvConfig& config);
  int evaluations() const { return evaluations_; }  // distinct configs run

 private:
  const model::Model& model_;
  EvalOptions options_;
  std::vector<ReferenceBatch> batches_;
  int64_t scored_tokens_ = 0;
  int evaluations_ = 0;
  std::vector<std::pair<std::string, double>> memo_;  // config key → mean KL, sorted by key
};

}  // namespace kvt::eval
