#include "lib/report/plot.h"

#include <algorithm>
#include <cmath>

#include "lib/report/format.h"
#include "lib/report/svg.h"

namespace kvt::report {

namespace {

constexpr int kWidth = 760, kHeight = 480;
constexpr double kLeft = 80, kRight = 190, kTop = 40, kBottom = 60;  // margins (legend on the right)

std::string log_tick_label(double exponent) { return "1e" + std::to_string(int(std::lround(exponent))); }

}  // namespace

std::string render_plot(const PlotSpec& spec) {
  // Data range (y in log10 when requested); points that cannot be drawn are counted, not plotted.
  auto y_of = [&](double y) { return spec.log_y ? std::log10(y) : y; };
  auto drawable = [&](const PlotPoint& p) {
    return std::isfinite(p.x) && std::isfinite(p.y) && (!spec.log_y || p.y > 0);
  };
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  int dropped = 0;
  for (const auto& s : spec.series)
    for (const auto& p : s.points) {
      if (!drawable(p)) {
        ++dropped;
        continue;
      }
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, y_of(p.y)), y_hi = std::max(y_hi, y_of(p.y));
    }
  for (const auto& r : spec.references)
    if (std::isfinite(r.y) && (!spec.log_y || r.y > 0))
      y_lo = std::min(y_lo, y_of(r.y)), y_hi = std::max(y_hi, y_of(r.y));
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1;
  if (!(y_lo <= y_hi)) y_lo = 0, y_hi = 1;
  if (x_hi - x_lo < 1e-9) x_lo -= 0.5, x_hi += 0.5;
  if (y_hi - y_lo < 1e-12)
    y_lo -= spec.log_y ? 0.5 : std::max(std::abs(y_lo) * 0.1, 1e-6),
        y_hi += spec.log_y ? 0.5 : std::max(std::abs(y_hi) * 0.1, 1e-6);
  const double x_pad = (x_hi - x_lo) * 0.08, y_pad = (y_hi - y_lo) * 0.08;
  x_lo -= x_pad, x_hi += x_pad, y_lo -= y_pad, y_hi += y_pad;
  if (spec.log_y) y_lo = std::floor(y_lo), y_hi = std::ceil(y_hi);

  const double plot_right = kWidth - kRight, plot_bottom = kHeight - kBottom;
  const LinearScale x{x_lo, x_hi, kLeft, plot_right};
  const LinearScale y{y_lo, y_hi, plot_bottom, kTop};

  SvgDocument svg(kWidth, kHeight);
  svg.rect(0, 0, kWidth, kHeight, "#ffffff");
  svg.text((kLeft + plot_right) / 2, 22, spec.title, 15, "middle", "#111");
  // Grid and ticks: whole decades on a log axis, 1-2-5 steps otherwise.
  std::vector<double> x_ticks = nice_ticks(x_lo, x_hi, 6), y_ticks;
  if (spec.log_y)
    for (double e = y_lo; e <= y_hi + 1e-9; e += 1) y_ticks.push_back(e);
  else
    y_ticks = nice_ticks(y_lo, y_hi, 6);
  const int x_decimals = tick_decimals(x_ticks), y_decimals = tick_decimals(y_ticks);
  for (double t : x_ticks) {
    if (t < x_lo - 1e-12 || t > x_hi + 1e-12) continue;
    svg.line(x(t), kTop, x(t), plot_bottom, "#dddddd");
    svg.text(x(t), plot_bottom + 18, format_fixed(t, x_decimals), 12, "middle");
  }
  for (double t : y_ticks) {
    if (t < y_lo - 1e-12 || t > y_hi + 1e-12) continue;
    svg.line(kLeft, y(t), plot_right, y(t), "#dddddd");
    svg.text(kLeft - 6, y(t) + 4, spec.log_y ? log_tick_label(t) : format_fixed(t, y_decimals), 12, "end");
  }
  svg.rect(kLeft, kTop, plot_right - kLeft, plot_bottom - kTop, "none", "#333333");
  svg.text((kLeft + plot_right) / 2, kHeight - 18, spec.x_label, 12, "middle");
  svg.text(18, (kTop + plot_bottom) / 2, spec.y_label + (spec.log_y ? " (log scale)" : ""), 12, "middle", "#222", -90);

  for (const auto& r : spec.references) {
    if (!std::isfinite(r.y) || (spec.log_y && !(r.y > 0))) continue;
    const double ry = y(y_of(r.y));
    svg.line(kLeft, ry, plot_right, ry, "#888888", 1, "6,4");
    svg.text(plot_right - 5, ry - 5, r.label, 11, "end", "#555");
  }

  // Series: optional line, markers, labels; legend on the right.
  double legend_y = kTop + 10;
  const double lx = plot_right + 16;
  for (const auto& s : spec.series) {
    std::vector<PlotPoint> pts;
    for (const auto& p : s.points)
      if (drawable(p)) pts.push_back(p);
    if (s.connect && pts.size() > 1) {
      std::stable_sort(pts.begin(), pts.end(), [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
      std::vector<std::pair<double, double>> line;
      for (const auto& p : pts) line.push_back({x(p.x), y(y_of(p.y))});
      svg.polyline(line, s.color, s.markers ? 1.5 : 2);
    }
    if (s.markers)
      for (const auto& p : pts) {
        const double cx = x(p.x), cy = y(y_of(p.y));
        if (s.square)
          svg.rect(cx - 5, cy - 5, 10, 10, s.color);
        else
          svg.circle(cx, cy, 5, s.color);
        if (!p.label.empty()) svg.text(cx + 8, cy - 6, p.label, 10, "start", "#333");
      }
    if (!s.markers)
      svg.line(lx, legend_y, lx + 12, legend_y, s.color, 2);
    else if (s.square)
      svg.rect(lx, legend_y - 5, 10, 10, s.color);
    else
      svg.circle(lx + 5, legend_y, 5, s.color);
    svg.text(lx + 16, legend_y + 4, s.name, 12);
    legend_y += 20;
  }
  if (dropped > 0)
    svg.text(lx, legend_y + 10, std::to_string(dropped) + " point(s) with y = 0 or not finite not shown", 10, "start",
             "#666");
  return svg.finish();
}

}  // namespace kvt::report
