// `kvtuner-search show`: a compact per-layer view of a config and its bits summary.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "search/interop/projection.h"

namespace kvt::interop {

// Layer → group index from metadata "groups" ([[layer, ...], ...], the search's layer groups); -1 for layers
// in no group; empty when the metadata has no groups. @throws InputError naming `source` when "groups" is not a
// list of lists of layer indices within 0..L-1, or a layer is in two groups.
std::vector<int> layer_groups_from_metadata(const KvConfig& config, const std::string& source);

// Pair → number of layers (× heads for per-head configs), in PrecisionPair order (most bits first).
std::map<PrecisionPair, int> pair_histogram(const KvConfig& config);
// "K8V4 x2, KV4 x6, K4V2 x20, KV2 x4".
std::string histogram_text(const std::map<PrecisionPair, int>& histogram);

// The per-layer table (layer, K bits, V bits, pair, group when known) and the summary lines: average nominal
// bits f_m (KVTuner §5.1), mean K and V bits, effective bits with `searched` (scheme overhead), pair histogram.
// Per-head configs show each layer's mean K and V bits and its pair histogram over heads.
std::string format_config_view(const KvConfig& config, const std::string& source, const BitsSummary& searched,
                               const std::string& scheme_line);

}  // namespace kvt::interop
