// A Pareto front of layer-wise configs over (memory, error), both minimized, and the measures on it.
#pragma once
#include <vector>

namespace kvt::search {

struct FrontPoint {
  std::vector<int> choice;       // one index per SearchUnit
  std::vector<int> layer_pairs;  // one index into table.pairs per layer
  double memory = 0;             // in the search's MemoryMeasure
  double error = 0;              // the search objective (the proxy Σ e_o unless a custom objective is used)
};

// Sorted by increasing memory (so decreasing error); no point dominates another.
using ParetoFront = std::vector<FrontPoint>;

// The non-dominated subset of `points`, sorted by memory then error. Of points with equal (memory, error),
// the first in input order is kept.
ParetoFront nondominated(const std::vector<FrontPoint>& points);

// Points with memory <= max_memory (within_budget).
ParetoFront truncate_front(const ParetoFront& front, double max_memory);

// Hypervolume of `front` relative to that of `reference` (pagmo::hypervolume, 2-D, minimization).
// inferred (our choice, fixed so ratios compare across runs): both objectives are normalized to [0, 1] by the
// reference front's minimum and maximum (a zero range counts as 1); the reference point is (1.1, 1.1) in that
// normalized space. Points that do not dominate the reference point add nothing.
// Returns 0 when `front` is empty; 1 when both fronts are the same.
struct HypervolumeReport {
  double searched = 0;
  double reference = 0;
  double ratio = 0;
};
HypervolumeReport hypervolume_ratio(const ParetoFront& front, const ParetoFront& reference);

// The knee: in the front's own normalized space, the point farthest from the straight line through its two
// end points (inferred: the usual "maximum distance to the chord" rule). Fronts of 1–2 points: the first.
// @returns an index into `front`; -1 when empty.
int knee_index(const ParetoFront& front);

}  // namespace kvt::search
