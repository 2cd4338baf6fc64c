// The end-to-end objective of `run` and `search` (--objective e2e-kl, docs/proxies.md): after the proxy search,
// a second NSGA-II scores configs by their mean KL on the leading calibration tokens (eval::EndToEndScorer, one
// forward per distinct config), one decision per layer, seeded with the proxy's picks and the uniform configs.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lib/eval/evaluator.h"
#include "lib/model/model.h"
#include "search/pipeline.h"

namespace kvt::app {

// NSGA-II population of the end-to-end search: small, since each evaluation is a forward pass.
constexpr int kE2ePopulation = 16;

struct E2eSettings {
  std::string objective = "proxy";  // --objective proxy|e2e-kl
  int trials = 200;                 // --trials: end-to-end evaluations at most (the paper's Optuna trials)
  int64_t tokens = 4096;            // --e2e-tokens: leading calibration tokens each evaluation scores
  bool enabled() const { return objective == "e2e-kl"; }
};
// --objective, --trials, --e2e-tokens.
void add_e2e_options(CLI::App* cmd, E2eSettings& settings);
// @throws InputError (979) naming the option.
void validate(const E2eSettings& settings);

struct E2eSearch {
  search::SearchResult result;
  std::unique_ptr<eval::EndToEndScorer> scorer;  // the objective, with its memo (scores more configs cheaply)
  int evaluations = 0;                           // distinct configs the search itself ran
  // The objective as the search saw it: mean KL of a per-layer config.
  double error(const std::vector<PrecisionPair>& layer_pairs) const;
};

// Runs the end-to-end NSGA-II into `out_dir` (the same files as a proxy search). `options` are the proxy search's;
// the end-to-end search uses per-layer decisions, population kE2ePopulation and population × (generations + 1)
// ≤ trials. @throws as eval::EndToEndScorer and search::run_search_in_dir.
E2eSearch run_e2e_search(const model::Model& model, const std::vector<std::vector<int64_t>>& calibration,
                         const SensitivityTable& table, const search::SearchOptions& options,
                         const search::SearchResult& proxy, const eval::EvalOptions& eval_options,
                         const E2eSettings& settings, const std::string& out_dir);

}  // namespace kvt::app
