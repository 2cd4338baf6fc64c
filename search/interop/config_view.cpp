#include "search/interop/config_view.h"

#include <cstdio>

#include "lib/core/error.h"

namespace kvt::interop {

std::vector<int> layer_groups_from_metadata(const KvConfig& config, const std::string& source) {
  auto it = config.metadata.find("groups");
  if (it == config.metadata.end()) return {};
  const int num_layers = static_cast<int>(config.num_layers());
  const std::string where = source + ": metadata groups";
  if (!it->is_array()) throw InputError(where + ": expected a list of layer lists", 820);
  std::vector<int> group_of(num_layers, -1);
  for (size_t g = 0; g < it->size(); ++g) {
    const auto& layers = (*it)[g];
    if (!layers.is_array()) throw InputError(where + "[" + std::to_string(g) + "]: expected a list of layers", 820);
    for (const auto& layer : layers) {
      if (!layer.is_number_integer() || layer.get<long long>() < 0 || layer.get<long long>() >= num_layers)
        throw InputError(where + "[" + std::to_string(g) + "]: " + layer.dump() + " is not a layer in 0.." +
                             std::to_string(num_layers - 1),
                         820);
      int l = layer.get<int>();
      if (group_of[l] >= 0)
        throw InputError(where + ": layer " + std::to_string(l) + " is in groups " + std::to_string(group_of[l]) +
                             " and " + std::to_string(g),
                         820);
      group_of[l] = static_cast<int>(g);
    }
  }
  return group_of;
}

std::map<PrecisionPair, int> pair_histogram(const KvConfig& config) {
  std::map<PrecisionPair, int> histogram;
  if (config.per_head()) {
    for (const auto& heads : config.heads)
      for (const auto& pair : heads) ++histogram[pair];
  } else {
    for (const auto& pair : config.layers) ++histogram[pair];
  }
  return histogram;
}

std::string histogram_text(const std::map<PrecisionPair, int>& histogram) {
  std::string out;
  for (const auto& [pair, count] : histogram)
    out += (out.empty() ? "" : ", ") + pair.name() + " x" + std::to_string(count);
  return out;
}

std::string format_config_view(const KvConfig& config, const std::string& source, const BitsSummary& searched,
                               const std::string& scheme_line) {
  std::vector<int> groups = layer_groups_from_metadata(config, source);
  std::string out = "config: " + source + " (" + std::to_string(config.num_layers()) + " layers, " +
                    (config.per_head() ? "per-head, " + std::to_string(config.heads[0].size()) + " kv_heads"
                                       : std::string("per-layer")) +
                    ")\n";
  char line[512];
  std::snprintf(line, sizeof line, groups.empty() ? "%5s %5s %5s  %s\n" : "%5s %5s %5s  %-6s group\n", "layer", "K",
                "V", "pair");
  out += line;
  double key_sum = 0, value_sum = 0;
  for (size_t l = 0; l < config.num_layers(); ++l) {
    std::string group;
    if (!groups.empty()) {
      char cell[16];
      std::snprintf(cell, sizeof cell, " %5s", groups[l] < 0 ? "-" : std::to_string(groups[l]).c_str());
      group = cell;
    }
    if (config.per_head()) {
      double k = 0, v = 0;
      KvConfig layer_only;
      layer_only.heads = {config.heads[l]};
      for (const auto& pair : config.heads[l]) k += pair.key_bits, v += pair.value_bits;
      k /= static_cast<double>(config.heads[l].size()), v /= static_cast<double>(config.heads[l].size());
      key_sum += k, value_sum += v;
      std::snprintf(line, sizeof line, "%5zu %5.2f %5.2f  %s%s\n", l, k, v,
                    histogram_text(pair_histogram(layer_only)).c_str(), group.c_str());
    } else {
      const auto& pair = config.layers[l];
      key_sum += pair.key_bits, value_sum += pair.value_bits;
      std::snprintf(line, sizeof line, groups.empty() ? "%5zu %5d %5d  %s%s\n" : "%5zu %5d %5d  %-6s%s\n", l,
                    pair.key_bits, pair.value_bits, pair.name().c_str(), group.c_str());
    }
    out += line;
  }
  double layers = static_cast<double>(config.num_layers());
  std::snprintf(line, sizeof line, "average bits: %.4f (K %.4f, V %.4f)\n", config.nominal_bits(), key_sum / layers,
                value_sum / layers);
  out += line;
  std::snprintf(line, sizeof line, "effective bits: %.4f (%s)\n", searched.effective_bits, scheme_line.c_str());
  out += line;
  if (searched.proxy_error) {
    std::snprintf(line, sizeof line, "proxy error: %.6g\n", *searched.proxy_error);
    out += line;
  }
  out += "pairs: " + histogram_text(pair_histogram(config)) + "\n";
  return out;
}

}  // namespace kvt::interop
