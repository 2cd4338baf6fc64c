#include "calibration/profiler/summary.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "lib/core/sensitivity_stats.h"
#include "lib/eval/rank_agreement.h"
#include "lib/report/format.h"

namespace kvt::profile {

namespace {

double layer_mean(const std::vector<std::vector<double>>& m, size_t pair) {
  if (m.empty()) return 0.0;
  double sum = 0;
  for (const auto& row : m) sum += row[pair];
  return sum / double(m.size());
}

// "3 (0.512), 1 (0.498)": layers with their mean e_o over pairs.
std::string ranked_layers(const std::vector<int>& layers, const std::vector<double>& means) {
  std::string s;
  for (int l : layers)
    s += (s.empty() ? "" : ", ") + std::to_string(l) + " (" + report::format_significant(means[size_t(l)], 4) + ")";
  return s;
}

std::string rho_text(const std::optional<double>& rho) {
  return rho ? report::format_fixed(*rho, 3) : std::string("n/a");
}

}  // namespace

std::string sensitivity_summary(const SensitivityTable& t, int layers_listed) {
  std::string out = "Sensitivity of " + t.model_name + ": " + std::to_string(t.num_layers) + " layers, scheme " +
                    t.scheme + ", " + t.prefill_mode + ", " + std::to_string(t.num_prompts) + " prompts, " +
                    std::to_string(t.num_tokens) + " tokens\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-8s %10s %10s %10s %10s %10s %9s\n", "pair", "e_o mean", "e_o min", "e_o max",
                "e_k", "e_v", "eff.bits");
  out += line;
  const std::vector<PairStats> stats = pair_stats(t.e_o);
  for (size_t p = 0; p < t.pairs.size(); ++p) {
    double bits = p < t.effective_bits.size() ? t.effective_bits[p] : t.pairs[p].mean_bits();
    std::snprintf(line, sizeof line, "%-8s %10.4g %10.4g %10.4g %10.4g %10.4g %9.3f\n", t.pairs[p].name().c_str(),
                  stats[p].mean, stats[p].min, stats[p].max, layer_mean(t.e_k, p), layer_mean(t.e_v, p), bits);
    out += line;
  }

  // The same ranking as the search's report.md: mean e_o over all pairs (lib/core/sensitivity_stats.h).
  const std::vector<double> means = layer_means(t.e_o);
  const std::vector<int> order = layers_by_sensitivity(t.e_o);
  // At most half the layers each, so the two lists never overlap.
  size_t n = std::min<size_t>(size_t(std::max(layers_listed, 1)), std::max<size_t>(1, order.size() / 2));
  const std::string by = " (mean e_o over pairs): ";
  out += "Most sensitive layers" + by + ranked_layers(std::vector<int>(order.begin(), order.begin() + long(n)), means) +
         "\n";
  out += "Least sensitive layers" + by +
         ranked_layers(std::vector<int>(order.rbegin(), order.rbegin() + long(n)), means) + "\n";

  int lo_bits = 16, hi_bits = 1;
  for (const auto& p : t.pairs) {
    lo_bits = std::min({lo_bits, p.key_bits, p.value_bits});
    hi_bits = std::max({hi_bits, p.key_bits, p.value_bits});
  }
  int low_key = t.pair_index({lo_bits, hi_bits}), low_value = t.pair_index({hi_bits, lo_bits});
  if (lo_bits < hi_bits && low_key >= 0 && low_value >= 0) {
    double k = layer_mean(t.e_o, size_t(low_key)), v = layer_mean(t.e_o, size_t(low_value));
    int worse = 0;
    for (const auto& row : t.e_o) worse += row[size_t(low_key)] > row[size_t(low_value)];
    out += "Keys vs values: " + t.pairs[size_t(low_key)].name() + " e_o " + report::format_significant(k, 4) + " vs " +
           t.pairs[size_t(low_value)].name() + " " + report::format_significant(v, 4) + " (layer means): ";
    if (v > 0 && k >= v)
      out += "low-bit keys hurt " + report::format_fixed(k / v, 2) + "x more";
    else if (k > 0)
      out += "low-bit values hurt " + report::format_fixed(v / k, 2) + "x more";
    else
      out += "no difference";
    out += "; " + t.pairs[size_t(low_key)].name() + " is worse in " + std::to_string(worse) + "/" +
           std::to_string(t.num_layers) + " layers\n";
  } else {
    out += "Keys vs values: needs K" + std::to_string(lo_bits) + "V" + std::to_string(hi_bits) + " and K" +
           std::to_string(hi_bits) + "V" + std::to_string(lo_bits) + " among the pairs\n";
  }
  return out + end_to_end_summary(t);
}

