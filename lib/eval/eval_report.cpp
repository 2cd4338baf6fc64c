#include "lib/eval/eval_report.h"

#include <cstdio>

#include "lib/core/error.h"
#include "lib/report/format.h"
#include "lib/report/markdown.h"
#include "lib/report/plot.h"

namespace kvt::eval {

std::vector<BaselineComparison> compare_with_baselines(const EvaluationResult& result) {
  std::vector<BaselineComparison> out;
  for (const auto& s : result.rows) {
    if (s.kind != "searched") continue;
    BaselineComparison c;
    c.config = s.name;
    for (const auto& b : result.rows) {
      if (b.kind != "baseline") continue;
      const bool richer = b.effective_bits >= s.effective_bits - 1e-9,
                 cheaper = b.effective_bits <= s.effective_bits + 1e-9;
      if (richer) (b.mean_kl > s.mean_kl ? c.beaten : c.not_beaten).push_back(b.name);
      // Dominated: no more bits and no more KL, and strictly less of one of them.
      const bool strictly = b.effective_bits < s.effective_bits - 1e-9 || b.mean_kl < s.mean_kl;
      if (cheaper && b.mean_kl <= s.mean_kl && strictly) c.dominated_by.push_back(b.name);
    }
    out.push_back(c);
  }
  return out;
}

PlotMetric parse_plot_metric(const std::string& text) {
  if (text == "kl") return PlotMetric::KL;
  if (text == "ppl") return PlotMetric::DeltaPerplexity;
  throw InputError("--plot '" + text + "': expected kl or ppl", 974);
}

std::string join_names(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

const BaselineComparison* comparison_for(const std::vector<BaselineComparison>& all, const std::string& name) {
  for (const auto& c : all)
    if (c.config == name) return &c;
  return nullptr;
}

namespace {

std::string context_value(const nlohmann::ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

nlohmann::ordered_json evaluation_json(const EvaluationReport& report) {
  const EvaluationResult& r = report.result;
  nlohmann::ordered_json j;
  j["format"] = "kvtuner-evaluation-v1";
  j["context"] = report.context;
  j["sequences"] = r.sequences;
  j["total_tokens"] = r.total_tokens;
  j["scored_tokens"] = r.scored_tokens;
  const double fp_ppl = r.rows.empty() ? 0 : r.rows[0].perplexity;
  auto comparisons = compare_with_baselines(r);
  j["rows"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const ConfigResult& c = r.rows[i];
    nlohmann::ordered_json row;
    row["name"] = c.name;
    row["kind"] = c.kind;
    if (!c.source.empty()) row["source"] = c.source;
    row["nominal_bits"] = c.nominal_bits;
    row["effective_bits"] = c.effective_bits;
    row["perplexity"] = c.perplexity;
    row["delta_perplexity"] = c.perplexity - fp_ppl;
    row["mean_kl"] = c.mean_kl;
    row["kl_stderr"] = c.kl_stderr;
    row["top1_agreement"] = c.top1_agreement;
    row["scored_tokens"] = c.tokens;
    if (i < report.generation.size()) {
      const GenerationResult& g = report.generation[i];
      row["generation"] = {{"prompts", g.prompts},
                           {"new_tokens", g.new_tokens},
                           {"identical_fraction", g.identical_fraction},
                           {"mean_first_divergence", g.mean_first_divergence},
                           {"earliest_divergence", g.earliest_divergence},
                           {"identical_prompts", g.identical_prompts}};
    }
    if (const BaselineComparison* cmp = comparison_for(comparisons, c.name))
      row["vs_uniform_baselines"] = {
          {"beats", cmp->beaten}, {"does_not_beat", cmp->not_beaten}, {"dominated_by", cmp->dominated_by}};
    j["rows"].push_back(row);
  }
  return j;
}

std::string evaluation_markdown(const EvaluationReport& report, const std::string& title) {
  const EvaluationResult& r = report.result;
  std::string md = "# " + title + "\n\n";
  for (auto it = report.context.begin(); it != report.context.end(); ++it)
    md += "- " + it.key() + ": " + context_value(it.value()) + "\n";
  md += "- sequences: " + std::to_string(r.sequences) + " (" + std::to_string(r.total_tokens) + " tokens, " +
        std::to_string(r.scored_tokens) + " scored continuation tokens per config)\n\n";
  md +=
      "KL is the mean per-token KL(full precision ‖ quantized) in nats over the continuation tokens (± its standard "
      "error across sequences); top-1 is the share of positions whose most likely next token equals full "
      "precision's. Effective bits count codes, 16-bit scales and zero-points, and full-precision residual tokens. "
      "The last three columns compare each searched config's KL with the uniform baselines that store at least "
      "(beats / does not beat) or at most (dominated by: no more bits and no more KL) as many effective bits.\n\n";

  const bool with_generation = !report.generation.empty();
  const double fp_ppl = r.rows.empty() ? 0 : r.rows[0].perplexity;
  auto comparisons = compare_with_baselines(r);
  std::vector<std::string> header = {"config",     "kind", "nominal bits",    "effective bits",
                                     "perplexity", "Δppl", "KL (nats/token)", "top-1 agree"};
  if (with_generation) header.insert(header.end(), {"gen. identical", "first divergence (mean / min)"});
  header.insert(header.end(), {"beats (uniform, ≥ its bits)", "does not beat (uniform, ≥ its bits)",
                               "dominated by (uniform, ≤ its bits)"});
  report::MarkdownTable table(header);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const ConfigResult& c = r.rows[i];
    std::vector<std::string> row = {
        c.name,
        c.kind,
        report::format_fixed(c.nominal_bits, 3),
        report::format_fixed(c.effective_bits, 3),
        report::format_fixed(c.perplexity, 4),
        (c.perplexity - fp_ppl >= 0 ? "+" : "") + report::format_fixed(c.perplexity - fp_ppl, 4),
        report::format_scientific(c.mean_kl, 3) + " ± " + report::format_scientific(c.kl_stderr, 1),
        report::format_fixed(c.top1_agreement, 4)};
    if (with_generation) {
      const GenerationResult& g = report.generation[i];
      row.push_back(report::format_fixed(g.identical_fraction, 4));
      row.push_back(report::format_fixed(g.mean_first_divergence, 1) + " / " + std::to_string(g.earliest_divergence));
    }
    if (const BaselineComparison* cmp = comparison_for(comparisons, c.name))
      row.insert(row.end(), {join_names(cmp->beaten), join_names(cmp->not_beaten), join_names(cmp->dominated_by)});
    else
      row.insert(row.end(), {"", "", ""});
    table.row(row);
  }
  md += table.str();
  if (with_generation && !report.generation.empty())
    md +=
        "\nGeneration: greedy decoding of " + std::to_string(report.generation[0].new_tokens) + " tokens from " +
        std::to_string(report.generation[0].prompts) +
        " held-out prompts with a step-by-step decode loop over a growing quantized cache; \"identical\" is the share "
        "of generated tokens equal to full precision's at the same position, \"first divergence\" the 0-based "
        "position of the first different token (" +
        std::to_string(report.generation[0].new_tokens) + " = none).\n";
  return md;
}

std::string evaluation_svg(const EvaluationReport& report, PlotMetric metric) {
  const EvaluationResult& r = report.result;
  const double fp_ppl = r.rows.empty() ? 0 : r.rows[0].perplexity;
  report::PlotSpec spec;
  spec.log_y = metric == PlotMetric::KL;
  spec.title = metric == PlotMetric::KL ? "Held-out KL vs effective bits" : "Held-out Δperplexity vs effective bits";
  spec.x_label = "effective bits per K/V element";
  spec.y_label =
      metric == PlotMetric::KL ? "KL(full precision ‖ quantized), nats/token" : "perplexity − full precision";
  report::PlotSeries baselines{"uniform baselines", "#d62728", true, true, {}};
  report::PlotSeries searched{"searched configs", "#1f77b4", false, false, {}};
  report::PlotSeries full{"full precision", "#2ca02c", true, false, {}};
  size_t searched_count = 0;
  for (const auto& c : r.rows) searched_count += c.kind == "searched";
  for (const auto& c : r.rows) {
    const double y = metric == PlotMetric::KL ? c.mean_kl : c.perplexity - fp_ppl;
    if (c.kind == "baseline") baselines.points.push_back({c.effective_bits, y, c.name});
    if (c.kind == "searched") searched.points.push_back({c.effective_bits, y, searched_count <= 8 ? c.name : ""});
    if (c.kind == "full-precision" && metric == PlotMetric::DeltaPerplexity)
      full.points.push_back({c.effective_bits, y, "KV16"});
  }
  spec.series = {baselines, searched};
  if (!full.points.empty()) spec.series.push_back(full);
  return report::render_plot(spec);
}

}  // namespace kvt::eval
