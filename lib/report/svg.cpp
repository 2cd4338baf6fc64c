#include "lib/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "lib/report/format.h"

namespace kvt::report {

std::string px(double v) { return format_fixed(v, 2); }

SvgDocument::SvgDocument(int width, int height) : width_(width), height_(height) {}

void SvgDocument::rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke,
                       const std::string& extra) {
  body_ += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(w) + "\" height=\"" + px(h) + "\" fill=\"" +
           fill + "\" stroke=\"" + stroke + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
}

void SvgDocument::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
                       const std::string& dash) {
  body_ += "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" stroke=\"" +
           stroke + "\" stroke-width=\"" + px(width) + "\"" +
           (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
}

void SvgDocument::circle(double cx, double cy, double r, const std::string& fill, const std::string& stroke) {
  body_ += "<circle cx=\"" + px(cx) + "\" cy=\"" + px(cy) + "\" r=\"" + px(r) + "\" fill=\"" + fill + "\" stroke=\"" +
           stroke + "\"/>\n";
}

void SvgDocument::polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                           double width, const std::string& dash) {
  if (points.empty()) return;
  std::string coords;
  for (const auto& [x, y] : points) coords += (coords.empty() ? "" : " ") + px(x) + "," + px(y);
  body_ += "<polyline points=\"" + coords + "\" fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" + px(width) +
           "\"" + (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
}

void SvgDocument::text(double x, double y, const std::string& content, double size, const std::string& anchor,
                       const std::string& fill, double rotate) {
  body_ += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" font-size=\"" + px(size) + "\" text-anchor=\"" + anchor +
           "\" fill=\"" + fill + "\"" +
           (rotate != 0 ? " transform=\"rotate(" + px(rotate) + " " + px(x) + " " + px(y) + ")\"" : "") + ">" +
           xml_escape(content) + "</text>\n";
}

void SvgDocument::raw(const std::string& element) { body_ += element + "\n"; }

std::string SvgDocument::finish() const {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width_) + "\" height=\"" +
         std::to_string(height_) + "\" viewBox=\"0 0 " + std::to_string(width_) + " " + std::to_string(height_) +
         "\" font-family=\"Helvetica, Arial, sans-serif\">\n" + body_ + "</svg>\n";
}

double LinearScale::operator()(double v) const {
  double span = domain_hi - domain_lo;
  if (span == 0) return (pixel_lo + pixel_hi) / 2;
  return pixel_lo + (v - domain_lo) / span * (pixel_hi - pixel_lo);
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  // Never empty (callers take front() and back()), never a long loop: a range that is degenerate, not finite, or
  // too narrow or too wide for a decimal step (errors of 5e-324, sums that overflow) falls back to its ends.
  if (!std::isfinite(lo)) lo = 0;
  if (!std::isfinite(hi) || !(hi > lo)) return {lo};
  const int count = std::max(1, target);
  double raw_step = (hi - lo) / count;
  if (!std::isfinite(raw_step) || !std::isnormal(raw_step)) return {lo, hi};
  double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  if (!std::isfinite(magnitude) || !std::isnormal(magnitude)) return {lo, hi};
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw_step) {
      step = m * magnitude;
      break;
    }
  std::vector<double> ticks;
  const int max_ticks = 2 * count + 4;  // a decimal step gives at most count + 2; the cap guards rounding at large k
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && int(ticks.size()) < max_ticks; k += 1)
    ticks.push_back(k * step);
  if (ticks.empty()) return {lo, hi};
  return ticks;
}

int tick_decimals(const std::vector<double>& ticks) {
  if (ticks.size() < 2) return 2;
  double step = std::fabs(ticks[1] - ticks[0]);
  return std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
}

std::string ramp_color(double t) {
  // Viridis at 0, 0.25, 0.5, 0.75, 1.
  static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0) * 4;
  int i = std::min(3, static_cast<int>(t));
  double f = t - i;
  char buf[8];
  int rgb[3];
  for (int c = 0; c < 3; ++c) rgb[c] = static_cast<int>(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

}  // namespace kvt::report