ProxyAgreement proxy_agreement(const SensitivityTable& t, const std::string& proxy, const std::string& reference) {
  ProxyAgreement a;
  const auto* x = t.errors_of(proxy);
  const auto* y = t.errors_of(reference);
  if (x == nullptr || y == nullptr || x->empty() || y->empty()) return a;
  std::vector<double> all_x, all_y;
  for (size_t l = 0; l < size_t(t.num_layers); ++l) {
    std::vector<double> lx, ly;
    for (size_t p = 0; p < t.pairs.size(); ++p) {
      if (t.pairs[p].is_full_precision()) continue;
      lx.push_back((*x)[l][p]);
      ly.push_back((*y)[l][p]);
    }
    a.per_layer.push_back(eval::spearman(lx, ly));
    all_x.insert(all_x.end(), lx.begin(), lx.end());
    all_y.insert(all_y.end(), ly.begin(), ly.end());
  }
  a.overall = eval::spearman(all_x, all_y);
  return a;
}

std::vector<SensitiveSide> sensitive_sides(const SensitivityTable& t) {
  std::vector<SensitiveSide> sides;
  if (t.kl.empty()) return sides;
  // The swap with the fewest bits: K{lo}V{hi} against K{hi}V{lo}.
  int best_low_key = -1, best_low_value = -1, best_sum = 1000;
  for (size_t p = 0; p < t.pairs.size(); ++p) {
    const PrecisionPair& a = t.pairs[p];
    if (a.key_bits >= a.value_bits) continue;
    const int swapped = t.pair_index({a.value_bits, a.key_bits});
    if (swapped < 0 || a.key_bits + a.value_bits >= best_sum) continue;
    best_sum = a.key_bits + a.value_bits;
    best_low_key = int(p);
    best_low_value = swapped;
  }
  if (best_low_key < 0) return sides;
  for (int l = 0; l < t.num_layers; ++l) {
    SensitiveSide s;
    s.low_key = t.pairs[size_t(best_low_key)];
    s.low_value = t.pairs[size_t(best_low_value)];
    s.kl_low_key = t.kl[size_t(l)][size_t(best_low_key)];
    s.kl_low_value = t.kl[size_t(l)][size_t(best_low_value)];
    sides.push_back(s);
  }
  return sides;
}

std::string end_to_end_summary(const SensitivityTable& t) {
  std::string out =
      "Proxy for the search: " + t.proxy + (t.proxy_reason.empty() ? "" : " (" + t.proxy_reason + ")") + "\n";
  for (const std::string proxy : {"eo", "fisher"}) {
    ProxyAgreement a = proxy_agreement(t, proxy, "kl");
    if (a.per_layer.empty()) continue;
    out += "Rank agreement of " + proxy_column(proxy) + " with the layer KL (Spearman over pairs): overall " +
           rho_text(a.overall) + "; per layer";
    for (size_t l = 0; l < a.per_layer.size(); ++l) out += " " + std::to_string(l) + ":" + rho_text(a.per_layer[l]);
    out += "\n";
  }
  const auto sides = sensitive_sides(t);
  if (!sides.empty()) {
    out += "Sensitive side by layer KL (" + sides[0].low_key.name() + " vs " + sides[0].low_value.name() + "):";
    for (size_t l = 0; l < sides.size(); ++l)
      out += " " + std::to_string(l) + ":" + (sides[l].kl_low_key > sides[l].kl_low_value ? "keys" : "values") + " (" +
             report::format_fixed(sides[l].kl_low_value > 0 ? sides[l].kl_low_key / sides[l].kl_low_value : 0.0, 2) +
             "x)";
    out += "\n";
  }
  return out;
}

}  // namespace kvt::profile
