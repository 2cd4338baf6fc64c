// The whole post-profile pipeline as one value-to-value function:
// table → prune → group → search (NSGA-II or exact DP) → select. No printing, no files (see search_outputs.h).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/core/sensitivity_table.h"
#include "search/grouping.h"
#include "search/nsga2_search.h"
#include "search/objectives.h"
#include "search/pareto_front.h"
#include "search/search_options.h"
#include "search/selection.h"

namespace kvt::search {

struct SearchHooks {
  // Custom end-to-end error (e.g. measured on a model); empty → the additive proxy Σ e_o.
  ErrorObjective objective;
  std::string objective_name = "e2e-kl";  // recorded in outputs and in the checkpoint fingerprint (custom objective)
  const Nsga2State* resume = nullptr;
  std::vector<std::vector<int>> seeds;  // NSGA-II initial configs (Nsga2Hooks::seeds)
  std::function<void(const Nsga2State&)> on_checkpoint;
  std::function<void(int generation, int total)> on_generation;
};

// A uniform config (every layer the same pair) scored like the searched ones: the plot's reference points.
struct UniformBaseline {
  PrecisionPair pair;
  ConfigScore score;
  double memory = 0;  // in the search's measure
  double error = 0;   // in the search's objective
};

struct SearchResult {
  SensitivityTable table;
  SearchOptions options;
  std::string objective_name;
  bool proxy_objective = true;
  std::string table_hash;   // FNV-1a of the table's JSON
  std::string fingerprint;  // identifies the search (table + options, not generations)
  CandidateSets candidate_sets;
  LayerGroups groups;
  SearchSpace space;
  double max_memory = 0;                         // the largest budget in the memory measure
  ParetoFront exact_front;                       // DP front of the searched space (groups), whole memory range
  ParetoFront exact_front_per_layer;             // DP front with one decision per layer (grouping's cost); whole range
  ParetoFront searched_front;                    // what the method found, memory <= max_memory
  std::optional<HypervolumeReport> hypervolume;  // searched vs exact within max_memory; proxy objective, non-empty
  std::vector<UniformBaseline> uniform;          // KV8, K8V4, KV4, K4V2, KV2 when the table has them
  std::vector<SelectedConfig> selected;
  int nsga2_genes = 0;
  int resumed_from_generation = 0;
};

// The table with options.proxy selected (the table's own choice when it is empty or "auto").
// @throws InputError (611) when that proxy's table was not measured.
SensitivityTable table_for_search(const SensitivityTable& table, const SearchOptions& options);
// hooks.objective_name for a custom objective, else "proxy-sum-<column>" of the table's proxy.
std::string objective_name_of(const SensitivityTable& table, const SearchHooks& hooks);

// @throws InputError for invalid options or table, or --method exact with a custom objective.
SearchResult run_search(const SensitivityTable& table, const SearchOptions& options, const SearchHooks& hooks = {});

// Hash of the table and of every option that shapes the NSGA-II run except the generation count.
std::string search_fingerprint(const SensitivityTable& table, const SearchOptions& options,
                               const std::string& objective_name);

}  // namespace kvt::search
