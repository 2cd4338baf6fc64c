// Small builders shared by the export tests: per-layer configs from pair names and hand-made tables.
#pragma once
#include <string>
#include <vector>

#include "lib/core/kv_config.h"
#include "lib/core/sensitivity_table.h"

namespace kvt::test {

inline KvConfig config_of(const std::vector<std::string>& pair_names) {
  KvConfig config;
  for (const auto& name : pair_names) config.layers.push_back(parse_precision_pair(name));
  return config;
}

inline std::vector<PrecisionPair> pairs_of(const std::vector<std::string>& pair_names) {
  return config_of(pair_names).layers;
}

// A table over `pair_names` whose e_o[l][p] = values[l][p].
inline SensitivityTable table_of(const std::vector<std::string>& pair_names,
                                 const std::vector<std::vector<double>>& values) {
  SensitivityTable t;
  t.scheme = "per-token-asym";
  t.num_layers = static_cast<int>(values.size());
  t.num_kv_heads = 8;
  t.head_dim = 128;
  t.pairs = pairs_of(pair_names);
  t.e_o = values;
  return t;
}

}  // namespace kvt::test
