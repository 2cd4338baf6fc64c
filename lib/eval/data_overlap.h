// Checking that held-out data is disjoint from calibration data, on token ids: how many n-token windows of
// the held-out sequences also occur anywhere in the calibration prompts.
#pragma once
#include <cstdint>
#include <vector>

namespace kvt::eval {

struct WindowOverlap {
  int window = 0;                     // n (tokens)
  int64_t windows = 0;                // n-token windows in the held-out sequences
  int64_t shared = 0;                 // of those, windows that also occur in the calibration prompts
  int64_t sequences_with_shared = 0;  // held-out sequences holding at least one shared window
};

// Windows are compared by a 64-bit FNV-1a hash of their ids (a false match needs a hash collision).
WindowOverlap window_overlap(const std::vector<std::vector<int64_t>>& calibration,
                             const std::vector<std::vector<int64_t>>& heldout, int window = 16);

}  // namespace kvt::eval
