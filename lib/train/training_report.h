// The training record written next to the model: the loss log as CSV and the loss curve as SVG.
// Fixed float formatting, so the same run gives the same bytes.
#pragma once
#include <string>
#include <vector>

#include "lib/train/training_loop.h"

namespace kvt::train {

// Header "step,tokens_seen,train_loss,heldout_loss,learning_rate", one row per TrainLogRow.
std::string training_log_csv(const std::vector<TrainLogRow>& rows);

// A standalone SVG line chart: train and held-out loss (nats/token) against step, with a
// horizontal reference line at `baseline_loss` (the unigram loss) when it is > 0.
std::string loss_curve_svg(const std::vector<TrainLogRow>& rows, double baseline_loss);

}  // namespace kvt::train
