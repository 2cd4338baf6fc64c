#include "lib/eval/data_overlap.h"

#include <unordered_set>

#include "lib/core/error.h"
#include "lib/core/hash.h"

namespace kvt::eval {

namespace {

uint64_t window_hash(const std::vector<int64_t>& ids, size_t begin, int window) {
  Fnv1a64 h;
  h.update(ids.data() + begin, size_t(window) * sizeof(int64_t));
  return h.value();
}

}  // namespace

WindowOverlap window_overlap(const std::vector<std::vector<int64_t>>& calibration,
                             const std::vector<std::vector<int64_t>>& heldout, int window) {
  KVT_ASSERT(window > 0, "window must be positive");
  std::unordered_set<uint64_t> seen;
  for (const auto& p : calibration)
    for (size_t i = 0; i + size_t(window) <= p.size(); ++i) seen.insert(window_hash(p, i, window));
  WindowOverlap o;
  o.window = window;
  for (const auto& s : heldout) {
    bool any = false;
    for (size_t i = 0; i + size_t(window) <= s.size(); ++i) {
      ++o.windows;
      if (seen.count(window_hash(s, i, window))) {
        ++o.shared;
        any = true;
      }
    }
    o.sequences_with_shared += any;
  }
  return o;
}

}  // namespace kvt::eval
