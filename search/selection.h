// Picking deployable configs from a front (docs/method.md §14): the best config within each budget, named like
// the official presets (`<model>_<pertoken|kivi>_KVTuner<budget>_<idx>.yaml`), and the knee point.
#pragma once
#include <string>
#include <vector>

#include "lib/core/sensitivity_table.h"
#include "search/objectives.h"
#include "search/pareto_front.h"

namespace kvt::search {

struct SelectedConfig {
  std::string file_name;   // "<model>_<tag>_KVTuner4_0.yaml" or "<model>_<tag>_knee.yaml"
  std::string role;        // "budget" or "knee"
  double budget_bits = 0;  // role "budget": the budget in bits (in the search's memory measure)
  int rank = 0;            // role "budget": 0 = lowest error within the budget, 1 = next, ...
  FrontPoint point;
};

// "per-token-asym" → "pertoken", "kivi" → "kivi" (the official preset tags); anything else is sanitized.
std::string scheme_tag(const std::string& scheme);
// Keeps [A-Za-z0-9._-], maps other characters to '_'; empty → "model".
std::string file_stem(const std::string& name);
// 4 → "4", 4.5 → "4.5".
std::string format_budget(double bits);

// For each budget (bits, converted with budget_in_measure), the `per_budget` front points within it with the
// lowest error (ties: less memory first), then the knee of the whole front. Budgets no point fits are skipped.
std::vector<SelectedConfig> select_configs(const ParetoFront& front, const SensitivityTable& table,
                                           MemoryMeasure measure, const std::vector<double>& budgets_bits,
                                           int per_budget, const std::string& model_name);

// The file names select_configs can produce (to refuse overwriting before any work is done).
std::vector<std::string> possible_config_file_names(const SensitivityTable& table,
                                                    const std::vector<double>& budgets_bits, int per_budget,
                                                    const std::string& model_name);

}  // namespace kvt::search
