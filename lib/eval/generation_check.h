// Generation check: greedy generation from held-out prompts with a real decode loop (incremental_decoder.h)
// under each config, compared token by token with full-precision generation from the same prompts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/eval/evaluator.h"

namespace kvt::eval {

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
