#include "search/interop/storage_type.h"

#include <algorithm>

#include "lib/core/error.h"
#include "lib/quant/storage.h"
#include "search/interop/engine_registry.h"

namespace kvt::interop {

StorageType kvtuner_storage(int bits, const GroupRule& rule) {
  if (bits >= 16) return {"bf16", 16, 16.0};
  return {"int" + std::to_string(bits), bits, quant::group_effective_bits(bits, rule.group_size, rule.symmetric)};
}

std::vector<StorageType> engine_dtype_menu(const std::string& engine, int head_dim) {
  return find_engine(engine).dtype_menu(head_dim);
}

std::vector<StorageType> restrict_menu(const std::vector<StorageType>& menu, const std::vector<std::string>& allowed,
                                       const std::string& engine) {
  if (allowed.empty()) return menu;
  std::vector<StorageType> kept;
  for (const auto& name : allowed) {
    auto it = std::find_if(menu.begin(), menu.end(), [&](const StorageType& t) { return t.name == name; });
    if (it == menu.end()) {
      std::string names;
      for (const auto& t : menu) names += (names.empty() ? "" : ", ") + t.name;
      throw InputError("--engine-dtypes: '" + name + "' is not a " + engine + " KV-cache dtype (" + names + ")", 861);
    }
    if (std::find(kept.begin(), kept.end(), *it) == kept.end()) kept.push_back(*it);
  }
  // Keep the engine's preference order, not the order typed on the command line.
  std::vector<StorageType> ordered;
  for (const auto& t : menu)
    if (std::find(kept.begin(), kept.end(), t) != kept.end()) ordered.push_back(t);
  return ordered;
}

}  // namespace kvt::interop
