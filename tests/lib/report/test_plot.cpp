// render_plot: what reaches the SVG for the cases the writers rely on (hand-built specs, checked by element).
#include "lib/report/plot.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

using namespace kvt::report;

namespace {
size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("plot: a log axis drops y <= 0 and says so, labels are escaped, a connected series is one polyline",
          "[report]") {
  PlotSpec spec;
  spec.log_y = true;
  spec.series = {{"s", "#000", false, true, {{1, 0, ""}, {2, 1e-3, "a"}, {3, 1e-1, "b&c"}}}};
  const std::string svg = render_plot(spec);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("1 point(s) with y = 0 or not finite not shown") != std::string::npos);
  CHECK(svg.find(">b&amp;c</text>") != std::string::npos);
  // Whole decades 1e-4 .. 1e-1 after padding: the range [1e-3, 1e-1] floors/ceils to these.
  CHECK(svg.find(">1e-3</text>") != std::string::npos);
  CHECK(svg.find(">1e-1</text>") != std::string::npos);
  CHECK(count_of(svg, "<polyline") == 1);
  CHECK(count_of(svg, "<circle") == 3);  // two points and the legend marker
  CHECK(svg.find("(log scale)") != std::string::npos);
  CHECK(render_plot(spec) == svg);  // deterministic
}

TEST_CASE("plot: line-only series, reference lines and non-finite points", "[report]") {
  PlotSpec spec;
  spec.title = "loss";
  PlotSeries train{"train", "#1f77b4", false, true, {{0, 5, ""}, {10, 3, ""}, {20, NAN, ""}}};
  train.markers = false;
  spec.series = {train};
  spec.references = {{4, "baseline 4.000"}};
  const std::string svg = render_plot(spec);
  CHECK(count_of(svg, "<circle") == 0);
  CHECK(count_of(svg, "<polyline") == 1);
  CHECK(svg.find("stroke-dasharray=\"6,4\"") != std::string::npos);
  CHECK(svg.find(">baseline 4.000</text>") != std::string::npos);
  CHECK(svg.find("1 point(s) with y = 0 or not finite not shown") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
}

TEST_CASE("plot: an empty spec draws the unit axes", "[report]") {
  const std::string svg = render_plot(PlotSpec{});
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
}
