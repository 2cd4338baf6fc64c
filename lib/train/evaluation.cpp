#include "lib/train/evaluation.h"

#include <ATen/ATen.h>

#include <cmath>

#include "lib/core/error.h"

namespace kvt::train {

double PerplexityReport::model_perplexity() const { return std::exp(model_nll); }
double PerplexityReport::unigram_perplexity() const { return std::exp(unigram_nll); }

PerplexityReport heldout_perplexity(const kvt::model::Model& model, const std::vector<int64_t>& heldout,
                                    const std::vector<int64_t>& train_tokens) {
  if (heldout.size() < 2) throw InputError("held-out text has fewer than 2 tokens", 560);
  const auto& config = model.config();
  const size_t context = static_cast<size_t>(config.max_position_embeddings);
  std::vector<std::vector<int64_t>> windows;
  for (size_t begin = 0; begin + 1 < heldout.size(); begin += context)
    windows.emplace_back(heldout.begin() + begin, heldout.begin() + std::min(heldout.size(), begin + context));
  if (windows.back().size() < 2) windows.pop_back();

  std::vector<double> counts(static_cast<size_t>(config.vocab_size), 1.0);  // add-one smoothing
  for (int64_t id : train_tokens) counts.at(static_cast<size_t>(id)) += 1.0;
  const double total = static_cast<double>(train_tokens.size()) + config.vocab_size;

  PerplexityReport report;
  kvt::model::ForwardOptions options;  // fp32 compute on CPU
  // A few windows per call keeps the logits of one call small ([T, V] fp32 each).
  const size_t per_call = 8;
  for (size_t first = 0; first < windows.size(); first += per_call) {
    std::vector<std::vector<int64_t>> chunk(windows.begin() + first,
                                            windows.begin() + std::min(windows.size(), first + per_call));
    auto logprobs = kvt::model::token_logprobs(model, chunk, options);
    for (size_t w = 0; w < chunk.size(); ++w)
      for (size_t t = 0; t < logprobs[w].size(); ++t) {
        report.model_nll -= logprobs[w][t];
        report.unigram_nll -= std::log(counts[static_cast<size_t>(chunk[w][t + 1])] / total);
        ++report.predicted_tokens;
      }
  }
  report.model_nll /= report.predicted_tokens;
  report.unigram_nll /= report.predicted_tokens;
  return report;
}

std::vector<int64_t> greedy_generate(const kvt::model::Model& model, std::vector<int64_t> prompt, int max_new_tokens,
                                     int64_t stop_id) {
  std::vector<int64_t> generated;
  kvt::model::ForwardOptions options;
  const size_t context = static_cast<size_t>(model.config().max_position_embeddings);
  for (int i = 0; i < max_new_tokens && prompt.size() < context; ++i) {
    at::Tensor logits = kvt::model::forward(model, {prompt}, options).at(0);  // [T, V]
    int64_t next = logits[logits.size(0) - 1].argmax().item<int64_t>();
    if (next == stop_id) break;
    generated.push_back(next);
    prompt.push_back(next);
  }
  return generated;
}

}  // namespace kvt::train
