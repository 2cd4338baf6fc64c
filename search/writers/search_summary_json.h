// search.json: the machine-readable summary of a search (sets, groups, fronts' sizes, hypervolume, choices).
#pragma once
#include <nlohmann/json.hpp>

#include "search/pipeline.h"

namespace kvt::search {

nlohmann::json search_summary_json(const SearchResult& result);

}  // namespace kvt::search
