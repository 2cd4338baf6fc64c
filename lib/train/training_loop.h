// The optimisation loop: random windows from the training token stream, AdamW with linear warmup
// and cosine decay, gradient clipping, and a held-out loss on fixed windows every eval_every steps.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "lib/train/llama_parameters.h"

namespace kvt::train {

struct TrainOptions {
  int steps = 1000;
  int batch_size = 8;                    // windows per step
  double learning_rate = 2e-3;           // peak; inferred: usual for a ~5 M-parameter model with AdamW
  double min_learning_rate_ratio = 0.1;  // cosine decays to peak · ratio
  int warmup_steps = 50;
  double weight_decay = 0.1;  // on matrices and embeddings, not on norm weights
  double beta1 = 0.9, beta2 = 0.95;
  double grad_clip = 1.0;  // max global L2 norm of the gradient
  int eval_every = 50;     // steps between held-out evaluations (and log rows)
  int eval_windows = 16;   // held-out windows of context+1 tokens, fixed for the whole run
  uint64_t seed = 1;
};

struct TrainLogRow {
  int step = 0;               // steps done
  int64_t tokens_seen = 0;    // training tokens predicted so far
  double train_loss = 0.0;    // mean loss over the steps since the previous row (nats/token)
  double heldout_loss = 0.0;  // on the fixed held-out windows (nats/token)
  double learning_rate = 0.0;
};

// Learning rate at `step` (0-based): linear warmup, then cosine to peak · min ratio at the last step.
double learning_rate_at(const TrainOptions& options, int step);

// Trains `model` in place. `train_tokens` and `heldout_tokens` are token streams (documents joined with
// <|endoftext|>). `on_row` is called for every log row (progress). @throws InputError when a stream is
// shorter than one window (context + 1 tokens) or an option is out of range.
std::vector<TrainLogRow> train_model(LlamaParameters& model, const std::vector<int64_t>& train_tokens,
                                     const std::vector<int64_t>& heldout_tokens, const TrainOptions& options,
                                     const std::function<void(const TrainLogRow&)>& on_row = nullptr);

// Mean next-token loss of `model` on consecutive windows of the stream (no gradients).
double evaluate_loss(const LlamaParameters& model, const std::vector<int64_t>& tokens, int max_windows);

}  // namespace kvt::train
