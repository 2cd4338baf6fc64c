#include "lib/train/training_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "lib/report/format.h"

namespace kvt::train {

namespace {

// Chart geometry in SVG user units.
constexpr double kWidth = 720, kHeight = 420;
constexpr double kLeft = 70, kRight = 20, kTop = 40, kBottom = 50;

}  // namespace

std::string training_log_csv(const std::vector<TrainLogRow>& rows) {
  std::string out = "step,tokens_seen,train_loss,heldout_loss,learning_rate\n";
  for (const auto& r : rows) {
    char line[160];
    std::snprintf(line, sizeof line, "%d,%lld,%.6f,%.6f,%.8f\n", r.step, static_cast<long long>(r.tokens_seen),
                  r.train_loss, r.heldout_loss, r.learning_rate);
    out += line;
  }
  return out;
}

std::string loss_curve_svg(const std::vector<TrainLogRow>& rows, double baseline_loss) {
  double max_step = rows.empty() ? 1 : rows.back().step;
  double lo = baseline_loss > 0 ? baseline_loss : 1e9, hi = baseline_loss > 0 ? baseline_loss : 0;
  for (const auto& r : rows) {
    lo = std::min({lo, r.train_loss, r.heldout_loss});
    hi = std::max({hi, r.train_loss, r.heldout_loss});
  }
  if (rows.empty()) lo = 0, hi = 1;
  lo = std::floor(lo * 2) / 2;  // round the axis to half nats
  hi = std::ceil(hi * 2) / 2;
  if (hi <= lo) hi = lo + 0.5;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x_of = [&](double step) { return kLeft + plot_w * step / max_step; };
  auto y_of = [&](double loss) { return kTop + plot_h * (hi - loss) / (hi - lo); };

  std::string s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"420\" viewBox=\"0 0 720 420\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<rect width=\"720\" height=\"420\" fill=\"white\"/>\n";
  s += "<text x=\"360\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">Training and held-out loss</text>\n";
  // Axes with ticks every half nat and every fifth of the steps.
  for (double v = lo; v <= hi + 1e-9; v += 0.5) {
    std::string y = report::format_fixed(y_of(v), 1);
    s += "<line x1=\"" + report::format_fixed(kLeft, 1) + "\" y1=\"" + y + "\" x2=\"" +
         report::format_fixed(kWidth - kRight, 1) + "\" y2=\"" + y + "\" stroke=\"#e0e0e0\"/>\n";
    s += "<text x=\"" + report::format_fixed(kLeft - 8, 1) + "\" y=\"" + y + "\" text-anchor=\"end\" dy=\"4\">" +
         report::format_fixed(v, 1) + "</text>\n";
  }
  for (int i = 0; i <= 5; ++i) {
    double step = max_step * i / 5;
    std::string x = report::format_fixed(x_of(step), 1);
    s += "<text x=\"" + x + "\" y=\"" + report::format_fixed(kHeight - kBottom + 18, 1) + "\" text-anchor=\"middle\">" +
         report::format_fixed(step, 0) + "</text>\n";
  }
  s += "<line x1=\"70\" y1=\"" + report::format_fixed(kHeight - kBottom, 1) + "\" x2=\"700\" y2=\"" +
       report::format_fixed(kHeight - kBottom, 1) + "\" stroke=\"black\"/>\n";
  s += "<line x1=\"70\" y1=\"40\" x2=\"70\" y2=\"" + report::format_fixed(kHeight - kBottom, 1) +
       "\" stroke=\"black\"/>\n";
  s += "<text x=\"385\" y=\"410\" text-anchor=\"middle\">step</text>\n";
  s += "<text x=\"18\" y=\"205\" text-anchor=\"middle\" transform=\"rotate(-90 18 205)\">loss (nats/token)</text>\n";
  if (baseline_loss > 0) {
    std::string y = report::format_fixed(y_of(baseline_loss), 1);
    s += "<line x1=\"70\" y1=\"" + y + "\" x2=\"700\" y2=\"" + y + "\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n";
    s += "<text x=\"695\" y=\"" + y + "\" dy=\"-5\" text-anchor=\"end\" fill=\"#555\">unigram baseline " +
         report::format_fixed(baseline_loss, 3) + "</text>\n";
  }
  auto polyline = [&](bool heldout, const char* color) {
    std::string points;
    for (const auto& r : rows) {
      if (!points.empty()) points += ' ';
      points += report::format_fixed(x_of(r.step), 1) + "," +
                report::format_fixed(y_of(heldout ? r.heldout_loss : r.train_loss), 1);
    }
    return "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"" + points +
           "\"/>\n";
  };
  s += polyline(false, "#1f77b4");
  s += polyline(true, "#d62728");
  s += "<rect x=\"520\" y=\"50\" width=\"170\" height=\"44\" fill=\"white\" stroke=\"#ccc\"/>\n";
  s += "<line x1=\"530\" y1=\"64\" x2=\"555\" y2=\"64\" stroke=\"#1f77b4\" stroke-width=\"2\"/>"
       "<text x=\"562\" y=\"68\">train (mean per row)</text>\n";
  s += "<line x1=\"530\" y1=\"82\" x2=\"555\" y2=\"82\" stroke=\"#d62728\" stroke-width=\"2\"/>"
       "<text x=\"562\" y=\"86\">held-out</text>\n";
  s += "</svg>\n";
  return s;
}

}  // namespace kvt::train
