#include "lib/eval/two_stage.h"

#include "lib/core/error.h"

namespace kvt::eval {

TwoStageResult rescore_candidates(const model::Model& model, const std::vector<std::vector<int64_t>>& validation,
                                  const std::vector<ProxyCandidate>& candidates, const EvalOptions& options,
                                  RescoreMetric metric) {
  if (candidates.empty()) throw InputError("re-scoring: the proxy search produced no config within any budget", 975);
  std::vector<EvalConfig> configs;
  for (const auto& c : candidates) configs.push_back({c.name, c.uniform ? "baseline" : "searched", "", c.config});
  return rank_candidates(evaluate_configs(model, validation, configs, options), candidates, metric);
}

}  // namespace kvt::eval
