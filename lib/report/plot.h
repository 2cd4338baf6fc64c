// The one x–y chart of kvtuner's reports (evaluation scatter plots, training loss curves), drawn with the SVG
// toolkit of lib/report/svg.h: series of points (markers, labels, optionally joined in x order), a linear x axis,
// a linear or log10 y axis, dashed horizontal reference lines, and a legend on the right. No LibTorch.
// Output is deterministic: every number goes through report::format_fixed (lib/report/format.h).
#pragma once
#include <string>
#include <vector>

namespace kvt::report {

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
  bool markers = true;  // false: the line only (with connect)
};

// A dashed horizontal line at y, labelled at the right end of the plot (e.g. a baseline loss).
struct PlotReference {
  double y = 0;
  std::string label;
};

struct PlotSpec {
  std::string title, x_label, y_label;
  bool log_y = false;  // points with y ≤ 0 are left out on a log axis (and counted in a footnote)
  std::vector<PlotSeries> series;
  std::vector<PlotReference> references;
};

// The whole SVG document. Non-finite coordinates are left out like y ≤ 0 on a log axis; an empty plot gets the
// unit square as its axes.
std::string render_plot(const PlotSpec& spec);

}  // namespace kvt::report
