// The evaluation table in its three forms: JSON (machine-readable), Markdown (for people) and an SVG plot of
// KL or Δperplexity against effective bits, searched configs beside the uniform baselines.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/eval/eval_results.h"

namespace kvt::eval {

struct EvaluationReport {
  EvaluationResult result;
  std::vector<GenerationResult> generation;  // aligned with result.rows, or empty when generation was skipped
  // Provenance and settings (model, hashes, data, scheme, prefill, prompt length, ...): written as given
  // into the JSON and as a list above the Markdown table. Plain values only.
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
};

// How a searched config fares against the uniform baselines in held-out KL.
struct BaselineComparison {
  std::string config;
  std::vector<std::string> beaten;        // baselines with effective bits ≥ the config's and a higher KL
  std::vector<std::string> not_beaten;    // baselines with effective bits ≥ the config's and a KL ≤ the config's
  std::vector<std::string> dominated_by;  // baselines with effective bits ≤ and KL ≤ the config's, one of them <
  bool beats_all() const { return !beaten.empty() && not_beaten.empty(); }
};
std::vector<BaselineComparison> compare_with_baselines(const EvaluationResult& result);
// The comparison of the config named `name`, or null when it has none (not a searched config).
const BaselineComparison* comparison_for(const std::vector<BaselineComparison>& all, const std::string& name);
// "KV8, K8V4": names joined by ", ", as the tables print them.
std::string join_names(const std::vector<std::string>& names);

enum class PlotMetric { KL, DeltaPerplexity };
PlotMetric parse_plot_metric(const std::string& text);  // "kl" | "ppl"; @throws InputError naming --plot

nlohmann::ordered_json evaluation_json(const EvaluationReport& report);
std::string evaluation_markdown(const EvaluationReport& report, const std::string& title = "Evaluation");
std::string evaluation_svg(const EvaluationReport& report, PlotMetric metric);

}  // namespace kvt::eval
