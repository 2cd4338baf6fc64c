// A chosen config as a KvConfig with kvtuner metadata, written as the official KVTuner per-layer YAML
// (kvt::to_kvtuner_yaml: `# kvtuner:` comment lines keep the official loader's layout intact).
#pragma once
#include <string>

#include "lib/core/kv_config.h"
#include "search/pipeline.h"

namespace kvt::search {

// Metadata: scheme, scheme_params, model name/hash, calib hash, prefill mode, nominal and effective bits,
// proxy error, objective and its value, role/budget, and provenance (tool, version, table hash, fingerprint,
// method, seed, population, generations, grouping and pruning options).
KvConfig to_kv_config(const SearchResult& result, const FrontPoint& point, const nlohmann::json& role);
std::string selected_config_yaml(const SearchResult& result, const SelectedConfig& selected);

// The same provenance block, shared with search.json.
nlohmann::json provenance_json(const SearchResult& result);

}  // namespace kvt::search
