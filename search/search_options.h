// Everything the post-profile stages take from the command line, in one value validated up front.
#pragma once
#include <string>
#include <vector>

#include "search/grouping.h"
#include "search/nsga2_search.h"
#include "search/objectives.h"
#include "search/pruning.h"

namespace kvt::search {

enum class SearchMethod {
  Nsga2,  // pagmo NSGA-II (the paper's search; works with any objective)
  Exact,  // the DP front itself (additive proxy only): exact and fast
};
// "nsga2" | "exact". @throws InputError naming --method.
SearchMethod parse_search_method(const std::string& text);
std::string to_string(SearchMethod method);

struct SearchOptions {
  std::vector<double> budgets{4.0, 6.0};  // KVTuner App. C: KVTuner4 / KVTuner6; bits in the memory measure
  MemoryMeasure memory = MemoryMeasure::Nominal;
  SearchMethod method = SearchMethod::Nsga2;
  PruneOptions prune;
  GroupOptions group;
  Nsga2Options nsga2;
  int configs_per_budget = 1;  // _0, _1, ... per budget
  std::string model_name;      // file-name prefix; empty → the table's model_name
  // --proxy: the table's error the search minimises: "eo", "kl", "fisher"; "" or "auto" → the table's own choice.
  std::string proxy;
  bool force = false;  // overwrite outputs; start over when a checkpoint does not fit

  // @throws InputError naming the first invalid option.
  void validate() const;
  // Budgets sorted and the largest: the search's memory bound.
  double max_budget() const;
};

}  // namespace kvt::search
