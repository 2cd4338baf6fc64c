// Inter-layer grouping (KVTuner §5.3, App. D.1.2): layers with the same pruned candidate set are
// clustered by DBSCAN on their e_o vectors; every layer of a group then gets the same pair.
#pragma once
#include <string>
#include <vector>

#include "lib/core/sensitivity_table.h"
#include "search/pruning.h"

namespace kvt::search {

struct GroupOptions {
  bool enabled = true;          // false: one group per layer (the paper's ungrouped ablation)
  double eps = 0.05;            // KVTuner App. D.1.2: DBSCAN eps
  int min_samples = 2;          // KVTuner App. D.1.2: DBSCAN min_samples
  std::string explicit_groups;  // "0;1-4,7;5,6": user-given groups instead of DBSCAN (see parse_layer_groups)
};

struct LayerGroup {
  std::vector<int> layers;      // ascending
  std::vector<int> candidates;  // the shared candidate set: indices into table.pairs, PrecisionPair order
};

// Groups ordered by their lowest layer.
struct LayerGroups {
  std::vector<LayerGroup> groups;
};

// @throws InputError naming the option when eps <= 0, min_samples < 1, or values are not finite.
void validate(const GroupOptions& options);

// Partition by identical candidate set, DBSCAN inside each part on the e_o values of that set
// (Euclidean, inferred from scikit-learn's default), noise points as singleton groups.
// With options.enabled = false: one group per layer. With options.explicit_groups: those groups.
// The result is validated (validate_layer_groups); a violation here is a bug → InternalError.
// @throws InputError for invalid options or explicit groups.
LayerGroups group_layers(const SensitivityTable& table, const CandidateSets& sets, const GroupOptions& options);

// Each layer in exactly one group, layers within 0..num_layers-1, every layer of a group holding the group's
// candidate set. @throws InputError naming the layer (and `source`) on the first violation.
void validate_layer_groups(const LayerGroups& groups, const CandidateSets& sets, int num_layers,
                           const std::string& source);

// Parses "0;1-4,7,13;5,6" (groups separated by ';', members by ',', ranges a-b) and attaches each group's
// candidate set, which must be the same for all its layers. @throws InputError naming the text or the layer.
LayerGroups parse_layer_groups(const std::string& text, const CandidateSets& sets, int num_layers);

// "0-4,7,13": compact text for reports.
std::string format_layer_list(const std::vector<int>& layers);

}  // namespace kvt::search
