// Generation check: greedy generation from held-out prompts with a real decode loop (incremental_decoder.h)
// under each config, compared token by token with full-precision generation from the same prompts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/eval/evaluator.h"

namespace kvt::eval {

struct GenerationResult {
  std::string name;
  int prompts = 0;
  int new_tokens = 0;
  double identical_fraction = 1;     // share of generated positions whose token equals full precision's
  double mean_first_divergence = 0;  // first differing position per prompt (0-based; new_tokens if none), averaged
  int earliest_divergence = 0;       // the smallest of those
  int identical_prompts = 0;         // prompts whose whole generation equals full precision's
};

// The first `max_prompts` sequences cut to one prompt length: the smallest of their prompt lengths
// (quant::PromptLength::for_sequence). @throws InputError when there is no sequence.
std::vector<std::vector<int64_t>> generation_prompts(const std::vector<std::vector<int64_t>>& sequences,
                                                     const quant::PromptLength& prompt_length, int max_prompts);

// Position-wise comparison of one config's generations with the reference's.
GenerationResult compare_generations(const std::string& name, const std::vector<std::vector<int64_t>>& reference,
                                     const std::vector<std::vector<int64_t>>& generated);

// rows[0]: full precision against itself; then one row per config. Weights are loaded once for all configs.
// @throws InputError when prompt + new_tokens exceeds the model's context.
std::vector<GenerationResult> check_generation(const model::Model& model,
                                               const std::vector<std::vector<int64_t>>& prompts,
                                               const std::vector<EvalConfig>& configs, const EvalOptions& options,
                                               int new_tokens);

}  // namespace kvt::eval
