// Locale-free, deterministic number and text formatting for every file the search writes.
#pragma once
#include <string>
#include <vector>

#include "lib/core/precision.h"

namespace kvt::search {

// printf "%.<decimals>f"; "-0.000" prints as "0.000"; NaN prints as "n/a".
std::string format_fixed(double value, int decimals);
// printf "%.<digits>g" (NaN → "n/a").
std::string format_significant(double value, int digits);
// XML text/attribute escaping for SVG.
std::string xml_escape(const std::string& text);
// Run-length layer map: "0:KV8 1-4:K4V2 5:KV4".
std::string compact_layer_map(const std::vector<PrecisionPair>& layers);
// "KV4×16, K4V2×15, K4V8×1": pair counts, most frequent first (ties: PrecisionPair order).
std::string pair_histogram(const std::vector<PrecisionPair>& layers);

}  // namespace kvt::search
