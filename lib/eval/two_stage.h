// Stage 2 of the two-stage search: the configs the proxy search ranks best within each budget are re-scored
// end to end (evaluator.h) on a validation split, and the final pick of each budget is the candidate with
// the lowest end-to-end score. Spearman's ρ between proxy error and end-to-end score says how far the proxy
// can be trusted.
#pragma once
#include <cstdint>
#include <vector>

#include "lib/eval/evaluator.h"
#include "lib/eval/two_stage_ranking.h"

namespace kvt::eval {

// Evaluates every candidate on `validation` and ranks them. @throws as evaluate_configs; InputError (975)
// when there are no candidates.
TwoStageResult rescore_candidates(const model::Model& model, const std::vector<std::vector<int64_t>>& validation,
                                  const std::vector<ProxyCandidate>& candidates, const EvalOptions& options,
                                  RescoreMetric metric);

}  // namespace kvt::eval
