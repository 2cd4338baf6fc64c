#include "lib/eval/generation_check.h"

#include <algorithm>

#include "lib/core/error.h"
#include "lib/core/log.h"
#include "lib/eval/config_attention.h"
#include "lib/eval/incremental_decoder.h"
#include "lib/model/model.h"

namespace kvt::eval {

std::vector<std::vector<int64_t>> generation_prompts(const std::vector<std::vector<int64_t>>& sequences,
                                                     const quant::PromptLength& prompt_length, int max_prompts) {
  const size_t count = std::min(sequences.size(), size_t(std::max(max_prompts, 0)));
  if (count == 0) throw InputError("generation check: no held-out sequence to take prompts from", 973);
  int64_t length = -1;
  for (size_t i = 0; i < count; ++i) {
    int64_t p = prompt_length.for_sequence(int64_t(sequences[i].size()));
    length = length < 0 ? p : std::min(length, p);
  }
  if (length < 1) throw InputError("generation check: --prompt-len gives an empty prompt", 973);
  std::vector<std::vector<int64_t>> prompts;
  for (size_t i = 0; i < count; ++i) prompts.emplace_back(sequences[i].begin(), sequences[i].begin() + length);
  return prompts;
}

GenerationResult compare_generations(const std::string& name, const std::vector<std::vector<int64_t>>& reference,
                                     const std::vector<std::vector<int64_t>>& generated) {
  KVT_ASSERT(reference.size() == generated.size() && !reference.empty(), "generation batches differ");
  GenerationResult r;
  r.name = name;
  r.prompts = int(reference.size());
  r.new_tokens = int(reference[0].size());
  r.earliest_divergence = r.new_tokens;
  int64_t identical = 0;
  double divergence_sum = 0;
  for (size_t b = 0; b < reference.size(); ++b) {
    KVT_ASSERT(reference[b].size() == generated[b].size(), "generation lengths differ");
    int first = r.new_tokens;
    for (int i = 0; i < r.new_tokens; ++i) {
      if (reference[b][size_t(i)] == generated[b][size_t(i)])
        ++identical;
      else if (first == r.new_tokens)
        first = i;
    }
    divergence_sum += first;
    r.earliest_divergence = std::min(r.earliest_divergence, first);
    if (first == r.new_tokens) ++r.identical_prompts;
  }
  r.identical_fraction = double(identical) / double(int64_t(r.prompts) * r.new_tokens);
  r.mean_first_divergence = divergence_sum / double(r.prompts);
  return r;
}

std::vector<GenerationResult> check_generation(const model::Model& model,
                                               const std::vector<std::vector<int64_t>>& prompts,
                                               const std::vector<EvalConfig>& configs, const EvalOptions& options,
                                               int new_tokens) {
  KVT_ASSERT(new_tokens > 0, "generation check with no tokens to generate");
  const model::ModelConfig& mc = model.config();
  for (const auto& c : configs) check_config_fits(c.config, mc, c.source.empty() ? c.name : c.source);
  DecoderWeights weights = load_decoder_weights(model, options.forward);
  Progress progress("generate", configs.size() + 1);
  const KvConfig full_precision = uniform_config(PrecisionPair{16, 16}, mc.num_layers);
  Generation reference = greedy_generate(weights, full_precision, options.scheme, options.prefill, prompts, new_tokens);
  progress.update(1, "full precision");
  std::vector<GenerationResult> rows{compare_generations("KV16", reference.tokens, reference.tokens)};
  for (size_t c = 0; c < configs.size(); ++c) {
    Generation g = greedy_generate(weights, configs[c].config, options.scheme, options.prefill, prompts, new_tokens);
    rows.push_back(compare_generations(configs[c].name, reference.tokens, g.tokens));
    progress.update(c + 2, configs[c].name);
  }
  progress.finish();
  return rows;
}

}  // namespace kvt::eval
