#include "lib/eval/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "lib/report/format.h"

namespace kvt::eval {

namespace {

constexpr double kWidth = 760, kHeight = 480;
constexpr double kLeft = 80, kRight = 190, kTop = 40, kBottom = 60;  // margins (legend on the right)

std::string num(double v, int decimals = 1) { return report::format_fixed(v, decimals); }

using report::xml_escape;

struct Ticks {
  std::vector<double> values;
  int decimals = 0;  // enough to print every tick of the step distinctly
};

// Tick values 1, 2 or 5 × 10^k apart covering [lo, hi].
Ticks linear_ticks(double lo, double hi) {
  double span = hi - lo, raw = span / 6, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : raw / magnitude < 7.5 ? 5 : 10);
  Ticks ticks;
  ticks.decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.values.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

std::string log_tick_label(double exponent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "1e%d", int(std::lround(exponent)));
  return buf;
}

}  // namespace

std::string render_svg_plot(const PlotSpec& spec) {
  // Data range (y in log10 when requested).
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  int dropped = 0;
  auto y_of = [&](double y) { return spec.log_y ? std::log10(y) : y; };
  for (const auto& s : spec.series)
    for (const auto& p : s.points) {
      if (spec.log_y && !(p.y > 0)) {
        ++dropped;
        continue;
      }
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, y_of(p.y)), y_hi = std::max(y_hi, y_of(p.y));
    }
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  if (x_hi - x_lo < 1e-9) x_lo -= 0.5, x_hi += 0.5;
  if (y_hi - y_lo < 1e-12)
    y_lo -= spec.log_y ? 0.5 : std::max(std::abs(y_lo) * 0.1, 1e-6),
        y_hi += spec.log_y ? 0.5 : std::max(std::abs(y_hi) * 0.1, 1e-6);
  const double x_pad = (x_hi - x_lo) * 0.08, y_pad = (y_hi - y_lo) * 0.08;
  x_lo -= x_pad, x_hi += x_pad, y_lo -= y_pad, y_hi += y_pad;
  if (spec.log_y) y_lo = std::floor(y_lo), y_hi = std::ceil(y_hi);

  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x_lo) / (x_hi - x_lo) * plot_w; };
  auto py = [&](double y) { return kTop + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h; };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth, 0) + "\" height=\"" +
                    num(kHeight, 0) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(kLeft + plot_w / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
         xml_escape(spec.title) + "</text>\n";
  svg += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(plot_w) + "\" height=\"" +
         num(plot_h) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  // Grid and ticks.
  Ticks y_ticks, x_ticks = linear_ticks(x_lo, x_hi);
  if (spec.log_y)
    for (double e = y_lo; e <= y_hi + 1e-9; e += 1) y_ticks.values.push_back(e);
  else
    y_ticks = linear_ticks(y_lo, y_hi);
  for (double t : x_ticks.values) {
    svg += "<line x1=\"" + num(px(t)) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(px(t)) + "\" y2=\"" +
           num(kTop + plot_h) + "\" stroke=\"#ddd\"/>\n";
    svg += "<text x=\"" + num(px(t)) + "\" y=\"" + num(kTop + plot_h + 18) + "\" text-anchor=\"middle\">" +
           num(t, x_ticks.decimals) + "</text>\n";
  }
  for (double t : y_ticks.values) {
    svg += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(py(t)) + "\" x2=\"" + num(kLeft + plot_w) + "\" y2=\"" +
           num(py(t)) + "\" stroke=\"#ddd\"/>\n";
    svg += "<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
           (spec.log_y ? log_tick_label(t) : num(t, y_ticks.decimals)) + "</text>\n";
  }
  svg += "<text x=\"" + num(kLeft + plot_w / 2) + "\" y=\"" + num(kHeight - 18) + "\" text-anchor=\"middle\">" +
         xml_escape(spec.x_label) + "</text>\n";
  svg += "<text transform=\"translate(18," + num(kTop + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         xml_escape(spec.y_label + (spec.log_y ? " (log scale)" : "")) + "</text>\n";

  // Series: optional line, markers, labels; legend on the right.
  double legend_y = kTop + 10;
  for (const auto& s : spec.series) {
    std::vector<PlotPoint> pts;
    for (const auto& p : s.points)
      if (!spec.log_y || p.y > 0) pts.push_back(p);
    if (s.connect && pts.size() > 1) {
      std::stable_sort(pts.begin(), pts.end(), [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
      std::string path;
      for (const auto& p : pts) path += (path.empty() ? "M" : " L") + num(px(p.x)) + "," + num(py(y_of(p.y)));
      svg +=
          "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"1.5\" opacity=\"0.6\"/>\n";
    }
    for (const auto& p : pts) {
      const double cx = px(p.x), cy = py(y_of(p.y));
      if (s.square)
        svg += "<rect x=\"" + num(cx - 5) + "\" y=\"" + num(cy - 5) + "\" width=\"10\" height=\"10\" fill=\"" +
               s.color + "\"/>\n";
      else
        svg += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"5\" fill=\"" + s.color + "\"/>\n";
      if (!p.label.empty())
        svg += "<text x=\"" + num(cx + 8) + "\" y=\"" + num(cy - 6) + "\" font-size=\"10\" fill=\"#333\">" +
               xml_escape(p.label) + "</text>\n";
    }
    const double lx = kLeft + plot_w + 16;
    if (s.square)
      svg += "<rect x=\"" + num(lx) + "\" y=\"" + num(legend_y - 5) + "\" width=\"10\" height=\"10\" fill=\"" +
             s.color + "\"/>\n";
    else
      svg += "<circle cx=\"" + num(lx + 5) + "\" cy=\"" + num(legend_y) + "\" r=\"5\" fill=\"" + s.color + "\"/>\n";
    svg += "<text x=\"" + num(lx + 16) + "\" y=\"" + num(legend_y + 4) + "\">" + xml_escape(s.name) + "</text>\n";
    legend_y += 20;
  }
  if (dropped > 0)
    svg += "<text x=\"" + num(kLeft + plot_w + 16) + "\" y=\"" + num(legend_y + 10) +
           "\" font-size=\"10\" fill=\"#666\">" + std::to_string(dropped) + " point(s) with y = 0 not shown</text>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace kvt::eval
