#include "search/pareto_front.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <pagmo/utils/hypervolume.hpp>

#include "search/objectives.h"

namespace kvt::search {

ParetoFront nondominated(const std::vector<FrontPoint>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].memory != points[b].memory) return points[a].memory < points[b].memory;
    return points[a].error < points[b].error;
  });
  ParetoFront front;
  for (size_t i : order) {
    // Sorted by memory: a point survives only if it improves on the best error seen so far.
    if (front.empty() || points[i].error < front.back().error) front.push_back(points[i]);
  }
  return front;
}

ParetoFront truncate_front(const ParetoFront& front, double max_memory) {
  ParetoFront out;
  for (const auto& p : front)
    if (within_budget(p.memory, max_memory)) out.push_back(p);
  return out;
}

namespace {

struct Normalizer {
  double memory_min = 0, memory_range = 1, error_min = 0, error_range = 1;

  explicit Normalizer(const ParetoFront& front) {
    if (front.empty()) return;
    auto [mem_lo, mem_hi] = std::minmax_element(front.begin(), front.end(),
                                                [](const auto& a, const auto& b) { return a.memory < b.memory; });
    auto [err_lo, err_hi] =
        std::minmax_element(front.begin(), front.end(), [](const auto& a, const auto& b) { return a.error < b.error; });
    memory_min = mem_lo->memory;
    error_min = err_lo->error;
    if (mem_hi->memory > memory_min) memory_range = mem_hi->memory - memory_min;
    if (err_hi->error > error_min) error_range = err_hi->error - error_min;
  }
  double memory(double m) const { return (m - memory_min) / memory_range; }
  double error(double e) const { return (e - error_min) / error_range; }
};

double normalized_hypervolume(const ParetoFront& front, const Normalizer& norm) {
  constexpr double kReference = 1.1;
  std::vector<pagmo::vector_double> points;
  for (const auto& p : front) {
    double m = norm.memory(p.memory), e = norm.error(p.error);
    if (m < kReference && e < kReference) points.push_back({m, e});
  }
  if (points.empty()) return 0;
  return pagmo::hypervolume(points, true).compute({kReference, kReference});
}

}  // namespace

HypervolumeReport hypervolume_ratio(const ParetoFront& front, const ParetoFront& reference) {
  Normalizer norm(reference);
  HypervolumeReport report;
  report.searched = normalized_hypervolume(front, norm);
  report.reference = normalized_hypervolume(reference, norm);
  report.ratio = report.reference > 0 ? report.searched / report.reference : 0;
  return report;
}

int knee_index(const ParetoFront& front) {
  if (front.empty()) return -1;
  if (front.size() < 3) return 0;
  Normalizer norm(front);
  double x0 = norm.memory(front.front().memory), y0 = norm.error(front.front().error);
  double x1 = norm.memory(front.back().memory), y1 = norm.error(front.back().error);
  double dx = x1 - x0, dy = y1 - y0, length = std::hypot(dx, dy);
  int best = 0;
  double best_distance = -1;
  for (size_t i = 0; i < front.size(); ++i) {
    double x = norm.memory(front[i].memory), y = norm.error(front[i].error);
    // Distance to the chord; the front is convex-ish below it, so take the absolute value.
    double distance = length > 0 ? std::fabs(dy * (x - x0) - dx * (y - y0)) / length : 0;
    if (distance > best_distance) {
      best_distance = distance;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace kvt::search
