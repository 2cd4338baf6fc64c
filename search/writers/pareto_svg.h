// The Pareto plot: memory (x) against the search objective (y) with the searched front, the exact front(s),
// the uniform KV8/K8V4/KV4/K4V2/KV2 reference points, the budgets and the chosen configs.
#pragma once
#include <string>

#include "search/pipeline.h"

namespace kvt::search {

std::string pareto_front_svg(const SearchResult& result);

}  // namespace kvt::search
