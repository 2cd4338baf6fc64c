// Layer-map text for the search's files; numbers and escaping come from lib/report/format.h.
#pragma once
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "lib/report/format.h"

namespace kvt::search {

// Numbers and escaping: the one formatter of lib/report.
using report::format_fixed;
using report::format_significant;
using report::xml_escape;

// Run-length layer map: "0:KV8 1-4:K4V2 5:KV4".
std::string compact_layer_map(const std::vector<PrecisionPair>& layers);
// "KV4×16, K4V2×15, K4V8×1": pair counts, most frequent first (ties: PrecisionPair order).
std::string pair_histogram(const std::vector<PrecisionPair>& layers);

}  // namespace kvt::search
