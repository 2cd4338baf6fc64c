// The options of the end-to-end sensitivity measures, shared by `profile` and `run`
// (calibration/profiler/layer_kl.h): --proxy-budget and --kl-tokens.
#pragma once
#include <CLI/CLI.hpp>

#include "calibration/profiler/profiler.h"

namespace kvt::app {

// Binds --proxy-budget MINUTES and --kl-tokens N to `options` (checked by profile::validate_profile_options).
void add_proxy_measure_options(CLI::App* cmd, profile::ProfileOptions& options);

}  // namespace kvt::app
