// Stage 2 of the two-stage search, its torch-free half: the candidates the proxy search ranks best within each
// budget, how an end-to-end evaluation of them (eval_results.h) ranks them per budget, and the JSON / Markdown
// of that ranking. Spearman's ρ between proxy error and end-to-end score says how far the proxy can be trusted.
// two_stage.h runs the evaluation itself.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/eval/eval_results.h"

namespace kvt::eval {

struct ProxyCandidate {
  std::string name;  // label in tables, e.g. "KVTuner4_r0"
  KvConfig config;
  double proxy_error = 0;  // the search objective (lower is better)
  double nominal_bits = 0;
  std::vector<double> budgets;   // budgets (bits) in whose top list it is
  std::vector<int> proxy_ranks;  // its rank in each of those lists (0 = best proxy error)
  // A uniform config (every layer one pair) that fits the budgets: it competes with the searched configs, so a
  // final pick is never worse on validation than a uniform config within its budget. Its ranks come after the
  // searched ones'.
  bool uniform = false;
  // Σ_l layer KL of its pairs (the sensitivity table's kl), when measured: the additive prediction of its KL.
  std::optional<double> predicted_kl;
};

enum class RescoreMetric { KL, Perplexity };
RescoreMetric parse_rescore_metric(
    const std::string& text);                           // "kl" | "ppl"; @throws InputError naming --rescore-metric
std::string rescore_metric_name(RescoreMetric metric);  // "kl" | "ppl"

struct BudgetOutcome {
  double budget = 0;
  std::vector<size_t> candidates;  // indices into the candidates, best proxy first
  size_t proxy_pick = 0;           // proxy rank 0 among the searched configs
  size_t final_pick = 0;           // lowest end-to-end score (ties: better proxy rank)
  std::optional<double> spearman;  // proxy error vs end-to-end score over `candidates`
};

struct TwoStageResult {
  RescoreMetric metric = RescoreMetric::KL;
  EvaluationResult validation;         // rows[0]: full precision; rows[i + 1]: candidate i
  std::vector<double> end_to_end;      // [candidate]: mean KL or perplexity on the validation split
  std::vector<BudgetOutcome> budgets;  // in increasing budget order
  std::optional<double> spearman_all;  // over every candidate
};

// Orders candidates by budget from an evaluation that is already done (rows[i + 1] = candidate i).
TwoStageResult rank_candidates(const EvaluationResult& validation, const std::vector<ProxyCandidate>& candidates,
                               RescoreMetric metric);

nlohmann::ordered_json two_stage_json(const TwoStageResult& result, const std::vector<ProxyCandidate>& candidates);
// Per-budget tables (proxy rank, proxy error, end-to-end score and rank, final pick) and the ρ values.
std::string two_stage_markdown(const TwoStageResult& result, const std::vector<ProxyCandidate>& candidates);

}  // namespace kvt::eval
