#include "search/writers/report_md.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>

#include "lib/core/sensitivity_stats.h"
#include "lib/report/markdown.h"
#include "search/writers/text_format.h"

namespace kvt::search {

namespace {

std::string names(const SensitivityTable& t, const std::vector<int>& indices) {
  std::string out;
  for (int p : indices) out += (out.empty() ? "" : ", ") + t.pairs[p].name();
  return out;
}

std::vector<PrecisionPair> config_pairs(const SensitivityTable& t, const FrontPoint& p) {
  std::vector<PrecisionPair> out;
  for (int i : p.layer_pairs) out.push_back(t.pairs[i]);
  return out;
}

void sensitivity_section(std::ostringstream& out, const SensitivityTable& t) {
  // The error the search minimised (the table's proxy).
  const std::vector<std::vector<double>>& e = t.proxy_errors();
  const std::string col = proxy_column(t.proxy);
  const std::string meaning = t.proxy == "eo"   ? "relative attention-output error (the paper's measure)"
                              : t.proxy == "kl" ? "KL (nats/token) of the model's output with only this layer quantized"
                                                : "diagonal-Fisher estimate of that KL (nats/token)";
  out << "## Sensitivity\n\n"
      << col << " = " << meaning << ", per layer and pair; the search's proxy. Averages over layers,\n"
      << "as in the paper's Table 3:\n\n";
  report::MarkdownTable pairs(
      {"pair", "mean bits", "mean " + col, "min " + col + " (layer)", "max " + col + " (layer)"});
  const std::vector<PairStats> stats = pair_stats(e);
  for (size_t p = 0; p < t.pairs.size(); ++p) {
    const PairStats& s = stats[p];
    pairs.row({t.pairs[p].name(), format_fixed(t.pairs[p].mean_bits(), 1), format_significant(s.mean, 4),
               format_significant(s.min, 4) + " (" + std::to_string(s.min_layer) + ")",
               format_significant(s.max, 4) + " (" + std::to_string(s.max_layer) + ")"});
  }
  out << pairs.str();
  // Rank layers by their mean error over all pairs.
  const std::vector<double> layer_mean = layer_means(e);
  const std::vector<int> order = layers_by_sensitivity(e);
  size_t shown = std::min<size_t>(5, order.size());
  out << "\nMost sensitive layers (mean " << col << " over pairs):";
  for (size_t i = 0; i < shown; ++i)
    out << (i ? "," : "") << " " << order[i] << " (" << format_significant(layer_mean[order[i]], 4) << ")";
  out << ".  \nLeast sensitive:";
  for (size_t i = 0; i < shown; ++i) {
    int l = order[order.size() - 1 - i];
    out << (i ? "," : "") << " " << l << " (" << format_significant(layer_mean[l], 4) << ")";
  }
  out << ".\n\n![" << col << " heatmap](sensitivity.svg)\n\n";
}

void structure_section(std::ostringstream& out, const SearchResult& r) {
  const SensitivityTable& t = r.table;
  out << "## Pruned candidate sets\n\nPer layer, the pairs non-dominated in (" << to_string(r.options.memory)
      << " memory, " << proxy_column(t.proxy) << "); ties keep the cheaper pair";
  if (r.options.prune.rel_tol > 0 || r.options.prune.abs_tol > 0)
    out << "; errors within max(" << format_significant(r.options.prune.abs_tol, 6) << ", "
        << format_significant(r.options.prune.rel_tol, 6) << " × " << proxy_column(t.proxy) << ") count as equal";
  out << ".\n\n";
  std::map<std::vector<int>, std::vector<int>> layers_of_set;
  std::vector<std::vector<int>> set_order;
  for (int l = 0; l < t.num_layers; ++l) {
    auto& layers = layers_of_set[r.candidate_sets.per_layer[l]];
    if (layers.empty()) set_order.push_back(r.candidate_sets.per_layer[l]);
    layers.push_back(l);
  }
  report::MarkdownTable sets({"candidate set", "layers"});
  for (const auto& set : set_order) sets.row({names(t, set), format_layer_list(layers_of_set[set])});
  out << sets.str();

  out << "\n## Groups\n\n";
  if (!r.options.group.explicit_groups.empty())
    out << "Given with --groups.";
  else if (!r.options.group.enabled)
    out << "Grouping off: one decision per layer.";
  else
    out << "DBSCAN (eps " << format_significant(r.options.group.eps, 6) << ", min_samples "
        << r.options.group.min_samples << ", Euclidean on each layer's "
        << (r.table.proxy == "eo" ? std::string("e_o") : "log10 " + proxy_column(r.table.proxy))
        << " over its set) within each candidate set; "
        << "noise layers are singleton groups.";
  double log10_space = 0;
  for (const auto& g : r.groups.groups) log10_space += std::log10(static_cast<double>(g.candidates.size()));
  out << " " << r.groups.groups.size() << " groups; search space 10^" << format_fixed(log10_space, 2)
      << " configs.\n\n";
  report::MarkdownTable groups({"group", "layers", "candidate set"});
  for (size_t g = 0; g < r.groups.groups.size(); ++g)
    groups.row(
        {std::to_string(g), format_layer_list(r.groups.groups[g].layers), names(t, r.groups.groups[g].candidates)});
  out << groups.str() << "\n";
}

void search_section(std::ostringstream& out, const SearchResult& r) {
  const SearchOptions& o = r.options;
  out << "## Search\n\nObjectives: " << memory_label(o.memory) << " and "
      << (r.proxy_objective ? "the proxy error Σ_l " + proxy_column(r.table.proxy) +
                                  " (additive; it ignores error compounding across layers). Proxy: " +
                                  (r.table.proxy_reason.empty() ? r.table.proxy : r.table.proxy_reason)
                            : "the custom objective `" + r.objective_name + "`")
      << ", both minimized, memory ≤ " << format_budget(o.max_budget()) << " bits.\n\n";
  if (o.method == SearchMethod::Nsga2) {
    out << "- Method: NSGA-II (pagmo), " << r.nsga2_genes << " integer genes, population " << o.nsga2.population << ", "
        << o.nsga2.generations << " generations, seed " << o.nsga2.seed << ", crossover "
        << format_significant(o.nsga2.crossover, 4) << ", mutation "
        << format_significant(o.nsga2.mutation > 0 ? o.nsga2.mutation : 1.0 / std::max(1, r.nsga2_genes), 4) << "\n";
  } else {
    out << "- Method: exact front by dynamic programming over groups and memory totals\n";
  }
  out << "- Searched front: " << r.searched_front.size() << " points";
  if (r.proxy_objective)
    out << "; exact front (same space): " << r.exact_front.size()
        << " points, per-layer exact front: " << r.exact_front_per_layer.size() << " points";
  out << "\n";
  if (r.hypervolume)
    out << "- Hypervolume ratio searched / exact: " << format_fixed(r.hypervolume->ratio, 4)
        << " (objectives normalized by the exact front's range within the bound, reference point (1.1, 1.1))\n";
  out << "\n![Pareto front](pareto.svg)\n\n## Uniform baselines\n\n";
  report::MarkdownTable uniform(
      {"pair", "memory", "nominal bits", "effective bits", r.proxy_objective ? "proxy error" : "objective"});
  for (const auto& u : r.uniform)
    uniform.row({u.pair.name(), format_significant(u.memory, 6), format_fixed(u.score.nominal_bits, 4),
                 format_fixed(u.score.effective_bits, 4), format_fixed(u.error, 4)});
  out << uniform.str() << "\n";
}

void selection_section(std::ostringstream& out, const SearchResult& r) {
  out << "## Chosen configs\n\nPer budget, the searched-front configs within it with the lowest error (`_0` first); "
      << "the knee is the front point farthest from the chord between the front's ends (normalized).\n\n";
  report::MarkdownTable chosen({"file", "role", "nominal bits", "effective bits", "proxy error", "objective", "pairs"});
  for (const auto& s : r.selected) {
    ConfigScore score = score_config(r.table, s.point.layer_pairs);
    std::string role =
        s.role == "knee" ? "knee" : "≤ " + format_budget(s.budget_bits) + " bits, #" + std::to_string(s.rank);
    chosen.row({s.file_name, role, format_fixed(score.nominal_bits, 4), format_fixed(score.effective_bits, 4),
                format_fixed(score.proxy_error, 4), format_significant(s.point.error, 6),
                pair_histogram(config_pairs(r.table, s.point))});
  }
  out << chosen.str();
  for (double budget : r.options.budgets) {
    bool found = std::any_of(r.selected.begin(), r.selected.end(),
                             [&](const SelectedConfig& s) { return s.role == "budget" && s.budget_bits == budget; });
    if (!found) out << "\nNo searched config fits the " << format_budget(budget) << "-bit budget.\n";
  }
  out << "\nLayer maps:\n\n";
  for (const auto& s : r.selected)
    out << "- `" << s.file_name << "`: " << compact_layer_map(config_pairs(r.table, s.point)) << "\n";
}

}  // namespace

std::string search_report_markdown(const SearchResult& r) {
  const SensitivityTable& t = r.table;
  std::ostringstream out;
  report::MarkdownTable about({"", ""});
  about.row({"model", t.model_name + " (hash " + t.model_hash + ")"})
      .row({"scheme", t.scheme + (t.prefill_mode.empty() ? "" : ", " + t.prefill_mode)})
      .row({"calibration", "hash " + t.calib_hash + ", " + std::to_string(t.num_prompts) + " prompts, " +
                               std::to_string(t.num_tokens) + " tokens"})
      .row({"layers × pairs", std::to_string(t.num_layers) + " × " + std::to_string(t.pairs.size())})
      .row({"sensitivity table",
            "hash " + r.table_hash + (t.tool_version.empty() ? "" : ", written by " + t.tool_version)})
      .row({"search", "fingerprint " + r.fingerprint + ", kvtuner " + KVT_VERSION});
  out << "# KVTuner search report: " << (t.model_name.empty() ? "model" : t.model_name) << "\n\n"
      << about.str() << "\n";
  sensitivity_section(out, t);
  structure_section(out, r);
  search_section(out, r);
  selection_section(out, r);
  return out.str();
}

}  // namespace kvt::search
