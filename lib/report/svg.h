// The one SVG toolkit of kvtuner's reports: a document builder, linear scales, "nice" ticks and a colour map.
// Plain string code, no LibTorch; every number goes through report::format_fixed so the files are byte-stable.
#pragma once
#include <string>
#include <vector>

namespace kvt::report {

class SvgDocument {
 public:
  SvgDocument(int width, int height);
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke = "none",
            const std::string& extra = "");
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
            const std::string& dash = "");
  void circle(double cx, double cy, double r, const std::string& fill, const std::string& stroke = "none");
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke, double width,
                const std::string& dash = "");
  // anchor: "start" | "middle" | "end"; rotate: degrees about (x, y).
  void text(double x, double y, const std::string& content, double size = 12, const std::string& anchor = "start",
            const std::string& fill = "#222", double rotate = 0);
  void raw(const std::string& element);
  std::string finish() const;  // the whole document

 private:
  int width_, height_;
  std::string body_;
};

// Maps [domain_lo, domain_hi] linearly onto [pixel_lo, pixel_hi] (pixel_hi < pixel_lo for a y axis).
struct LinearScale {
  double domain_lo, domain_hi, pixel_lo, pixel_hi;
  double operator()(double v) const;
};

// About `target` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target);
// Decimals that print every tick of a step distinctly.
int tick_decimals(const std::vector<double>& ticks);

// A perceptually ordered colour ramp for t in [0, 1] (viridis-like stops), "#rrggbb".
std::string ramp_color(double t);

// Number formatting for SVG coordinates (2 decimals).
std::string px(double v);

}  // namespace kvt::report
