// report.md of `kvtuner-search run`: the final configs first, then how they were found and checked
// (test-split evaluation, proxy vs end-to-end agreement, data provenance, settings, file guide).
#pragma once
#include <string>
#include <vector>

#include "lib/eval/data_overlap.h"
#include "lib/eval/eval_report.h"
#include "lib/eval/two_stage_ranking.h"

namespace kvt::app {

struct DataSummary {
  std::string source, hash;
  size_t sequences = 0;
  int64_t tokens = 0;
};

struct FinalPick {
  double budget = 0;
  std::string file;             // the deployable YAML, relative to the output directory
  size_t candidate = 0;         // index into the re-scored candidates
  std::string proxy_pick_file;  // search/<...>_KVTuner<b>_0.yaml: what the proxy alone would pick
  bool same_as_proxy_pick = false;
};

struct RunSummary {
  std::string model_dir, model_hash, model_name;
  std::string scheme, prefill, prompt_length, search_method;
  std::string proxy, proxy_reason;  // the layer error the search minimised, and why
  std::vector<double> budgets;
  DataSummary calibration, heldout, validation, test;
  eval::WindowOverlap overlap;
  std::vector<eval::ProxyCandidate> candidates;
  eval::TwoStageResult two_stage;
  std::vector<FinalPick> finals;
  std::vector<double> skipped_budgets;  // budgets no searched config fits
  eval::EvaluationReport test_evaluation;
};

DataSummary summarize_data(const std::string& source, const std::vector<std::vector<int64_t>>& sequences);

std::string run_report_markdown(const RunSummary& summary);

}  // namespace kvt::app
