#include "calibration/profiler/summary.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace kvt::profile {

namespace {

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

double layer_mean(const std::vector<std::vector<double>>& m, size_t pair) {
  if (m.empty()) return 0.0;
  double sum = 0;
  for (const auto& row : m) sum += row[pair];
  return sum / double(m.size());
}

std::string ranked_layers(const SensitivityTable& t, const std::vector<int>& order, size_t pair) {
  std::string s;
  for (int l : order) s += (s.empty() ? "" : ", ") + std::to_string(l) + " (" + format("%.4g", t.e_o[size_t(l)][pair]) + ")";
  return s;
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
  for (size_t p = 0; p < t.pairs.size(); ++p) {
    double lo = t.e_o[0][p], hi = t.e_o[0][p];
    for (const auto& row : t.e_o) lo = std::min(lo, row[p]), hi = std::max(hi, row[p]);
    double bits = p < t.effective_bits.size() ? t.effective_bits[p] : t.pairs[p].mean_bits();
    std::snprintf(line, sizeof line, "%-8s %10.4g %10.4g %10.4g %10.4g %10.4g %9.3f\n", t.pairs[p].name().c_str(),
                  layer_mean(t.e_o, p), lo, hi, layer_mean(t.e_k, p), layer_mean(t.e_v, p), bits);
    out += line;
  }

  // The pair with the fewest bits separates layers best.
  size_t lowest = 0;
  for (size_t p = 1; p < t.pairs.size(); ++p) {
    const PrecisionPair &a = t.pairs[p], &b = t.pairs[lowest];
    if (a.key_bits + a.value_bits < b.key_bits + b.value_bits ||
        (a.key_bits + a.value_bits == b.key_bits + b.value_bits && a.key_bits < b.key_bits))
      lowest = p;
  }
  std::vector<int> order(size_t(t.num_layers));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return t.e_o[size_t(a)][lowest] > t.e_o[size_t(b)][lowest]; });
  // At most half the layers each, so the two lists never overlap.
  size_t n = std::min<size_t>(size_t(std::max(layers_listed, 1)), std::max<size_t>(1, order.size() / 2));
  const std::string at = " at " + t.pairs[lowest].name() + " (e_o): ";
  out += "Most sensitive layers" + at + ranked_layers(t, std::vector<int>(order.begin(), order.begin() + long(n)), lowest) + "\n";
  out += "Least sensitive layers" + at + ranked_layers(t, std::vector<int>(order.rbegin(), order.rbegin() + long(n)), lowest) + "\n";

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
    out += "Keys vs values: " + t.pairs[size_t(low_key)].name() + " e_o " + format("%.4g", k) + " vs " +
           t.pairs[size_t(low_value)].name() + " " + format("%.4g", v) + " (layer means): ";
    if (v > 0 && k >= v)
      out += "low-bit keys hurt " + format("%.2f", k / v) + "x more";
    else if (k > 0)
      out += "low-bit values hurt " + format("%.2f", v / k) + "x more";
    else
      out += "no difference";
    out += "; " + t.pairs[size_t(low_key)].name() + " is worse in " + std::to_string(worse) + "/" +
           std::to_string(t.num_layers) + " layers\n";
  } else {
    out += "Keys vs values: needs K" + std::to_string(lo_bits) + "V" + std::to_string(hi_bits) + " and K" +
           std::to_string(hi_bits) + "V" + std::to_string(lo_bits) + " among the pairs\n";
  }
  return out;
}

}  // namespace kvt::profile
