// Measurements on a saved model through the inference runtime (lib/model), so they describe the
// artifact as shipped: held-out perplexity against a unigram baseline, and greedy samples.
#pragma once
#include <cstdint>
#include <vector>

#include "lib/model/model.h"

namespace kvt::train {

struct PerplexityReport {
  int64_t predicted_tokens = 0;
  double model_nll = 0.0;    // mean nats per predicted token
  double unigram_nll = 0.0;  // same tokens under add-one-smoothed training-set token frequencies
  double model_perplexity() const;
  double unigram_perplexity() const;
};

// Cuts `heldout` into consecutive windows of the model's context length; every token after the first
// of each window is predicted. @throws InputError when heldout has fewer than 2 tokens.
PerplexityReport heldout_perplexity(const kvt::model::Model& model, const std::vector<int64_t>& heldout,
                                    const std::vector<int64_t>& train_tokens);

// Greedy decoding by re-running the runtime forward on the growing prefix (fp32 compute); stops
// after max_new_tokens or at stop_id (not included).
std::vector<int64_t> greedy_generate(const kvt::model::Model& model, std::vector<int64_t> prompt, int max_new_tokens,
                                     int64_t stop_id);

}  // namespace kvt::train
