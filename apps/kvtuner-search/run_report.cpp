#include "apps/kvtuner-search/run_report.h"

#include "apps/kvtuner-search/compute_threads.h"

#include <algorithm>

#include "calibration/input/calibration_set.h"
#include "lib/report/format.h"
#include "lib/report/markdown.h"

namespace kvt::app {

DataSummary summarize_data(const std::string& source, const std::vector<std::vector<int64_t>>& sequences) {
  DataSummary d;
  d.source = source;
  d.hash = calib::content_hash(sequences);
  d.sequences = sequences.size();
  for (const auto& s : sequences) d.tokens += int64_t(s.size());
  return d;
}

namespace {

const eval::ConfigResult* row_named(const eval::EvaluationResult& r, const std::string& name) {
  for (const auto& row : r.rows)
    if (row.name == name) return &row;
  return nullptr;
}

std::string bits_text(double b) {
  std::string s = report::format_fixed(b, 2);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string stem(const std::string& file) {
  const size_t slash = file.find_last_of('/'), dot = file.find_last_of('.');
  const size_t begin = slash == std::string::npos ? 0 : slash + 1;
  return file.substr(begin, dot == std::string::npos || dot < begin ? std::string::npos : dot - begin);
}

int proxy_rank_in(const eval::ProxyCandidate& c, double budget) {
  for (size_t b = 0; b < c.budgets.size(); ++b)
    if (c.budgets[b] == budget) return c.proxy_ranks[b];
  return -1;
}

std::string data_line(const std::string& what, const DataSummary& d) {
  return "- " + what + ": " + d.source + ": " + std::to_string(d.sequences) + " sequences, " +
         std::to_string(d.tokens) + " tokens, hash `" + d.hash + "`\n";
}

// The evaluation table without its title and context list (they are in this report's own sections).
std::string evaluation_table(const eval::EvaluationReport& report) {
  std::string md = eval::evaluation_markdown(report, "x");
  const size_t table = md.find("\nKL is the mean");
  return table == std::string::npos ? md : md.substr(table + 1);
}

}  // namespace

std::string run_report_markdown(const RunSummary& s) {
  const eval::EvaluationResult& test = s.test_evaluation.result;
  const double fp_ppl = test.rows.empty() ? 0 : test.rows[0].perplexity;
  const std::string metric = s.two_stage.metric == eval::RescoreMetric::KL ? "KL" : "perplexity";
  std::string md = "# kvtuner run: " + s.model_name + "\n\n";
  md += "Layer-wise KV-cache precision for `" + s.model_dir + "` (scheme " + s.scheme + ", " + s.prefill +
        "). One command ran: profile the per-layer sensitivity on the calibration set → prune, group and search "
        "(" +
        s.search_method +
        ") on the proxy error → re-score the best proxy configs of each budget end to end "
        "on a validation split (" +
        metric +
        ") → pick the best per budget → evaluate the picks against full "
        "precision and uniform baselines on a separate test split.\n\n";

  md += "## Final configs\n\n";
  md +=
      "Deploy these (KVTuner per-layer YAML, drop-in for FlexibleQuantizedCache `per_layer_config_path`). The search "
      "minimised the layer error `" +
      s.proxy + "`" + (s.proxy_reason.empty() ? "" : " (" + s.proxy_reason + ")") + "; see docs/proxies.md.\n\n";
  report::MarkdownTable finals({"budget (bits)", "config", "nominal bits", "effective bits", "proxy rank",
                                "validation " + metric, "test KL", "test Δppl", "test top-1", "test gen. identical",
                                "beats (uniform, ≥ its bits)", "does not beat"});
  auto comparisons = eval::compare_with_baselines(test);
  for (const auto& f : s.finals) {
    const eval::ProxyCandidate& c = s.candidates[f.candidate];
    const eval::ConfigResult* row = row_named(test, stem(f.file));
    const double validation = s.two_stage.end_to_end[f.candidate];
    std::vector<std::string> cells = {bits_text(f.budget),
                                      "[" + f.file + "](" + f.file + ")",
                                      report::format_fixed(c.nominal_bits, 3),
                                      row ? report::format_fixed(row->effective_bits, 3) : "",
                                      std::to_string(proxy_rank_in(c, f.budget)),
                                      s.two_stage.metric == eval::RescoreMetric::KL
                                          ? report::format_scientific(validation, 3)
                                          : report::format_fixed(validation, 4)};
    if (row) {
      const size_t index = size_t(row - test.rows.data());
      cells.push_back(report::format_scientific(row->mean_kl, 3));
      cells.push_back((row->perplexity >= fp_ppl ? "+" : "") + report::format_fixed(row->perplexity - fp_ppl, 4));
      cells.push_back(report::format_fixed(row->top1_agreement, 4));
      cells.push_back(index < s.test_evaluation.generation.size()
                          ? report::format_fixed(s.test_evaluation.generation[index].identical_fraction, 4)
                          : "");
      const eval::BaselineComparison* cmp = eval::comparison_for(comparisons, row->name);
      cells.push_back(cmp ? eval::join_names(cmp->beaten) : "");
      cells.push_back(cmp ? eval::join_names(cmp->not_beaten) : "");
    } else {
      cells.insert(cells.end(), 6, "");
    }
    finals.row(cells);
  }
  md += finals.str();
  for (double b : s.skipped_budgets) md += "\nNo searched config fits the " + bits_text(b) + "-bit budget.\n";
  md += "\n";
  for (const auto& f : s.finals) {
    const eval::ProxyCandidate& c = s.candidates[f.candidate];
    std::string what;
    const auto& layers = c.config.layers;
    const bool all_one_pair = !layers.empty() && std::all_of(layers.begin(), layers.end(),
                                                             [&](const PrecisionPair& p) { return p == layers[0]; });
    if (f.same_as_proxy_pick)
      what = "the end-to-end re-scoring kept the search's best config (" + f.proxy_pick_file + ")" +
             (all_one_pair ? ", which is the uniform config " + layers[0].name() + ": no mixed config scored better"
                           : "") +
             ".";
    else if (c.uniform)
      what = "**a uniform config won**: " + c.name +
             " scored better on validation than every searched config within "
             "the budget, so it ships instead of the search's best config (" +
             f.proxy_pick_file + ", also in the test table).";
    else
      what = "the re-scoring replaced the search's best config (" + f.proxy_pick_file +
             ", also in the test table) with its "
             "rank-" +
             std::to_string(proxy_rank_in(c, f.budget)) + " config.";
    md += "- " + bits_text(f.budget) + " bits: " + what + "\n";
  }
  md +=
      "\nEvery uniform config within a budget (one profiled pair in all layers) was re-scored beside the searched "
      "configs, so a final pick never loses to one of them on the validation split.\n";

  md += "\n## Test-split evaluation\n\n";
  md += "Held-out test split (" + std::to_string(s.test.sequences) +
        " sequences, disjoint from the validation split "
        "used for picking and from the calibration set). Prompt: " +
        s.prompt_length +
        "; the rest of each sequence is "
        "decoded (teacher-forced, with the exact cache state of a streaming decoder) and scored.\n\n";
  md += evaluation_table(s.test_evaluation);
  md += "\nPlot: [evaluation/evaluation.svg](evaluation/evaluation.svg).\n";

  md += "\n## Proxy vs end to end (validation split)\n\n";
  md += eval::two_stage_markdown(s.two_stage, s.candidates);

  md += "\n## Data\n\n";
  md += data_line("calibration (profiling)", s.calibration);
  md += data_line("held-out", s.heldout);
  md += data_line("validation split (even held-out sequences: re-scoring)", s.validation);
  md += data_line("test split (odd held-out sequences: the table above)", s.test);
  md += "- disjointness: " + std::to_string(s.overlap.shared) + " of " + std::to_string(s.overlap.windows) + " " +
        std::to_string(s.overlap.window) +
        "-token windows of the held-out sequences occur in the calibration prompts (" +
        std::to_string(s.overlap.sequences_with_shared) + " sequences affected); calibration hash `" +
        s.calibration.hash + "` ≠ held-out hash `" + s.heldout.hash + "`\n";

  md += "\n## Settings\n\n";
  md += "- model hash `" + s.model_hash + "`\n- scheme " + s.scheme + ", " + s.prefill + ", prompt " + s.prompt_length +
        "\n";
  std::string budgets;
  for (double b : s.budgets) budgets += (budgets.empty() ? "" : ", ") + bits_text(b);
  md += "- budgets " + budgets + " bits; search " + s.search_method + "; re-scoring metric " + metric + "\n";
  md += "- proxy: " + s.proxy + (s.proxy_reason.empty() ? "" : " (" + s.proxy_reason + ")") + "\n";
  md += "- compute threads " + std::to_string(compute_threads()) +
        " (--threads: these bytes repeat for this count on any machine; other counts may differ in the last digits)\n";

  md += "\n## Files\n\n";
  report::MarkdownTable files({"path", "what"});
  for (const auto& f : s.finals) files.row({f.file, "final config for the " + bits_text(f.budget) + "-bit budget"});
  files
      .row(
          {"evaluation/evaluation.{md,json,svg}", "test-split table, machine-readable form, KL vs effective bits plot"})
      .row({"validation/rescore.{md,json}", "end-to-end re-scoring of the proxy's best configs (validation split)"})
      .row({"search/",
            "proxy search: report.md, front.csv, pareto.svg, search.json, the top configs per budget (_0 = "
            "best proxy)"})
      .row({"profile/sensitivity.{json,csv,svg}",
            "per-layer sensitivity table (the search's input; reusable with `kvtuner-search search`)"});
  md += files.str();
  return md;
}

}  // namespace kvt::app
