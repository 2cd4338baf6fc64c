#include "search/interop/projection.h"

#include <algorithm>

#include "lib/core/error.h"

namespace kvt::interop {

namespace {

constexpr double kBudgetSlack = 1e-9;  // bits; keeps exact ties (int4 at 4.25 vs a 4.25 budget) feasible

std::optional<double> global_pair_proxy(const SensitivityTable& table, int num_layers, const PrecisionPair& pair) {
  double sum = 0;
  for (int l = 0; l < num_layers; ++l) {
    auto e = layer_proxy_error(table, l, pair);
    if (!e) return std::nullopt;
    sum += *e;
  }
  return sum;
}

}  // namespace

std::optional<double> layer_proxy_error(const SensitivityTable& table, int layer, const PrecisionPair& pair) {
  int index = table.pair_index(pair);
  if (index >= 0) return table.proxy_errors().at(size_t(layer)).at(size_t(index));
  if (pair.is_full_precision()) return 0.0;
  return std::nullopt;
}

BitsSummary summarize(const ProjectedConfig& config, const SensitivityTable* table) {
  BitsSummary s;
  if (config.empty()) return s;
  double proxy = 0;
  for (size_t l = 0; l < config.size(); ++l) {
    const auto& layer = config[l];
    s.nominal_bits += (layer.key.nominal_bits + layer.value.nominal_bits) / 2.0;
    s.effective_bits += (layer.key.effective_bits + layer.value.effective_bits) / 2.0;
    if (!table || !s.proxy_note.empty()) continue;
    auto e = layer_proxy_error(*table, static_cast<int>(l), layer.nominal_pair());
    if (e)
      proxy += *e;
    else
      s.proxy_note = "the table has no " + layer.nominal_pair().name() + " (layer " + std::to_string(l) + ")";
  }
  s.nominal_bits /= static_cast<double>(config.size());
  s.effective_bits /= static_cast<double>(config.size());
  if (!table)
    s.proxy_note = "no --sensitivity table";
  else if (s.proxy_note.empty())
    s.proxy_error = proxy;
  return s;
}

BitsSummary summarize_searched(const KvConfig& config, const SchemeStorage& storage, const SensitivityTable* table) {
  if (!config.per_head()) {
    ProjectedConfig stored;
    for (const auto& pair : config.layers)
      stored.push_back({kvtuner_storage(pair.key_bits, storage.key), kvtuner_storage(pair.value_bits, storage.value)});
    return summarize(stored, table);
  }
  BitsSummary s;
  size_t count = 0;
  bool uniform_heads = true;
  ProjectedConfig per_layer;
  for (const auto& heads : config.heads) {
    for (const auto& pair : heads) {
      s.effective_bits += (kvtuner_storage(pair.key_bits, storage.key).effective_bits +
                           kvtuner_storage(pair.value_bits, storage.value).effective_bits) /
                          2.0;
      ++count;
      uniform_heads = uniform_heads && pair == heads.front();
    }
    per_layer.push_back({kvtuner_storage(heads.front().key_bits, storage.key),
                         kvtuner_storage(heads.front().value_bits, storage.value)});
  }
  s.nominal_bits = config.nominal_bits();
  s.effective_bits /= static_cast<double>(count);
  if (!table) {
    s.proxy_note = "no --sensitivity table";
  } else if (!uniform_heads) {
    s.proxy_note = "per-head config with different pairs within a layer; the table is per layer";
  } else {
    BitsSummary layer_summary = summarize(per_layer, table);
    s.proxy_error = layer_summary.proxy_error;
    s.proxy_note = layer_summary.proxy_note;
  }
  return s;
}

std::vector<PrecisionPair> covering_layer_pairs(const KvConfig& config) {
  if (!config.per_head()) return config.layers;
  std::vector<PrecisionPair> pairs;
  for (const auto& heads : config.heads) {
    PrecisionPair widest{0, 0};
    for (const auto& pair : heads) {
      widest.key_bits = std::max(widest.key_bits, pair.key_bits);
      widest.value_bits = std::max(widest.value_bits, pair.value_bits);
    }
    pairs.push_back(widest);
  }
  return pairs;
}

StorageType round_up(const std::vector<StorageType>& menu, int bits, bool* widened) {
  KVT_ASSERT(!menu.empty(), "round_up needs a non-empty dtype menu");
  const StorageType* best = nullptr;
  for (const auto& t : menu) {
    if (t.nominal_bits < bits) continue;
    if (!best || t.nominal_bits < best->nominal_bits ||
        (t.nominal_bits == best->nominal_bits && t.effective_bits < best->effective_bits))
      best = &t;
  }
  if (widened) *widened = best != nullptr;
  if (best) return *best;
  // Nothing wide enough: the widest dtype on offer (first in menu order among equals).
  return *std::max_element(menu.begin(), menu.end(),
                           [](const StorageType& a, const StorageType& b) { return a.nominal_bits < b.nominal_bits; });
}

std::string layer_range_string(const std::vector<std::string>& names) {
  std::string out;
  size_t start = 0;
  for (size_t i = 1; i <= names.size(); ++i) {
    if (i < names.size() && names[i] == names[start]) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(start);
    if (i - 1 > start) out += '-' + std::to_string(i - 1);
    out += ':' + names[start];
    start = i;
  }
  return out;
}

LayerStorage best_global_pair(const std::vector<StorageType>& menu, bool key_equals_value, double budget_effective_bits,
                              int num_layers, const SensitivityTable* table, bool* fits) {
  KVT_ASSERT(!menu.empty(), "best_global_pair needs a non-empty menu");
  struct Candidate {
    LayerStorage storage;
    double bits;
    std::optional<double> proxy;
  };
  std::vector<Candidate> feasible;
  const Candidate* cheapest = nullptr;
  std::vector<Candidate> all;
  for (const auto& k : menu)
    for (const auto& v : menu) {
      if (key_equals_value && !(k == v)) continue;
      Candidate c{{k, v}, (k.effective_bits + v.effective_bits) / 2.0, std::nullopt};
      if (table) c.proxy = global_pair_proxy(*table, num_layers, c.storage.nominal_pair());
      all.push_back(c);
    }
  for (const auto& c : all) {
    if (c.bits <= budget_effective_bits + kBudgetSlack) feasible.push_back(c);
    if (!cheapest || c.bits < cheapest->bits) cheapest = &c;
  }
  if (fits) *fits = !feasible.empty();
  if (feasible.empty()) return cheapest->storage;

  // Stable scans in menu order, so the first of equals wins.
  const Candidate* best = nullptr;
  for (const auto& c : feasible) {
    if (!c.proxy) continue;
    if (!best || *c.proxy < *best->proxy || (*c.proxy == *best->proxy && c.bits < best->bits)) best = &c;
  }
  if (best) return best->storage;
  for (const auto& c : feasible) {
    if (!best || c.bits > best->bits ||
        (c.bits == best->bits && c.storage.key.effective_bits > best->storage.key.effective_bits))
      best = &c;
  }
  return best->storage;
}

}  // namespace kvt::interop
