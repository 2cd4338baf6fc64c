#include "apps/kvtuner-search/proxy_options.h"

namespace kvt::app {

void add_proxy_measure_options(CLI::App* cmd, profile::ProfileOptions& options) {
  cmd->add_option("--proxy-budget", options.proxy_budget_minutes,
                  "With --proxy auto: measure the layer KL when its estimated time fits this many minutes, else use "
                  "the Fisher estimate")
      ->capture_default_str();
  cmd->add_option("--kl-tokens", options.kl_tokens,
                  "Tokens of the leading calibration prompts that the layer KL and Fisher estimate use")
      ->capture_default_str();
}

}  // namespace kvt::app
