// report.md: sensitivity summary, pruned sets, groups, search summary, uniform baselines and chosen configs.
// Links the SVGs written next to it (sensitivity.svg, pareto.svg). No timings: the file is byte-reproducible.
#pragma once
#include <string>

#include "search/pipeline.h"

namespace kvt::search {

std::string search_report_markdown(const SearchResult& result);

}  // namespace kvt::search
