#include "apps/kvtuner-search/search_cli_options.h"

#include <sstream>

#include "lib/core/error.h"

namespace kvt::app {

std::vector<double> parse_budget_list(const std::string& text) {
  std::vector<double> budgets;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || item.find_first_not_of(" \t", used) != std::string::npos)
      throw InputError("--budgets '" + text + "': '" + item + "' is not a number of bits", 661);
    budgets.push_back(value);
  }
  if (budgets.empty()) throw InputError("--budgets: the list is empty", 661);
  return budgets;
}

void add_search_options(CLI::App* app, search::SearchOptions& o) {
  const std::string group = "Search";
  app->add_option_function<std::string>(
         "--budgets", [&o](const std::string& s) { o.budgets = parse_budget_list(s); },
         "Average-bit budgets, comma-separated; one config set per budget (default 4,6)")
      ->group(group);
  app->add_option_function<std::string>(
         "--memory", [&o](const std::string& s) { o.memory = search::parse_memory_measure(s); },
         "Memory objective: nominal (the paper's f_m, default), effective (with scales and residual) or bytes")
      ->group(group);
  app->add_option_function<std::string>(
         "--method", [&o](const std::string& s) { o.method = search::parse_search_method(s); },
         "nsga2 (pagmo NSGA-II, default) or exact (the DP front of the additive proxy)")
      ->group(group);
  app->add_option("--proxy", o.proxy,
                  "Layer error the search minimises: eo (the paper's e_o), kl (measured layer KL), fisher (its "
                  "diagonal-Fisher estimate), auto (the profile's choice)")
      ->group(group);
  app->add_option("--pop", o.nsga2.population, "NSGA-II population (>= 8, a multiple of 4)")
      ->group(group)
      ->capture_default_str();
  app->add_option("--generations", o.nsga2.generations, "NSGA-II generations")->group(group)->capture_default_str();
  app->add_option("--seed", o.nsga2.seed, "NSGA-II seed")->group(group)->capture_default_str();
  app->add_option("--checkpoint-every", o.nsga2.checkpoint_every, "Generations between NSGA-II checkpoints")
      ->group(group)
      ->capture_default_str();
  app->add_flag_function(
         "--no-group", [&o](int64_t) { o.group.enabled = false; },
         "One decision per layer instead of DBSCAN groups (the paper's ablation)")
      ->group(group);
  app->add_option("--eps", o.group.eps,
                  "DBSCAN eps on the layers' proxy-error vectors (e_o as is; kl and fisher as log10)")
      ->group(group)
      ->capture_default_str();
  app->add_option("--min-samples", o.group.min_samples, "DBSCAN min_samples")->group(group)->capture_default_str();
  app->add_option("--groups", o.group.explicit_groups, "Explicit layer groups instead of DBSCAN, e.g. '0;1-4,7;5,6'")
      ->group(group);
  app->add_option("--prune-rel-tol", o.prune.rel_tol, "Pruning: errors within this fraction count as equal")
      ->group(group)
      ->capture_default_str();
  app->add_option("--prune-abs-tol", o.prune.abs_tol, "Pruning: errors within this absolute amount count as equal")
      ->group(group)
      ->capture_default_str();
  app->add_option("--per-budget", o.configs_per_budget, "Configs written per budget (_0, _1, ...)")
      ->group(group)
      ->capture_default_str();
  app->add_option("--name", o.model_name, "Model name used in output file names (default: the table's)")->group(group);
}

}  // namespace kvt::app
