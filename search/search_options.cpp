#include "search/search_options.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "lib/core/error.h"
#include "search/selection.h"

namespace kvt::search {

SearchMethod parse_search_method(const std::string& text) {
  if (text == "nsga2") return SearchMethod::Nsga2;
  if (text == "exact") return SearchMethod::Exact;
  throw InputError("--method '" + text + "': expected nsga2 or exact", 660);
}

std::string to_string(SearchMethod method) { return method == SearchMethod::Exact ? "exact" : "nsga2"; }

void SearchOptions::validate() const {
  if (budgets.empty()) throw InputError("--budgets: the list is empty", 661);
  std::set<std::string> seen;
  for (double b : budgets) {
    if (!std::isfinite(b) || b < 1 || b > 16)
      throw InputError("--budgets: " + format_budget(b) + " is outside 1..16 bits", 661);
    if (!seen.insert(format_budget(b)).second)
      throw InputError("--budgets: " + format_budget(b) + " is listed twice", 661);
  }
  if (!proxy.empty() && proxy != "auto" && !is_proxy_name(proxy))
    throw InputError("--proxy '" + proxy + "': expected auto, eo, kl or fisher", 664);
  if (configs_per_budget < 1 || configs_per_budget > 20)
    throw InputError("--per-budget " + std::to_string(configs_per_budget) + ": expected 1..20", 662);
  search::validate(prune);
  search::validate(group);
  if (method == SearchMethod::Nsga2) search::validate(nsga2);
}

double SearchOptions::max_budget() const { return *std::max_element(budgets.begin(), budgets.end()); }

}  // namespace kvt::search
