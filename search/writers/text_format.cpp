#include "search/writers/text_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace kvt::search {

std::string compact_layer_map(const std::vector<PrecisionPair>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[i]) ++j;
    if (!out.empty()) out += ' ';
    out += std::to_string(i);
    if (j > i) out += "-" + std::to_string(j);
    out += ":" + layers[i].name();
    i = j + 1;
  }
  return out;
}

std::string pair_histogram(const std::vector<PrecisionPair>& layers) {
  std::vector<std::pair<PrecisionPair, int>> counts;
  for (const auto& p : layers) {
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == p; });
    if (it == counts.end())
      counts.push_back({p, 1});
    else
      ++it->second;
  }
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  });
  std::string out;
  for (const auto& [pair, count] : counts) out += (out.empty() ? "" : ", ") + pair.name() + "×" + std::to_string(count);
  return out;
}

}  // namespace kvt::search
