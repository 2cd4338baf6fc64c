// A small, dependency-free SVG scatter plot for reports: labelled points in a few series, linear x,
// linear or log10 y. Output is deterministic (fixed-precision numbers, no ids or dates).
#pragma once
#include <string>
#include <vector>

namespace kvt::eval {

struct PlotPoint {
  double x = 0, y = 0;
  std::string label;  // drawn beside the point; empty for none
};

struct PlotSeries {
  std::string name;  // legend entry
  std::string color = "#1f77b4";
  bool square = false;   // square markers instead of circles
  bool connect = false;  // join the points in x order with a line
  std::vector<PlotPoint> points;
};

struct PlotSpec {
  std::string title, x_label, y_label;
  bool log_y = false;  // points with y ≤ 0 are left out on a log axis (and counted in a footnote)
  std::vector<PlotSeries> series;
};

std::string render_svg_plot(const PlotSpec& spec);

}  // namespace kvt::eval
