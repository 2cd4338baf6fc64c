#include "search/selection.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace kvt::search {

namespace {

std::string prefix(const SensitivityTable& table, const std::string& model_name) {
  return file_stem(model_name.empty() ? table.model_name : model_name) + "_" + scheme_tag(table.scheme);
}

std::string budget_file_name(const std::string& prefix, double budget, int rank) {
  return prefix + "_KVTuner" + format_budget(budget) + "_" + std::to_string(rank) + ".yaml";
}

}  // namespace

std::string scheme_tag(const std::string& scheme) {
  if (scheme == "per-token-asym") return "pertoken";
  if (scheme == "kivi") return "kivi";
  std::string tag;
  for (char c : scheme)
    if (std::isalnum(static_cast<unsigned char>(c)))
      tag += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tag.empty() ? "custom" : tag;
}

std::string file_stem(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") return "model";
  return out;
}

std::string format_budget(double bits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", bits);
  return buf;
}

std::vector<SelectedConfig> select_configs(const ParetoFront& front, const SensitivityTable& table,
                                           MemoryMeasure measure, const std::vector<double>& budgets_bits,
                                           int per_budget, const std::string& model_name) {
  const std::string name_prefix = prefix(table, model_name);
  std::vector<SelectedConfig> selected;
  for (double budget : budgets_bits) {
    double limit = budget_in_measure(table, budget, measure);
    std::vector<size_t> feasible;
    for (size_t i = 0; i < front.size(); ++i)
      if (within_budget(front[i].memory, limit)) feasible.push_back(i);
    std::stable_sort(feasible.begin(), feasible.end(), [&](size_t a, size_t b) {
      if (front[a].error != front[b].error) return front[a].error < front[b].error;
      return front[a].memory < front[b].memory;
    });
    for (int rank = 0; rank < per_budget && rank < static_cast<int>(feasible.size()); ++rank)
      selected.push_back({budget_file_name(name_prefix, budget, rank), "budget", budget, rank, front[feasible[rank]]});
  }
  int knee = knee_index(front);
  if (knee >= 0) selected.push_back({name_prefix + "_knee.yaml", "knee", 0, 0, front[knee]});
  return selected;
}

std::vector<std::string> possible_config_file_names(const SensitivityTable& table,
                                                    const std::vector<double>& budgets_bits, int per_budget,
                                                    const std::string& model_name) {
  const std::string name_prefix = prefix(table, model_name);
  std::vector<std::string> names;
  for (double budget : budgets_bits)
    for (int rank = 0; rank < per_budget; ++rank) names.push_back(budget_file_name(name_prefix, budget, rank));
  names.push_back(name_prefix + "_knee.yaml");
  return names;
}

}  // namespace kvt::search
