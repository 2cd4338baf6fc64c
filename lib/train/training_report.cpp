#include "lib/train/training_report.h"

#include <cstdio>

#include "lib/report/format.h"
#include "lib/report/plot.h"

namespace kvt::train {

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
  report::PlotSpec spec;
  spec.title = "Training and held-out loss";
  spec.x_label = "step";
  spec.y_label = "loss (nats/token)";
  report::PlotSeries train{"train (mean per row)", "#1f77b4", false, true, {}};
  report::PlotSeries heldout{"held-out", "#d62728", false, true, {}};
  train.markers = heldout.markers = false;
  for (const auto& r : rows) {
    train.points.push_back({double(r.step), r.train_loss, ""});
    heldout.points.push_back({double(r.step), r.heldout_loss, ""});
  }
  spec.series = {train, heldout};
  if (baseline_loss > 0)
    spec.references.push_back({baseline_loss, "unigram baseline " + report::format_fixed(baseline_loss, 3)});
  return report::render_plot(spec);
}

}  // namespace kvt::train
