#include "search/interop/engine_projection.h"

#include <algorithm>
#include <cstdio>

namespace kvt::interop {

namespace {

std::string bits_text(double bits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", bits);
  return buf;
}

}  // namespace

int layer_need(const PrecisionPair& pair) { return std::max(pair.key_bits, pair.value_bits); }

EngineProjection round_up_per_layer(const std::string& label, const EngineInput& input,
                                    const std::vector<StorageType>& menu, std::vector<std::string>& names) {
  EngineProjection p;
  p.label = label;
  for (size_t l = 0; l < input.layer_pairs.size(); ++l) {
    bool covered = true;
    StorageType t = round_up(menu, layer_need(input.layer_pairs[l]), &covered);
    if (!covered)
      p.notes.push_back("layer " + std::to_string(l) + " needs " + std::to_string(layer_need(input.layer_pairs[l])) +
                        " bits; the widest allowed dtype " + t.name + " has fewer");
    p.layers.push_back({t, t});
    names.push_back(t.name);
  }
  p.notes.push_back(label +
                    " keeps K = V per layer: each layer gets the cheapest allowed dtype with at least "
                    "max(K bits, V bits)");
  return p;
}

bool all_same(const std::vector<std::string>& names) {
  return std::all_of(names.begin(), names.end(), [&](const std::string& n) { return n == names.front(); });
}

bool is_quantized(const StorageType& type) { return type.nominal_bits < 16; }

std::string no_fit_note(const std::string& engine, const LayerStorage& chosen, double budget) {
  return "no " + engine + " setting fits in the searched config's " + bits_text(budget) +
         " effective bits/element; using the cheapest (" +
         bits_text((chosen.key.effective_bits + chosen.value.effective_bits) / 2) + ")";
}

}  // namespace kvt::interop
