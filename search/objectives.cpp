#include "search/objectives.h"

#include <cmath>
#include <limits>

#include "lib/core/error.h"

namespace kvt::search {

MemoryMeasure parse_memory_measure(const std::string& text) {
  if (text == "nominal") return MemoryMeasure::Nominal;
  if (text == "effective") return MemoryMeasure::Effective;
  if (text == "bytes") return MemoryMeasure::Bytes;
  throw InputError("--memory '" + text + "': expected nominal, effective or bytes", 640);
}

std::string to_string(MemoryMeasure measure) {
  switch (measure) {
    case MemoryMeasure::Nominal:
      return "nominal";
    case MemoryMeasure::Effective:
      return "effective";
    case MemoryMeasure::Bytes:
      return "bytes";
  }
  return "?";
}

std::string memory_label(MemoryMeasure measure) {
  switch (measure) {
    case MemoryMeasure::Nominal:
      return "nominal bits per KV element (f_m)";
    case MemoryMeasure::Effective:
      return "effective bits per KV element";
    case MemoryMeasure::Bytes:
      return "KV-cache bytes per token";
  }
  return "?";
}

std::vector<double> pair_memory_cost(const SensitivityTable& table, MemoryMeasure measure) {
  std::vector<double> cost;
  if (measure != MemoryMeasure::Nominal && table.effective_bits.empty())
    throw InputError("--memory " + to_string(measure) +
                         ": the sensitivity table has no effective_bits (storage accounting); use --memory nominal",
                     641);
  if (measure == MemoryMeasure::Bytes && table.kv_elements_per_token_per_layer <= 0)
    throw InputError("--memory bytes: the sensitivity table has no kv_elements_per_token_per_layer", 641);
  for (size_t p = 0; p < table.pairs.size(); ++p) {
    switch (measure) {
      case MemoryMeasure::Nominal:
        cost.push_back(table.pairs[p].mean_bits());
        break;
      case MemoryMeasure::Effective:
        cost.push_back(table.effective_bits[p]);
        break;
      case MemoryMeasure::Bytes:
        cost.push_back(table.kv_elements_per_token_per_layer * table.effective_bits[p] / 8.0);
        break;
    }
  }
  return cost;
}

ConfigScore score_config(const SensitivityTable& table, const std::vector<int>& layer_pairs) {
  KVT_ASSERT(layer_pairs.size() == static_cast<size_t>(table.num_layers), "one pair per layer");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  bool has_storage = !table.effective_bits.empty();
  ConfigScore s;
  double nominal_sum = 0, effective_sum = 0;
  for (size_t l = 0; l < layer_pairs.size(); ++l) {
    int p = layer_pairs[l];
    KVT_ASSERT(p >= 0 && static_cast<size_t>(p) < table.pairs.size(), "pair index in range");
    nominal_sum += table.pairs[p].mean_bits();
    if (has_storage) effective_sum += table.effective_bits[p];
    s.proxy_error += table.proxy_errors()[l][p];
  }
  s.nominal_bits = nominal_sum / table.num_layers;
  s.effective_bits = has_storage ? effective_sum / table.num_layers : nan;
  s.bytes_per_token = has_storage && table.kv_elements_per_token_per_layer > 0
                          ? effective_sum * table.kv_elements_per_token_per_layer / 8.0
                          : nan;
  return s;
}

double memory_of(const ConfigScore& score, MemoryMeasure measure) {
  switch (measure) {
    case MemoryMeasure::Nominal:
      return score.nominal_bits;
    case MemoryMeasure::Effective:
      return score.effective_bits;
    case MemoryMeasure::Bytes:
      return score.bytes_per_token;
  }
  return score.nominal_bits;
}

double budget_in_measure(const SensitivityTable& table, double budget_bits, MemoryMeasure measure) {
  if (measure == MemoryMeasure::Bytes)
    return budget_bits * table.kv_elements_per_token_per_layer * table.num_layers / 8.0;
  return budget_bits;
}

bool within_budget(double memory, double budget) { return memory <= budget + 1e-9 * std::max(1.0, std::fabs(budget)); }

std::vector<int> SearchSpace::layer_pairs(const std::vector<int>& choice) const {
  KVT_ASSERT(choice.size() == units.size(), "one choice per unit");
  std::vector<int> pairs(static_cast<size_t>(num_layers), -1);
  for (size_t u = 0; u < units.size(); ++u)
    for (int layer : units[u].layers) pairs[layer] = units[u].choices[choice[u]];
  return pairs;
}

double SearchSpace::memory(const std::vector<int>& choice) const {
  double sum = 0;
  for (size_t u = 0; u < units.size(); ++u) sum += units[u].memory_sum[choice[u]];
  return sum / memory_divisor;
}

double SearchSpace::proxy_error(const std::vector<int>& choice) const {
  double sum = 0;
  for (size_t u = 0; u < units.size(); ++u) sum += units[u].error_sum[choice[u]];
  return sum;
}

SearchSpace build_search_space(const SensitivityTable& table, const LayerGroups& groups, MemoryMeasure measure) {
  std::vector<double> cost = pair_memory_cost(table, measure);
  SearchSpace space;
  space.num_layers = table.num_layers;
  space.measure = measure;
  space.memory_divisor = measure == MemoryMeasure::Bytes ? 1.0 : table.num_layers;
  for (const auto& group : groups.groups) {
    SearchUnit unit;
    unit.layers = group.layers;
    unit.choices = group.candidates;
    for (int p : group.candidates) {
      double memory = 0, error = 0;
      for (int layer : group.layers) {
        memory += cost[p];
        error += table.proxy_errors()[layer][p];
      }
      unit.memory_sum.push_back(memory);
      unit.error_sum.push_back(error);
    }
    space.units.push_back(std::move(unit));
  }
  return space;
}

}  // namespace kvt::search
