#include "lib/eval/two_stage_ranking.h"

#include <algorithm>
#include <map>

#include "lib/core/error.h"
#include "lib/eval/eval_report.h"
#include "lib/eval/rank_agreement.h"
#include "lib/report/format.h"
#include "lib/report/markdown.h"

namespace kvt::eval {

RescoreMetric parse_rescore_metric(const std::string& text) {
  if (text == "kl") return RescoreMetric::KL;
  if (text == "ppl") return RescoreMetric::Perplexity;
  throw InputError("--rescore-metric '" + text + "': expected kl or ppl", 975);
}

std::string rescore_metric_name(RescoreMetric metric) { return metric == RescoreMetric::KL ? "kl" : "ppl"; }

namespace {

std::string budget_text(double bits) {
  std::string s = report::format_fixed(bits, 2);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string rho_text(const std::optional<double>& rho) { return rho ? report::format_fixed(*rho, 3) : "n/a"; }

}  // namespace

TwoStageResult rank_candidates(const EvaluationResult& validation, const std::vector<ProxyCandidate>& candidates,
                               RescoreMetric metric) {
  KVT_ASSERT(validation.rows.size() == candidates.size() + 1, "validation rows do not match the candidates");
  TwoStageResult r;
  r.metric = metric;
  r.validation = validation;
  std::vector<double> proxy;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ConfigResult& row = validation.rows[i + 1];
    r.end_to_end.push_back(metric == RescoreMetric::KL ? row.mean_kl : row.perplexity);
    proxy.push_back(candidates[i].proxy_error);
  }
  r.spearman_all = spearman(proxy, r.end_to_end);

  // Budget → (proxy rank, candidate), then ordered by proxy rank.
  std::map<double, std::vector<std::pair<int, size_t>>> lists;
  for (size_t i = 0; i < candidates.size(); ++i)
    for (size_t b = 0; b < candidates[i].budgets.size(); ++b)
      lists[candidates[i].budgets[b]].push_back({candidates[i].proxy_ranks[b], i});
  for (auto& [budget, list] : lists) {
    std::sort(list.begin(), list.end());
    BudgetOutcome o;
    o.budget = budget;
    std::vector<double> p, e;
    for (const auto& [rank, i] : list) {
      o.candidates.push_back(i);
      p.push_back(candidates[i].proxy_error);
      e.push_back(r.end_to_end[i]);
    }
    o.proxy_pick = o.candidates.front();
    for (auto it = o.candidates.rbegin(); it != o.candidates.rend(); ++it)
      if (!candidates[*it].uniform) o.proxy_pick = *it;  // the first searched one
    o.final_pick = o.proxy_pick;
    for (size_t i : o.candidates)
      if (r.end_to_end[i] < r.end_to_end[o.final_pick]) o.final_pick = i;  // strict: ties keep the proxy pick
    o.spearman = spearman(p, e);
    r.budgets.push_back(o);
  }
  return r;
}

nlohmann::ordered_json two_stage_json(const TwoStageResult& result, const std::vector<ProxyCandidate>& candidates) {
  nlohmann::ordered_json j;
  j["metric"] = rescore_metric_name(result.metric);
  j["spearman_all"] = result.spearman_all ? nlohmann::ordered_json(*result.spearman_all) : nlohmann::ordered_json();
  j["full_precision_perplexity"] = result.validation.rows.at(0).perplexity;
  j["candidates"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ConfigResult& row = result.validation.rows[i + 1];
    j["candidates"].push_back(
        {{"name", candidates[i].name},
         {"nominal_bits", candidates[i].nominal_bits},
         {"effective_bits", row.effective_bits},
         {"uniform", candidates[i].uniform},
         {"proxy_error", candidates[i].proxy_error},
         {"predicted_kl",
          candidates[i].predicted_kl ? nlohmann::ordered_json(*candidates[i].predicted_kl) : nlohmann::ordered_json()},
         {"mean_kl", row.mean_kl},
         {"kl_stderr", row.kl_stderr},
         {"perplexity", row.perplexity},
         {"top1_agreement", row.top1_agreement}});
  }
  j["budgets"] = nlohmann::ordered_json::array();
  for (const auto& o : result.budgets) {
    nlohmann::ordered_json names = nlohmann::ordered_json::array();
    for (size_t i : o.candidates) names.push_back(candidates[i].name);
    j["budgets"].push_back({{"budget_bits", o.budget},
                            {"candidates_in_proxy_order", names},
                            {"proxy_pick", candidates[o.proxy_pick].name},
                            {"final_pick", candidates[o.final_pick].name},
                            {"uniform_won", candidates[o.final_pick].uniform},
                            {"spearman", o.spearman ? nlohmann::ordered_json(*o.spearman) : nlohmann::ordered_json()}});
  }
  return j;
}

std::string two_stage_markdown(const TwoStageResult& result, const std::vector<ProxyCandidate>& candidates) {
  const std::string metric = result.metric == RescoreMetric::KL ? "KL" : "perplexity";
  std::string md = "Spearman ρ between proxy error and validation " + metric + " over all " +
                   std::to_string(candidates.size()) + " re-scored configs: " + rho_text(result.spearman_all) +
                   " (1 = the proxy orders them exactly as the end-to-end score does).\n";
  for (const auto& o : result.budgets) {
    md += "\n### Budget " + budget_text(o.budget) + " bits: ρ = " + rho_text(o.spearman) + "\n\n";
    report::MarkdownTable table({"proxy rank", "config", "nominal bits", "effective bits", "proxy error",
                                 "predicted KL (Σ layer KL)", "validation KL", "validation perplexity",
                                 "end-to-end rank", ""});
    std::vector<double> scores;
    for (size_t i : o.candidates) scores.push_back(result.end_to_end[i]);
    std::vector<size_t> order(o.candidates.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return scores[x] < scores[y]; });
    std::vector<size_t> e2e_rank(order.size());
    for (size_t k = 0; k < order.size(); ++k) e2e_rank[order[k]] = k;
    for (size_t k = 0; k < o.candidates.size(); ++k) {
      const size_t i = o.candidates[k];
      const ConfigResult& row = result.validation.rows[i + 1];
      const ProxyCandidate& c = candidates[i];
      table.row({c.uniform ? std::string("uniform") : std::to_string(k), c.name,
                 report::format_fixed(c.nominal_bits, 3), report::format_fixed(row.effective_bits, 3),
                 report::format_scientific(c.proxy_error, 4),
                 c.predicted_kl ? report::format_scientific(*c.predicted_kl, 3) : std::string("n/a"),
                 report::format_scientific(row.mean_kl, 3), report::format_fixed(row.perplexity, 4),
                 std::to_string(e2e_rank[k]), i == o.final_pick ? "**final pick**" : ""});
    }
    md += table.str();
    if (candidates[o.final_pick].uniform)
      md += "\nA uniform config won this budget: " + candidates[o.final_pick].name +
            " scores better on validation than every searched config within " + budget_text(o.budget) + " bits.\n";
  }
  return md;
}

}  // namespace kvt::eval
