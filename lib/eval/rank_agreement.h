// How well two scores order the same items: Spearman's rank correlation, with tied values sharing their
// average rank (the usual tie correction: Pearson correlation of the average ranks).
#pragma once
#include <optional>
#include <vector>

namespace kvt::eval {

// 1-based ranks of `values` in increasing order; ties get the mean of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& values);

// ρ in [−1, 1]; nullopt when there are fewer than 2 items or either side has no spread (all ties).
// Sizes must match (KVT_ASSERT).
std::optional<double> spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace kvt::eval
