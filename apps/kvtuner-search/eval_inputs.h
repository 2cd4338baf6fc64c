// What `evaluate` and `run` share: the held-out data options and loader, the evaluation settings
// (scheme, prefill, prompt length, baselines, generation check, dtype/device), and the writer of
// evaluation.md / evaluation.json / evaluation.svg.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "apps/kvtuner-search/compute_options.h"
#include "calibration/input/calibration_set.h"
#include "lib/eval/eval_report.h"
#include "lib/eval/evaluator.h"
#include "lib/model/model.h"

namespace kvt::app {

// Held-out text or token ids, selected with the calibration loader's rules (one document = one sequence).
struct HeldoutOptions {
  calib::CalibOptions selection;  // calib_path = --heldout, ids_path = --heldout-ids
  HeldoutOptions() {
    selection.num_prompts = 64;
    selection.max_tokens = 256;
    selection.min_tokens = 32;
  }
};
// --heldout, --heldout-ids, --heldout-field, --heldout-sequences, --heldout-max-tokens, --heldout-min-tokens:
// the same names in evaluate and run. `deprecated_aliases` (evaluate): also evaluate's former spellings --data,
// --ids, --data-field, --num-sequences, --max-tokens, --min-tokens, hidden from --help, with a warning.
void add_heldout_options(CLI::App* cmd, HeldoutOptions& options, bool deprecated_aliases);

// --heldout / --heldout-ids (one document or id line = one sequence), else <model_dir>/heldout.txt read as one
// token stream in consecutive --heldout-max-tokens windows, as kvtuner-train measures held-out loss (never the
// calibration set).
// @throws InputError when there is no held-out data, and as calib::load_prompts.
calib::CalibrationSet load_heldout(const HeldoutOptions& options, const model::Model& model);

// Parsed once, as the command line is read (compute_options.h).
struct EvalSettings {
  SchemeSetting scheme;    // not given: from the configs' metadata, else the profiler's default (kivi)
  PrefillSetting prefill;  // not given: from the configs' metadata, else fp
  PromptLengthSetting prompt_length;
  std::vector<PrecisionPair> baselines = uniform_reference_pairs();
  std::string baselines_text = pair_list_text(baselines);
  int gen_tokens = 32;  // 0 = no generation check
  int gen_prompts = 8;
  int64_t batch_tokens = 4096;
  std::string plot_text = "kl";
  eval::PlotMetric plot = eval::PlotMetric::KL;
  ForwardSetting forward;
};
// --scheme, --prefill, --prompt-len, --baselines, --gen-tokens, --gen-prompts, --batch-tokens, --plot, --dtype,
// --device.
void add_eval_settings(CLI::App* cmd, EvalSettings& settings);
// Checks the counts before any file is read (the named values were checked as they were parsed).
// @throws InputError.
void validate_eval_settings(const EvalSettings& settings);

// Scheme and prefill mode from the settings, or else from the configs' metadata (when they all agree).
// Warns when an explicit setting overrides what a config was searched with.
eval::EvalOptions resolve_eval_options(const EvalSettings& settings, const std::vector<eval::EvalConfig>& configs);

// The uniform baselines of --baselines for a model of `layers` layers.
std::vector<eval::EvalConfig> baseline_configs(const std::vector<PrecisionPair>& pairs, int layers);

// Full evaluation of the baselines and `configs` (and the generation check when enabled). The report's
// context is `context` followed by the scheme, prefill mode, prompt length and dtype.
eval::EvaluationReport evaluate_with_baselines(const model::Model& model,
                                               const std::vector<std::vector<int64_t>>& sequences,
                                               const std::vector<eval::EvalConfig>& configs,
                                               const EvalSettings& settings, const eval::EvalOptions& options,
                                               nlohmann::ordered_json context);

// The evaluation files `write_evaluation` writes into `dir`.
std::vector<std::string> evaluation_files(const std::string& dir);
// evaluation.md, evaluation.json, evaluation.svg in `dir` (created). @throws InputError when a file exists and !force.
void write_evaluation(const eval::EvaluationReport& report, const std::string& dir, eval::PlotMetric plot, bool force,
                      const std::string& title);

}  // namespace kvt::app
