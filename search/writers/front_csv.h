// front.csv: every point of the searched front and of the exact fronts, one row each, with its config.
// Columns: source (searched | exact | exact_per_layer), index, memory (in the search's measure), nominal_bits,
// effective_bits, proxy_error, objective_error, config (one pair name per layer, space-separated).
#pragma once
#include <string>

#include "search/pipeline.h"

namespace kvt::search {

std::string front_csv(const SearchResult& result);

}  // namespace kvt::search
