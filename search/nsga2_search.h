// NSGA-II over a SearchSpace through pagmo (pagmo::nsga2 on a user-defined problem with integer genes).
// One gene per search unit with more than one choice (a group, or a layer when ungrouped); gene value = index
// into the unit's candidate list. Objectives: (error, memory), both minimized. The memory bound (the largest
// budget) is a constraint removed with pagmo::unconstrain("death penalty"); infeasible configs are never
// passed to a custom objective. Generations run one pagmo evolve() at a time, each with a seed derived from
// (seed, generation), so a run resumed from a checkpoint is identical to an uninterrupted one.
// An external archive keeps every non-dominated feasible config evaluated, so the returned front is not
// limited to the population size (inferred: a standard elitist-archive addition, not in the paper).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "lib/core/precision.h"
#include "search/objectives.h"
#include "search/pareto_front.h"

namespace kvt::search {

// Scores one per-layer config end to end (lower is better). Called once per distinct feasible config.
using ErrorObjective = std::function<double(const std::vector<PrecisionPair>& layer_pairs)>;

struct Nsga2Options {
  int population = 160;   // pagmo: >= 5 and a multiple of 4
  int generations = 500;  // HV ratio ≥ 0.99 on 80 ungrouped layers, 1.0 grouped, < 1 s CPU (bench_search)
  unsigned seed = 1;
  double crossover = 0.9;     // search_optuna_adaptive.py: Optuna's crossover_prob
  double eta_c = 10.0;        // pagmo default
  double mutation = 0.0;      // 0 → 1 / number of genes (Optuna NSGAIISampler's default)
  double eta_m = 50.0;        // pagmo default
  int checkpoint_every = 25;  // generations between checkpoints
};

// @throws InputError naming the option (--pop, --generations, ...).
void validate(const Nsga2Options& options);

// A feasible config that no other evaluated config dominates.
struct ArchivedPoint {
  std::vector<int> genes;
  double memory = 0;
  double error = 0;
};

// Everything needed to continue a run: the population after `generation` generations and the archive.
struct Nsga2State {
  std::string fingerprint;  // identifies the problem and the options that shape the run (not generations)
  unsigned seed = 0;
  int generation = 0;
  std::vector<std::vector<int>> genes;       // [individual][gene]
  std::vector<std::vector<double>> fitness;  // [individual][error, memory] as pagmo holds them
  std::vector<ArchivedPoint> archive;        // by increasing memory (so decreasing error)
};

struct Nsga2Hooks {
  const Nsga2State* resume = nullptr;  // continue from this state
  // Configs (one table pair index per layer) placed first in a new initial population, e.g. the uniform configs and
  // a proxy front when the objective is end to end. Configs the search space cannot express (a pair pruned from a
  // layer, or layers of one group with different pairs) are skipped; at most `population` are used.
  std::vector<std::vector<int>> seeds;
  std::function<void(const Nsga2State&)> on_checkpoint;  // every checkpoint_every generations and at the end
  std::function<void(int generation, int total)> on_generation;
};

struct Nsga2Result {
  ParetoFront front;     // the archive: every non-dominated feasible config evaluated in the run
  Nsga2State state;      // the final population
  int resumed_from = 0;  // generation the run started from
  int num_genes = 0;
};

// @param max_memory feasibility bound in the space's measure (infinity: unconstrained).
// @param objective  empty → the additive proxy Σ e_o.
// @param table_pairs table.pairs, to hand PrecisionPairs to the objective.
// @throws InputError for invalid options or a resume state that does not fit the problem.
Nsga2Result run_nsga2(const SearchSpace& space, const std::vector<PrecisionPair>& table_pairs,
                      const Nsga2Options& options, double max_memory, const ErrorObjective& objective,
                      const std::string& fingerprint, const Nsga2Hooks& hooks = {});

// The pagmo seed of generation `generation` of a run seeded with `seed` (SplitMix64 of both).
unsigned generation_seed(unsigned seed, int generation);

}  // namespace kvt::search
