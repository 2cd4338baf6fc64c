#include "search/writers/pareto_svg.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/report/svg.h"
#include "search/writers/text_format.h"

namespace kvt::search {

namespace {

constexpr int kWidth = 760, kHeight = 500;
constexpr double kLeft = 78, kRight = 200, kTop = 48, kBottom = 62;
const char* kSearchedColor = "#1f77b4";
const char* kExactColor = "#7f7f7f";
const char* kPerLayerColor = "#bcbd22";
const char* kSelectedColor = "#d62728";

struct Bounds {
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -std::numeric_limits<double>::infinity();
  double y_hi = 0;
  void add(double x, double y) {
    x_lo = std::min(x_lo, x);
    x_hi = std::max(x_hi, x);
    y_hi = std::max(y_hi, y);
  }
};

std::vector<std::pair<double, double>> to_pixels(const ParetoFront& front, const report::LinearScale& x,
                                                 const report::LinearScale& y) {
  std::vector<std::pair<double, double>> points;
  for (const auto& p : front) points.push_back({x(p.memory), y(p.error)});
  return points;
}

}  // namespace

std::string pareto_front_svg(const SearchResult& r) {
  const bool show_exact = r.proxy_objective;
  const bool show_per_layer = show_exact && r.options.group.enabled;
  Bounds b;
  for (const auto& p : r.searched_front) b.add(p.memory, p.error);
  for (const auto& u : r.uniform) b.add(u.memory, u.error);
  if (show_exact)
    for (const auto& p : r.exact_front) b.add(p.memory, p.error);
  if (show_per_layer)
    for (const auto& p : r.exact_front_per_layer) b.add(p.memory, p.error);
  if (!std::isfinite(b.x_lo)) b.add(0, 1);
  double x_pad = std::max(1e-9, (b.x_hi - b.x_lo) * 0.04);
  std::vector<double> x_ticks = report::nice_ticks(b.x_lo - x_pad, b.x_hi + x_pad, 8);
  std::vector<double> y_ticks = report::nice_ticks(0, b.y_hi > 0 ? b.y_hi * 1.05 : 1, 6);
  double plot_right = kWidth - kRight, plot_bottom = kHeight - kBottom;
  report::LinearScale x{std::min(x_ticks.front(), b.x_lo - x_pad), std::max(x_ticks.back(), b.x_hi + x_pad), kLeft,
                        plot_right};
  report::LinearScale y{0, std::max(y_ticks.back(), b.y_hi * 1.05), plot_bottom, kTop};

  report::SvgDocument svg(kWidth, kHeight);
  svg.rect(0, 0, kWidth, kHeight, "#ffffff");
  std::string title = "Pareto front: " + (r.table.model_name.empty() ? std::string("model") : r.table.model_name);
  if (!r.table.scheme.empty()) title += " (" + r.table.scheme + ")";
  svg.text(kLeft, 26, title, 15, "start", "#111");

  // Grid, ticks and axis labels.
  int x_decimals = report::tick_decimals(x_ticks), y_decimals = report::tick_decimals(y_ticks);
  for (double t : x_ticks) {
    if (t < x.domain_lo - 1e-12 || t > x.domain_hi + 1e-12) continue;
    svg.line(x(t), kTop, x(t), plot_bottom, "#eeeeee");
    svg.line(x(t), plot_bottom, x(t), plot_bottom + 5, "#444");
    svg.text(x(t), plot_bottom + 18, format_fixed(t, x_decimals), 11, "middle");
  }
  for (double t : y_ticks) {
    svg.line(kLeft, y(t), plot_right, y(t), "#eeeeee");
    svg.line(kLeft - 5, y(t), kLeft, y(t), "#444");
    svg.text(kLeft - 8, y(t) + 4, format_fixed(t, y_decimals), 11, "end");
  }
  svg.rect(kLeft, kTop, plot_right - kLeft, plot_bottom - kTop, "none", "#444");
  svg.text((kLeft + plot_right) / 2, kHeight - 18, memory_label(r.options.memory), 12, "middle");
  std::string y_label = r.proxy_objective ? "proxy error Σ_l " + proxy_column(r.table.proxy) + " (lower is better)"
                                          : r.objective_name + " (lower is better)";
  svg.text(20, (kTop + plot_bottom) / 2, y_label, 12, "middle", "#222", -90);

  // Budgets as dashed verticals.
  for (double budget : r.options.budgets) {
    double bx = x(budget_in_measure(r.table, budget, r.options.memory));
    if (bx < kLeft || bx > plot_right) continue;
    svg.line(bx, kTop, bx, plot_bottom, "#999999", 1, "4,3");
    bool near_right = bx > plot_right - 60;  // keep the label inside the plot
    svg.text(near_right ? bx - 3 : bx + 3, kTop + 12, "≤ " + format_budget(budget) + " bits", 10,
             near_right ? "end" : "start", "#777");
  }

  if (show_per_layer) svg.polyline(to_pixels(r.exact_front_per_layer, x, y), kPerLayerColor, 1.5, "5,3");
  if (show_exact) {
    auto exact = to_pixels(r.exact_front, x, y);
    svg.polyline(exact, kExactColor, 1.5);
    for (const auto& [px_, py] : exact) svg.circle(px_, py, 1.6, kExactColor);
  }
  for (const auto& [px_, py] : to_pixels(r.searched_front, x, y)) svg.circle(px_, py, 3.6, "none", kSearchedColor);
  for (const auto& u : r.uniform) {
    double ux = x(u.memory), uy = y(u.error);
    svg.rect(ux - 4, uy - 4, 8, 8, "#111111");
    svg.text(ux + 7, uy - 6, u.pair.name(), 10, "start", "#111");
  }
  for (const auto& s : r.selected) {
    double sx = x(s.point.memory), sy = y(s.point.error);
    svg.circle(sx, sy, 6.5, "none", kSelectedColor);
    std::string label = s.role == "knee" ? "knee" : format_budget(s.budget_bits) + "_" + std::to_string(s.rank);
    svg.text(sx - 8, sy + 16, label, 10, "end", kSelectedColor);
  }

  // Legend.
  double lx = plot_right + 16, ly = kTop + 8;
  auto legend_row = [&](const std::string& label) {
    svg.text(lx + 26, ly + 4, label, 11);
    ly += 20;
  };
  std::string searched_label =
      r.options.method == SearchMethod::Exact ? "searched front (DP)" : "searched front (NSGA-II)";
  svg.circle(lx + 10, ly, 3.6, "none", kSearchedColor);
  legend_row(searched_label);
  if (show_exact) {
    svg.line(lx, ly, lx + 20, ly, kExactColor, 1.5);
    legend_row(r.options.group.enabled ? "exact front (groups)" : "exact front");
  }
  if (show_per_layer) {
    svg.line(lx, ly, lx + 20, ly, kPerLayerColor, 1.5, "5,3");
    legend_row("exact front (per layer)");
  }
  svg.rect(lx + 6, ly - 4, 8, 8, "#111111");
  legend_row("uniform configs");
  svg.circle(lx + 10, ly, 6.5, "none", kSelectedColor);
  legend_row("chosen configs");
  if (r.hypervolume) {
    ly += 6;
    svg.text(lx, ly, "HV ratio " + format_fixed(r.hypervolume->ratio, 4), 11, "start", "#444");
  }
  return svg.finish();
}

}  // namespace kvt::search
