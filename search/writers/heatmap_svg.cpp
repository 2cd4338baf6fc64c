#include "search/writers/heatmap_svg.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/report/svg.h"
#include "search/writers/text_format.h"

namespace kvt::search {

std::string sensitivity_heatmap_svg(const SensitivityTable& table) {
  table.validate("sensitivity table");
  const int layers = table.num_layers;
  const int pairs = static_cast<int>(table.pairs.size());
  const double cell_w = 58;
  const double cell_h = std::clamp(640.0 / layers, 6.0, 20.0);
  const double left = 64, top = 70, bar_gap = 30, bar_w = 16, right_labels = 70;
  const int width = static_cast<int>(std::ceil(left + pairs * cell_w + bar_gap + bar_w + right_labels));
  const int height = static_cast<int>(std::ceil(top + layers * cell_h + 50));

  // The error the search minimises (the table's proxy): e_o, layer KL or its Fisher estimate.
  const std::vector<std::vector<double>>& errors = table.proxy_errors();
  const std::string column = proxy_column(table.proxy);
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& row : errors)
    for (double v : row) {
      if (v > 0) lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) lo = hi = 1;  // all zeros
  const double log_lo = std::log10(lo), log_hi = std::log10(std::max(hi, lo));
  auto shade = [&](double v) {
    if (v <= 0 || log_hi == log_lo) return 0.0;
    return (std::log10(v) - log_lo) / (log_hi - log_lo);
  };

  report::SvgDocument svg(width, height);
  svg.rect(0, 0, width, height, "#ffffff");
  std::string title = column + " per layer and pair";
  if (!table.model_name.empty()) title += " — " + table.model_name;
  if (!table.scheme.empty()) title += " (" + table.scheme + ")";
  svg.text(left, 24, title, 15, "start", "#111");
  for (int p = 0; p < pairs; ++p) svg.text(left + (p + 0.5) * cell_w, top - 8, table.pairs[p].name(), 11, "middle");
  svg.text(16, top + layers * cell_h / 2, "layer", 12, "middle", "#222", -90);

  const int label_every = std::max(1, static_cast<int>(std::ceil(11.0 / cell_h)));
  const bool show_values = cell_h >= 12;
  for (int l = 0; l < layers; ++l) {
    double y = top + l * cell_h;
    if (l % label_every == 0) svg.text(left - 6, y + cell_h / 2 + 4, std::to_string(l), 10, "end");
    for (int p = 0; p < pairs; ++p) {
      double v = errors[l][p];
      double t = shade(v);
      svg.rect(left + p * cell_w, y, cell_w, cell_h, report::ramp_color(t), "#ffffff", "stroke-width=\"0.5\"");
      if (show_values)
        svg.text(left + (p + 0.5) * cell_w, y + cell_h / 2 + 4,
                 table.proxy == "eo" ? format_fixed(v, 3) : format_significant(v, 2), 9, "middle",
                 t > 0.6 ? "#111" : "#fff");
    }
  }

  // Colour bar with decade (or finer) ticks on the log scale.
  const double bar_x = left + pairs * cell_w + bar_gap, bar_h = layers * cell_h;
  const int steps = 64;
  for (int i = 0; i < steps; ++i)
    svg.rect(bar_x, top + bar_h * (steps - 1 - i) / steps, bar_w, bar_h / steps + 0.5,
             report::ramp_color((i + 0.5) / steps));
  svg.rect(bar_x, top, bar_w, bar_h, "none", "#444");
  report::LinearScale bar_scale{log_lo, log_hi, top + bar_h, top};
  for (double t : report::nice_ticks(log_lo, log_hi, 5)) {
    double y = bar_scale(t);
    svg.line(bar_x + bar_w, y, bar_x + bar_w + 4, y, "#444");
    svg.text(bar_x + bar_w + 7, y + 4, format_significant(std::pow(10.0, t), 2), 10);
  }
  svg.text(bar_x, top - 8, column + " (log)", 11);
  const std::string meaning = table.proxy == "eo"   ? "e_o = relative attention-output error"
                              : table.proxy == "kl" ? "kl = KL (nats/token) with only this layer quantized"
                                                    : "fisher = diagonal-Fisher estimate of that KL (nats/token)";
  svg.text(left, top + bar_h + 30, std::to_string(layers) + " layers × " + std::to_string(pairs) + " pairs; " + meaning,
           11, "start", "#555");
  return svg.finish();
}

}  // namespace kvt::search
