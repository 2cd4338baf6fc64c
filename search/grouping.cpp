#include "search/grouping.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include "lib/core/error.h"
#include "search/dbscan.h"

namespace kvt::search {

namespace {

void sort_groups(LayerGroups& groups) {
  for (auto& g : groups.groups) std::sort(g.layers.begin(), g.layers.end());
  std::sort(groups.groups.begin(), groups.groups.end(),
            [](const LayerGroup& a, const LayerGroup& b) { return a.layers.front() < b.layers.front(); });
}

// Layers sharing one candidate set, in order of their first layer.
std::vector<std::vector<int>> parts_by_candidate_set(const CandidateSets& sets) {
  std::map<std::vector<int>, size_t> part_of_set;
  std::vector<std::vector<int>> parts;
  for (size_t l = 0; l < sets.per_layer.size(); ++l) {
    auto it = part_of_set.find(sets.per_layer[l]);
    if (it == part_of_set.end()) {
      it = part_of_set.emplace(sets.per_layer[l], parts.size()).first;
      parts.emplace_back();
    }
    parts[it->second].push_back(static_cast<int>(l));
  }
  return parts;
}

int parse_layer_number(const std::string& token, const std::string& text, int num_layers) {
  if (token.empty() || token.size() > 6 || !std::all_of(token.begin(), token.end(), ::isdigit))
    throw InputError("--groups '" + text + "': '" + token + "' is not a layer number", 632);
  int layer = std::stoi(token);
  if (layer >= num_layers)
    throw InputError("--groups '" + text + "': layer " + token + " is out of range (the table has " +
                         std::to_string(num_layers) + " layers)",
                     631);
  return layer;
}

}  // namespace

void validate(const GroupOptions& options) {
  if (!std::isfinite(options.eps) || options.eps <= 0) throw InputError("--eps: expected a finite value > 0", 630);
  if (options.min_samples < 1) throw InputError("--min-samples: expected an integer >= 1", 630);
}

void validate_layer_groups(const LayerGroups& groups, const CandidateSets& sets, int num_layers,
                           const std::string& source) {
  std::vector<int> group_of(static_cast<size_t>(num_layers), -1);
  for (size_t g = 0; g < groups.groups.size(); ++g) {
    const auto& group = groups.groups[g];
    if (group.layers.empty()) throw InputError(source + ": group " + std::to_string(g) + " has no layers", 633);
    for (int layer : group.layers) {
      if (layer < 0 || layer >= num_layers)
        throw InputError(source + ": layer " + std::to_string(layer) + " in group " + std::to_string(g) +
                             " is out of range 0.." + std::to_string(num_layers - 1),
                         631);
      if (group_of[layer] != -1)
        throw InputError(source + ": layer " + std::to_string(layer) + " is in group " +
                             std::to_string(group_of[layer]) + " and in group " + std::to_string(g),
                         634);
      group_of[layer] = static_cast<int>(g);
      if (sets.per_layer[layer] != group.candidates)
        throw InputError(source + ": layer " + std::to_string(layer) + " in group " + std::to_string(g) +
                             " has a different candidate set from its group",
                         635);
    }
  }
  for (int l = 0; l < num_layers; ++l)
    if (group_of[l] == -1) throw InputError(source + ": layer " + std::to_string(l) + " is in no group", 636);
}

LayerGroups parse_layer_groups(const std::string& text, const CandidateSets& sets, int num_layers) {
  LayerGroups groups;
  std::stringstream group_stream(text);
  std::string group_text;
  while (std::getline(group_stream, group_text, ';')) {
    LayerGroup group;
    std::stringstream member_stream(group_text);
    std::string member;
    while (std::getline(member_stream, member, ',')) {
      member.erase(std::remove_if(member.begin(), member.end(), ::isspace), member.end());
      auto dash = member.find('-');
      int first = parse_layer_number(member.substr(0, dash), text, num_layers);
      int last = dash == std::string::npos ? first : parse_layer_number(member.substr(dash + 1), text, num_layers);
      if (last < first) throw InputError("--groups '" + text + "': range '" + member + "' is descending", 632);
      for (int l = first; l <= last; ++l) group.layers.push_back(l);
    }
    if (group.layers.empty()) throw InputError("--groups '" + text + "': a group is empty", 633);
    group.candidates = sets.per_layer[group.layers.front()];
    groups.groups.push_back(std::move(group));
  }
  if (groups.groups.empty()) throw InputError("--groups: the list is empty", 633);
  validate_layer_groups(groups, sets, num_layers, "--groups");
  sort_groups(groups);
  return groups;
}

LayerGroups group_layers(const SensitivityTable& table, const CandidateSets& sets, const GroupOptions& options) {
  validate(options);
  KVT_ASSERT(sets.per_layer.size() == static_cast<size_t>(table.num_layers), "one candidate set per layer");
  if (!options.explicit_groups.empty()) return parse_layer_groups(options.explicit_groups, sets, table.num_layers);

  LayerGroups groups;
  for (const auto& part : parts_by_candidate_set(sets)) {
    const std::vector<int>& candidates = sets.per_layer[part.front()];
    if (!options.enabled) {
      for (int layer : part) groups.groups.push_back({{layer}, candidates});
      continue;
    }
    // Feature vector of a layer: its proxy errors over the part's candidate pairs. e_o is a norm ratio (the paper's
    // eps applies to it as is); KL and its Fisher estimate span decades across layers and pairs, so they enter as
    // log10 (eps is then a ratio: 0.05 ≈ 12 %). 0 (a 16-bit pair) is floored at 1e-30.
    const bool log_features = table.proxy != "eo";
    Eigen::MatrixXd features(static_cast<Eigen::Index>(part.size()), static_cast<Eigen::Index>(candidates.size()));
    for (size_t i = 0; i < part.size(); ++i)
      for (size_t c = 0; c < candidates.size(); ++c) {
        const double v = table.proxy_errors()[part[i]][candidates[c]];
        features(i, c) = log_features ? std::log10(std::max(v, 1e-30)) : v;
      }
    std::vector<int> labels = dbscan(features, options.eps, options.min_samples);
    std::map<int, size_t> group_of_label;
    for (size_t i = 0; i < part.size(); ++i) {
      if (labels[i] < 0) {  // inferred from Table 10: DBSCAN noise becomes a singleton group
        groups.groups.push_back({{part[i]}, candidates});
        continue;
      }
      auto it = group_of_label.find(labels[i]);
      if (it == group_of_label.end()) {
        it = group_of_label.emplace(labels[i], groups.groups.size()).first;
        groups.groups.push_back({{}, candidates});
      }
      groups.groups[it->second].layers.push_back(part[i]);
    }
  }
  sort_groups(groups);
  try {
    validate_layer_groups(groups, sets, table.num_layers, "grouping");
  } catch (const InputError& e) {
    throw InternalError(std::string("computed groups are not a partition: ") + e.what(), 960);
  }
  return groups;
}

std::string format_layer_list(const std::vector<int>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(layers[i]);
    if (j > i) out += "-" + std::to_string(layers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace kvt::search
